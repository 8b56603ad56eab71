import type { InstallationView } from '@yishi/identity';
import { normalisePhone } from '@yishi/identity';
import { problemBody } from '@yishi/platform';
import type { ActionSpec } from '../actions/action.ts';
import { type FormFields, FormInputError } from '../actions/form-fields.ts';
import { type Html, h } from '../html.ts';
import { actionForm, FormScope, textField } from '../views/forms.ts';
import { layout, type PageContext, queryProblem } from '../views/layout.ts';

// The installation (系统管理), for its administrators: who administers it, which officials
// (街道, 民政) oversee which communities; appointing and revoking them. A person appointed here
// signs in with the number given: the sign-in keeps it, no event holds it.

export function installationPage(
  ctx: PageContext,
  installation: InstallationView | undefined,
): Html {
  const { tr } = ctx;
  if (!installation) {
    return layout(ctx, {
      title: tr.t('installation.title'),
      body: h`<h1>${tr.t('installation.title')}</h1>${queryProblem(
        tr,
        problemBody(502, 'upstream-unavailable', 'The installation could not be read'),
      )}`,
    });
  }
  const communities = (ids: readonly string[]) =>
    ids.includes('*') ? tr.t('installation.all') : ids.join(tr.sep);
  const form = (id: string, title: string, fields: (scope: FormScope) => Html) => {
    const scope = new FormScope(ctx, id);
    return actionForm(ctx, {
      id,
      action: `/installation/${id}`,
      title,
      submit: title,
      fields: fields(scope),
    });
  };
  const personId = (scope: FormScope) =>
    textField(scope, { name: 'personId', label: tr.t('installation.personId'), required: true });
  const phone = (scope: FormScope) =>
    textField(scope, {
      name: 'phone',
      label: tr.t('signin.phone'),
      hint: tr.t('signin.phone.hint'),
      required: true,
      autocomplete: 'off',
    });
  return layout(ctx, {
    title: tr.t('installation.title'),
    body: h`<h1>${tr.t('installation.title')}</h1>
<p><a class="button" href="/setup">${tr.t('setup.link')}</a></p>
<h2>${tr.t('installation.admins')}</h2>
<ul>${installation.adminIds.map((id) => h`<li>${id}</li>`)}</ul>
<h2>${tr.t('installation.officials')}</h2>
${
  installation.officials.length
    ? h`<ul>${installation.officials.map(
        (o) =>
          h`<li>${o.personId} · ${tr.t('installation.oversees', { office: o.office, communities: communities(o.communities) })}</li>`,
      )}</ul>`
    : h`<p>${tr.t('installation.none')}</p>`
}
${form(
  'appoint-official',
  tr.t('installation.appointOfficial'),
  (scope) => h`${personId(scope)}
  ${textField(scope, { name: 'office', label: tr.t('installation.office'), hint: tr.t('installation.office.hint'), required: true })}
  ${textField(scope, { name: 'communities', label: tr.t('installation.communities'), hint: tr.t('installation.communities.hint'), required: true })}
  ${phone(scope)}`,
)}
${form(
  'revoke-official',
  tr.t('installation.revokeOfficial'),
  (scope) => h`${personId(scope)}
  ${textField(scope, { name: 'reason', label: tr.t('installation.reason'), required: true })}`,
)}
${form('appoint-admin', tr.t('installation.appointAdmin'), (scope) => h`${personId(scope)}${phone(scope)}`)}
${form(
  'revoke-admin',
  tr.t('action.revoke-admin'),
  (scope) => h`${personId(scope)}
  ${textField(scope, { name: 'reason', label: tr.t('installation.reason'), required: true })}`,
)}`,
  });
}

/** The number a person appointed signs in with: checked before the command is sent. */
function phoneOf(form: FormFields): void {
  if (!normalisePhone(form.text('phone'))) {
    throw new FormInputError('phone', '请填写正确的手机号 / a valid mobile number');
  }
}

/** The installation page's forms, by the kebab name of their command (its route). */
export const installationActions: Readonly<Record<string, ActionSpec>> = {
  'appoint-official': {
    command: 'AppointOfficial',
    build: (form) => {
      phoneOf(form);
      return {
        personId: form.text('personId'),
        office: form.text('office'),
        communities: form.list('communities'),
      };
    },
  },
  'revoke-official': {
    command: 'RevokeOfficial',
    build: (form) => ({ personId: form.text('personId'), reason: form.text('reason') }),
  },
  'revoke-admin': {
    command: 'RevokeAdmin',
    build: (form) => ({ personId: form.text('personId'), reason: form.text('reason') }),
  },
  'appoint-admin': {
    command: 'AppointAdmin',
    build: (form) => {
      phoneOf(form);
      return { personId: form.text('personId') };
    },
  },
};
