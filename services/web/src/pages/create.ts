import { builtInProcedures, OwnersMatter } from '@yishi/domain';
import type { CommunityView, ProposalList } from '@yishi/projection/contract';
import { AGENDA_SLOTS, ITEM_SLOTS } from '../actions/create.ts';
import { type Html, h } from '../html.ts';
import { actionForm, choiceGroup, FormScope, selectField, textField } from '../views/forms.ts';
import { communityPath, layout } from '../views/layout.ts';
import {
  communityApi,
  communityCrumb,
  loadCommunity,
  type Page,
  type PageAnswer,
  read,
} from './page.ts';

const ID_PATTERN = '[A-Za-z0-9_\\-]{1,64}';

/** 发起议题: a proposal from a procedure template, with up to three items and their plans. */
export async function newProposalPage(page: Page): Promise<PageAnswer> {
  const { tr } = page;
  const community = await loadCommunity(page);
  const templates: [string, string][] = Object.values(builtInProcedures).map((p) => [
    p.templateId,
    tr.has('procedure', p.templateId) ? tr.label('procedure', p.templateId) : p.name,
  ]);
  if (community.ok) {
    for (const p of community.data.procedures) {
      if (!templates.some(([id]) => id === p.templateId)) {
        templates.push([p.templateId, `${p.name} (v${p.version})`]);
      }
    }
  }
  const scope = new FormScope(page.ctx, 'new-proposal');
  const matters: [string, string][] = [
    ['', tr.t('new.item.matter.none')],
    ...OwnersMatter.options.map((m): [string, string] => [m, tr.label('matter', m)]),
  ];
  const items: Html[] = [];
  for (let n = 1; n <= ITEM_SLOTS; n++) {
    items.push(h`<fieldset>
  <legend>${tr.t('new.item', { n })}</legend>
  ${textField(scope, { name: `item${n}.title`, label: tr.t('new.item.title'), ...(n === 1 ? { hint: tr.t('new.item.hint') } : {}) })}
  ${choiceGroup(scope, { name: `item${n}.kind`, legend: tr.t('new.item.kind'), value: 'motion' }, [
    ['motion', tr.t('new.item.motion')],
    ['plans', tr.t('new.item.plans')],
  ])}
  ${selectField(scope, { name: `item${n}.matter`, label: tr.t('new.item.matter') }, matters)}
  ${textField(scope, { name: `item${n}.options`, label: tr.t('new.item.options'), multiline: true })}
</fieldset>`);
  }
  const form = actionForm(page.ctx, {
    id: 'new-proposal',
    action: communityPath(page.communityId, '/proposals'),
    submit: tr.t('new.submit'),
    fields: h`
${selectField(scope, { name: 'procedure', label: tr.t('new.template'), required: true }, templates)}
${textField(scope, { name: 'title', label: tr.t('new.titleField'), required: true })}
${textField(scope, { name: 'description', label: tr.t('new.description'), required: true, multiline: true })}
${textField(scope, { name: 'proposalId', label: tr.t('new.proposalId'), hint: `${tr.t('form.optional')} ${tr.t('form.ids.hint')}`, pattern: ID_PATTERN })}
${items}`,
  });
  return {
    html: layout(page.ctx, {
      title: tr.t('new.title'),
      crumbs: [communityCrumb(page), { label: tr.t('new.title') }],
      body: h`<h1>${tr.t('new.title')}</h1>${form}`,
    }),
  };
}

function partyOptions(community: CommunityView | undefined): [string, string][] {
  return (community?.parties ?? []).filter((p) => p.active).map((p) => [p.partyId, p.name]);
}

/** 召集会议: a joint session or a residents' council meeting with its agenda. */
export async function convenePage(page: Page): Promise<PageAnswer> {
  const { tr } = page;
  const [community, proposals] = await Promise.all([
    loadCommunity(page),
    read<ProposalList>(page, communityApi(page, '/proposals'), {
      status: 'active',
      limit: 200,
    }),
  ]);
  const scope = new FormScope(page.ctx, 'convene');
  const parties = partyOptions(community.ok ? community.data : undefined);
  const proposalOptions: [string, string][] = [
    ['', tr.t('convene.agenda.noProposal')],
    ...(proposals.ok ? proposals.data.items : []).map((p): [string, string] => [
      p.proposalId,
      `${p.title} (${p.proposalId})`,
    ]),
  ];
  const agenda: Html[] = [];
  for (let n = 1; n <= AGENDA_SLOTS; n++) {
    agenda.push(h`<fieldset>
  <legend>${tr.t('convene.agenda', { n })}</legend>
  ${textField(scope, { name: `agenda${n}.title`, label: tr.t('convene.agenda.title'), required: n === 1 })}
  ${selectField(scope, { name: `agenda${n}.proposalId`, label: tr.t('convene.agenda.proposal') }, proposalOptions)}
  ${parties.length ? choiceGroup(scope, { name: `agenda${n}.concerned`, legend: tr.t('convene.agenda.concerned'), multiple: true }, parties) : undefined}
</fieldset>`);
  }
  const form = actionForm(page.ctx, {
    id: 'convene',
    action: communityPath(page.communityId, '/sessions'),
    submit: tr.t('action.convene-session'),
    intro: h`<p class="muted">${tr.t('convene.parties.note')}</p>`,
    fields: h`
${choiceGroup(
  scope,
  { name: 'kind', legend: tr.t('convene.kind'), value: 'joint-session', required: true },
  [
    ['joint-session', tr.label('sessionKind', 'joint-session')],
    ['residents-council', tr.label('sessionKind', 'residents-council')],
  ],
)}
${textField(scope, { name: 'title', label: tr.t('convene.titleField'), required: true })}
${textField(scope, { name: 'scheduledAt', label: tr.t('convene.scheduledAt'), type: 'datetime-local', required: true })}
${selectField(scope, { name: 'resolutionRule', label: tr.t('convene.rule') }, [
  ['consensus', tr.t('convene.rule.consensus')],
  ['consensus-attending', tr.t('convene.rule.consensusAll')],
  ['two-thirds', tr.t('convene.rule.twoThirds')],
  ['majority', tr.t('convene.rule.majority')],
])}
${textField(scope, { name: 'memberIds', label: tr.t('convene.members') })}
${textField(scope, { name: 'sessionId', label: tr.t('convene.sessionId'), hint: `${tr.t('form.optional')} ${tr.t('form.ids.hint')}`, pattern: ID_PATTERN })}
${agenda}`,
  });
  return {
    html: layout(page.ctx, {
      title: tr.t('convene.title'),
      crumbs: [communityCrumb(page), { label: tr.t('convene.title') }],
      body: h`<h1>${tr.t('convene.title')}</h1>${form}`,
    }),
  };
}
