import type { PersonalDataExport } from '@yishi/projection/contract';
import { h } from '../html.ts';
import { textField } from '../views/forms.ts';
import { type Action, hidden, type OnPage } from './action.ts';
import { defined, newId } from './form-fields.ts';

// 我的: what a person does for themselves, whatever their capacity: authorise a proxy to vote
// for them on an item (an owner, online; a clerk enters paper authorisations in the
// registry), revoke one they gave, and opt out of reminders. The service checks that they act
// for themselves.

export interface PersonalContext extends OnPage {
  own: PersonalDataExport | undefined;
  /** The authorisation a revoke form is about (one form each). */
  proxy?: PersonalDataExport['proxies'][number];
}

const owner = (c: PersonalContext) => (c.own?.units.length ?? 0) > 0;

export const personalActions = {
  'grant-proxy': {
    command: 'GrantProxy',
    when: owner,
    title: (c) => c.page.tr.t('me.grant'),
    submit: (c) => c.page.tr.t('me.grant'),
    fields: (c, s) => {
      const { tr } = c.page;
      return h`${textField(s, { name: 'proxyId', label: tr.t('me.proxyId'), required: true, hint: tr.t('me.proxyId.hint') })}
      <div class="row">${textField(s, { name: 'proposalId', label: tr.t('registry.field.proposalId'), required: true })}
      ${textField(s, { name: 'itemId', label: tr.t('registry.field.itemId'), required: true })}</div>
      ${textField(s, { name: 'instructions', label: tr.t('registry.field.instructions'), multiline: true })}`;
    },
    build: (f, viewer) =>
      defined({
        authorisationId: newId('pa'),
        ownerId: viewer.personId,
        proxyId: f.text('proxyId'),
        proposalId: f.text('proposalId'),
        itemId: f.text('itemId'),
        instructions: f.opt('instructions'),
      }),
  },
  'revoke-proxy': {
    command: 'RevokeProxy',
    when: () => true,
    secondary: true,
    each: (c) =>
      (c.own?.proxies ?? [])
        .filter((p) => p.active && p.as === 'owner')
        .map((proxy) => ({ ...c, proxy })),
    id: (c) => `revoke-${c.proxy?.authorisationId}`,
    title: (c) =>
      c.page.tr.t('me.revoke', {
        proxy: c.proxy?.proxyId ?? '',
        proposal: c.proxy?.proposalId ?? '',
        item: c.proxy?.itemId ?? '',
      }),
    intro: (c) => hidden('authorisationId', c.proxy?.authorisationId),
    build: (f) => ({ authorisationId: f.text('authorisationId') }),
  },
  'opt-out-of-reminders': {
    command: 'OptOutOfReminders',
    when: () => true,
    secondary: true,
    intro: (c) => h`<p class="muted">${c.page.tr.t('me.optOut.intro')}</p>`,
    build: (_f, viewer) => ({ personId: viewer.personId }),
  },
} satisfies Record<string, Action<PersonalContext>>;
