import { DecisionRuleKind, isMeetingRule, ruleApplies, type VoteRuleKind } from '@yishi/domain';
import type {
  BallotPage,
  BallotView,
  CommunityView,
  DecisionView,
  FollowUpView,
  ItemView,
  ProposalView,
  SessionList,
  SessionView,
  StageView,
  TallyView,
} from '@yishi/projection/contract';
import type { Result } from '../api.ts';
import { formatArea, formatCount } from '../figures.ts';
import { type AsOfChoice, formatTime } from '../format.ts';
import { type Child, type Html, h } from '../html.ts';
import type { Translator } from '../i18n.ts';
import { may } from '../viewer.ts';
import { itemResult, overallVerdict, type ResultContext } from '../views/decision.ts';
import {
  actionForm,
  checkbox,
  choiceGroup,
  FormScope,
  selectField,
  textField,
} from '../views/forms.ts';
import { badge, communityPath, layout, outcomeBadge, queryProblem } from '../views/layout.ts';
import {
  asOfOf,
  communityApi,
  loadCommunity,
  type Page,
  type PageAnswer,
  partyNames,
  personLabel,
  personNames,
  read,
  statusOf,
} from './page.ts';

// 议题: one proposal with its procedure, items, vote (live tally or recorded decision in
// words) and the forms for what the signed-in role may do next at this stage.

function proposalApi(page: Page, rest = ''): string {
  return communityApi(page, `/proposals/${encodeURIComponent(page.param('pid'))}${rest}`);
}

function proposalPath(page: Page, rest = ''): string {
  return communityPath(
    page.communityId,
    `/proposals/${encodeURIComponent(page.param('pid'))}${rest}`,
  );
}

/** The rule of a vote in words, with its parameters. */
export function ruleWords(
  tr: Translator,
  rule: Record<string, unknown> & { kind?: string },
): string {
  const kind = rule.kind ?? '';
  const parts = [tr.has('rule', kind) ? tr.label('rule', kind) : kind];
  if (typeof rule.form === 'string') parts.push(tr.label('meetingForm', rule.form));
  if (rule.deemedConsent === true) parts.push(tr.t('action.deemedConsent'));
  if (rule.countParking === true) parts.push(tr.t('action.countParking'));
  return parts.join(' · ');
}

/**
 * What the community adopted for owners' votes, shown read-only: a vote takes these settings
 * when it opens, and no form may choose others.
 */
function adoptedSettings(tr: Translator, community: CommunityView | undefined): Html {
  const settings = community?.settings ?? {};
  const yesNo = (on: unknown) => tr.t(on === true ? 'yes' : 'no');
  return h`<p class="hint">${tr.t('action.adoptedSettings')}${tr.colon}${tr.t('action.deemedConsent')} ${yesNo(settings.deemedConsent)}${
    typeof settings.deemedConsentStatuteRef === 'string'
      ? h`（${settings.deemedConsentStatuteRef}）`
      : undefined
  } · ${tr.t('action.countParking')} ${yesNo(settings.parkingSpacesVote)}</p>`;
}

function stages(tr: Translator, proposal: ProposalView): Html {
  const list = proposal.procedure.stages;
  const current = list.findIndex((s) => s.id === proposal.stage.id);
  return h`<ol class="stages" aria-label="${tr.t('proposal.stages')}">${list.map((s, i) => {
    const state = i < current ? 'done' : i === current ? 'current' : '';
    const kind = tr.label('stageKind', s.kind);
    const progress =
      i < current
        ? `${tr.comma}${tr.t('proposal.stage.done')}`
        : i === current
          ? `${tr.comma}${tr.t('proposal.stage.current')}`
          : '';
    // Stage names are the template's own (Chinese) words; English readers also get the kind.
    const name =
      tr.lang === 'zh'
        ? h`${s.name}<span class="visually-hidden">${tr.open}${kind}${progress}${tr.close}</span>`
        : h`<span lang="zh-CN">${s.name}</span> (${kind}<span class="visually-hidden">${progress}</span>)`;
    return h`<li class="${state}"${i === current ? h` aria-current="step"` : undefined}>${name}</li>`;
  })}</ol>`;
}

function items(tr: Translator, list: readonly ItemView[]): Html {
  return h`<ol>${list.map(
    (item) => h`<li><strong>${item.title}</strong>
    <span class="muted">${item.kind === 'plans' ? tr.t('new.item.plans') : tr.t('new.item.motion')}${
      item.matter ? ` · ${tr.label('matter', item.matter)}` : ''
    }</span>
    ${item.description ? h`<p>${item.description}</p>` : undefined}
    ${
      item.options.length
        ? h`<ul>${item.options.map((o) => h`<li>${o.optionId}. ${o.title}${o.description ? h` <span class="muted">— ${o.description}</span>` : undefined}</li>`)}</ul>`
        : undefined
    }</li>`,
  )}</ol>`;
}

function deadlines(tr: Translator, p: ProposalView): Html | undefined {
  const rows: [string, string | null][] = [
    [tr.t('proposal.nextStageFrom'), p.deadlines.nextStageFrom],
    [tr.t('proposal.votingClosesAt'), p.deadlines.votingClosesAt],
    [tr.t('proposal.publicationEndsAt'), p.deadlines.publicationEndsAt],
    [tr.t('proposal.implementationDueAt'), p.deadlines.implementationDueAt],
  ];
  const shown = rows.filter(([, v]) => v);
  if (!shown.length) return undefined;
  return h`<dl class="facts">${shown.map(([k, v]) => h`<dt>${k}</dt><dd>${formatTime(v)}</dd>`)}</dl>`;
}

function turnout(tr: Translator, tally: TallyView): Html {
  const totals = tally.totals;
  return h`<p><strong>${tr.t('vote.turnout', { ballots: formatCount(tally.ballots), voters: formatCount(tally.voters) })}</strong></p>
  <p class="muted">${tr.t('vote.totals', {
    voters: formatCount(totals.voters ?? tally.voters),
    heads: formatCount(totals.heads ?? 0),
    area: tr.t('unit.m2', { value: formatArea(totals.areaCentiM2 ?? 0) }),
  })}</p>`;
}

/** The provisional tally's content (also served alone for the live refresh). */
function tallyBody(tr: Translator, tally: Result<TallyView>, rc: ResultContext): Html {
  if (!tally.ok) return queryProblem(tr, tally.problem, 'vote.live');
  return h`${turnout(tr, tally.data)}
  ${tally.data.items.map((r) => itemResult(r, rc))}`;
}

/** GET …/tally: the live tally fragment. */
export async function tallyFragment(page: Page): Promise<Html> {
  const [proposal, tally, community] = await Promise.all([
    read<ProposalView>(page, proposalApi(page)),
    read<TallyView>(page, proposalApi(page, '/tally')),
    read<CommunityView>(page, communityApi(page)),
  ]);
  const rc: ResultContext = {
    tr: page.tr,
    items: proposal.ok ? proposal.data.items : [],
    partyNames: partyNames(community.ok ? community.data : undefined),
  };
  return tallyBody(page.tr, tally, rc);
}

/**
 * The viewer's own current ballot: the one of the voter they are, and any they cast last (a
 * household's, say, whose voter is the household).
 */
async function ownBallot(page: Page): Promise<BallotView[]> {
  const me = page.viewer.personId;
  const [asVoter, castByMe] = await Promise.all(
    [{ voterId: me }, { castBy: me }].map((filter) =>
      read<BallotPage>(page, proposalApi(page, '/ballots'), filter),
    ),
  );
  const mine = new Map<string, BallotView>();
  for (const result of [asVoter, castByMe]) {
    for (const b of result?.ok ? result.data.items : []) mine.set(`${b.voterId}/${b.itemId}`, b);
  }
  return [...mine.values()];
}

function choiceText(
  tr: Translator,
  items: readonly ItemView[],
  ballots: readonly BallotView[],
): string {
  return ballots
    .map((b) => {
      const item = items.find((i) => i.itemId === b.itemId);
      const what = b.choice
        ? tr.label('choice', b.choice)
        : (b.ranking ?? [])
            .map((id) => item?.options.find((o) => o.optionId === id)?.title ?? id)
            .join(' > ');
      return `${item?.title ?? b.itemId}${tr.colon}${what}`;
    })
    .join('；');
}

/** Choice fields for every item: yes/no/abstain for motions, plans by preference. */
function ballotFields(
  scope: FormScope,
  tr: Translator,
  list: readonly ItemView[],
  planMethod: string | undefined,
  current: readonly BallotView[] = [],
): Html {
  return h`${list.map((item) => {
    const prior = current.find((b) => b.itemId === item.itemId);
    if (item.kind === 'motion') {
      return choiceGroup(
        scope,
        {
          name: `choice.${item.itemId}`,
          legend: item.title,
          required: true,
          ...(prior?.choice ? { value: prior.choice } : {}),
        },
        (['yes', 'no', 'abstain'] as const).map((c) => [c, tr.label('choice', c)] as const),
      );
    }
    const options = item.options.map((o) => [o.optionId, `${o.optionId}. ${o.title}`] as const);
    if (planMethod === 'instant-runoff') {
      return h`<fieldset><legend>${item.title}</legend>${item.options.map((_, i) =>
        selectField(
          scope,
          {
            name: `rank.${item.itemId}.${i + 1}`,
            label: tr.t('ballot.rank', { n: i + 1 }),
            value: prior?.ranking?.[i] ?? '',
          },
          [['', tr.t('ballot.rank.none')], ...options],
        ),
      )}</fieldset>`;
    }
    return choiceGroup(
      scope,
      {
        name: `rank.${item.itemId}.1`,
        legend: item.title,
        required: true,
        value: prior?.ranking?.[0] ?? '',
      },
      options,
    );
  })}`;
}

const LETTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];

function nextLetter(plans: readonly ItemView[]): string {
  return LETTERS.find((l) => !plans.some((i) => i.options.some((o) => o.optionId === l))) ?? '';
}

interface Stage {
  current: StageView | undefined;
  next: StageView | undefined;
}

function stageOf(proposal: ProposalView): Stage {
  const list = proposal.procedure.stages;
  const index = list.findIndex((s) => s.id === proposal.stage.id);
  return { current: list[index], next: list[index + 1] };
}

interface NextStepsInput {
  page: Page;
  proposal: ProposalView;
  community: CommunityView | undefined;
  ballots: BallotView[];
  objections: { objectionId: string; text: string; answer: string | null }[];
  resolution: { sessionId: string; itemId: string } | undefined;
}

/** The forms for what this role may do now: the service decides, the console only offers. */
function nextSteps(input: NextStepsInput): Html[] {
  const { page, proposal, community } = input;
  const { tr, viewer, ctx } = page;
  const forms: Html[] = [];
  const base = proposalPath(page);
  const { current, next } = stageOf(proposal);
  const vote = proposal.vote;
  const voteOpen = vote !== null && vote.closedAt === null;
  const active = proposal.status === 'active';
  const parties = (community?.parties ?? [])
    .filter((p) => p.active)
    .map((p) => [p.partyId, p.name] as const);
  if (!active) return forms;

  if (voteOpen && may(viewer, 'CastBallot') && viewer.role !== 'proxy') {
    const changing = input.ballots.length > 0;
    const scope = new FormScope(ctx, 'ballot');
    const canChange = vote.allowBallotChange;
    if (!changing || canChange) {
      forms.push(
        actionForm(ctx, {
          id: 'ballot',
          action: `${base}/${changing ? 'change-ballot' : 'cast-ballot'}`,
          title: tr.t(changing ? 'ballot.change' : 'ballot.title'),
          submit: tr.t(changing ? 'ballot.change' : 'ballot.cast'),
          intro: h`${
            changing
              ? h`<p><strong>${tr.t('ballot.current', { choices: choiceText(tr, proposal.items, input.ballots), at: formatTime(input.ballots[0]?.castAt) })}</strong></p>`
              : h`<p class="muted">${tr.t('ballot.notEligible')}</p>`
          }<p class="muted">${tr.t(vote.allowBallotChange ? 'vote.allowChange' : 'vote.noChange')}</p>`,
          fields: ballotFields(
            scope,
            tr,
            proposal.items,
            vote.planMethod ?? undefined,
            input.ballots,
          ),
        }),
      );
    } else {
      forms.push(
        h`<div class="panel" id="ballot"><h3>${tr.t('ballot.title')}</h3><p><strong>${tr.t(
          'ballot.current',
          {
            choices: choiceText(tr, proposal.items, input.ballots),
            at: formatTime(input.ballots[0]?.castAt),
          },
        )}</strong></p><p class="muted">${tr.t('vote.noChange')}</p></div>`,
      );
    }
  }
  if (voteOpen && may(viewer, 'CastProxyBallot')) {
    const scope = new FormScope(ctx, 'proxy-ballot');
    forms.push(
      actionForm(ctx, {
        id: 'proxy-ballot',
        action: `${base}/cast-proxy-ballot`,
        title: tr.t('ballot.proxy.title'),
        submit: tr.t('action.cast-proxy-ballot'),
        fields: h`${textField(scope, { name: 'voterId', label: tr.t('ballot.voter'), required: true })}
        ${ballotFields(scope, tr, proposal.items, vote.planMethod ?? undefined)}`,
      }),
    );
  }
  if (voteOpen && may(viewer, 'EnterPaperBallot')) {
    const scope = new FormScope(ctx, 'paper-ballot');
    forms.push(
      actionForm(ctx, {
        id: 'paper-ballot',
        action: `${base}/enter-paper-ballot`,
        title: tr.t('ballot.paper.title'),
        submit: tr.t('action.enter-paper-ballot'),
        fields: h`<div class="row">${textField(scope, { name: 'voterId', label: tr.t('ballot.voter'), required: true })}
        ${textField(scope, { name: 'documentRef', label: tr.t('ballot.documentRef'), required: true })}
        ${textField(scope, { name: 'signedBy', label: tr.t('ballot.signedBy') })}</div>
        ${ballotFields(scope, tr, proposal.items, vote.planMethod ?? undefined)}`,
      }),
    );
  }
  if (voteOpen && vote && isMeetingRule(vote.rule) && may(viewer, 'RecordPresence')) {
    const scope = new FormScope(ctx, 'presence');
    forms.push(
      actionForm(ctx, {
        id: 'presence',
        action: `${base}/record-presence`,
        title: tr.t('presence.title'),
        submit: tr.t('action.record-presence'),
        fields: textField(scope, {
          name: 'voterIds',
          label: tr.t('presence.voterIds'),
          required: true,
          multiline: true,
        }),
      }),
    );
  }
  if (voteOpen && may(viewer, 'CloseVoting')) {
    const scope = new FormScope(ctx, 'close-voting');
    const meeting = vote !== undefined && isMeetingRule(vote.rule);
    forms.push(
      actionForm(ctx, {
        id: 'close-voting',
        action: `${base}/close-voting`,
        title: tr.t('action.close-voting'),
        intro: h`<p class="muted">${tr.t('vote.closesAt')}${tr.colon}${formatTime(vote?.closesAt)}</p>`,
        // A meeting vote may close when the meeting ends, with presence and ballots as recorded.
        fields: meeting
          ? checkbox(scope, { name: 'meetingEnded', label: tr.t('action.meetingEnded') })
          : undefined,
        submit: tr.t('action.close-voting'),
      }),
    );
  }
  const amendable = !vote && !proposal.decidedAt;
  const plans = proposal.items.filter((i) => i.kind === 'plans');
  if (amendable && plans.length && may(viewer, 'AddOption')) {
    const scope = new FormScope(ctx, 'add-option');
    forms.push(
      actionForm(ctx, {
        id: 'add-option',
        action: `${base}/add-option`,
        title: tr.t('option.add'),
        submit: tr.t('action.add-option'),
        secondary: true,
        // The next free letter, so plans read A, B, C… whichever item they join.
        intro: h`<input type="hidden" name="optionId" value="${nextLetter(plans)}">`,
        fields: h`${selectField(
          scope,
          { name: 'itemId', label: tr.t('option.item'), required: true },
          plans.map((i) => [i.itemId, i.title] as const),
        )}
        ${textField(scope, { name: 'title', label: tr.t('option.title'), required: true })}
        ${textField(scope, { name: 'description', label: tr.t('option.description'), multiline: true })}`,
      }),
    );
  }
  if (next?.kind === 'agenda' && may(viewer, 'AcceptOntoAgenda')) {
    const scope = new FormScope(ctx, 'accept-onto-agenda');
    forms.push(
      actionForm(ctx, {
        id: 'accept-onto-agenda',
        action: `${base}/accept-onto-agenda`,
        title: tr.t('action.accept-onto-agenda'),
        submit: tr.t('action.accept-onto-agenda'),
        fields: h`${parties.length ? choiceGroup(scope, { name: 'concernedPartyIds', legend: tr.t('action.concernedPartyIds'), multiple: true }, parties) : undefined}
        ${textField(scope, { name: 'sessionId', label: tr.t('action.sessionId') })}
        ${textField(scope, { name: 'note', label: tr.t('action.note'), multiline: true })}`,
      }),
    );
  }
  if (next?.kind === 'notice' && may(viewer, 'GiveNotice')) {
    const scope = new FormScope(ctx, 'give-notice');
    forms.push(
      actionForm(ctx, {
        id: 'give-notice',
        action: `${base}/give-notice`,
        title: `${tr.t('action.give-notice')}${tr.open}${next.name}${tr.close}`,
        submit: tr.t('action.give-notice'),
        fields: h`${textField(scope, { name: 'text', label: tr.t('action.give-notice.text'), required: true, multiline: true })}
        ${textField(scope, { name: 'documentRef', label: tr.t('action.documentRef') })}`,
      }),
    );
  }
  if (
    (next?.kind === 'deliberation' || current?.kind === 'deliberation') &&
    may(viewer, 'RecordDeliberation')
  ) {
    const scope = new FormScope(ctx, 'record-deliberation');
    forms.push(
      actionForm(ctx, {
        id: 'record-deliberation',
        action: `${base}/record-deliberation`,
        title: tr.t('action.record-deliberation'),
        submit: tr.t('action.record-deliberation'),
        fields: h`${textField(scope, { name: 'summary', label: tr.t('action.summary'), required: true, multiline: true })}
        ${textField(scope, { name: 'sessionId', label: tr.t('action.sessionId') })}
        ${textField(scope, { name: 'documentRef', label: tr.t('action.documentRef') })}`,
      }),
    );
  }
  const rules = (next?.kind === 'decision' ? (next.rules ?? []) : []).filter(
    (r) => typeof r === 'string',
  );
  // Only the rules whose law governs this kind of community (城市社区 or 村) are offered.
  const kind = community?.kind === 'rural' ? 'rural' : community?.kind === 'urban' ? 'urban' : null;
  const voteRules = rules.filter(
    (r) =>
      r !== 'joint-session' &&
      (kind === null ||
        !DecisionRuleKind.safeParse(r).success ||
        ruleApplies(r as VoteRuleKind, kind)),
  );
  if (voteRules.length && may(viewer, 'OpenVoting')) {
    const scope = new FormScope(ctx, 'open-voting');
    forms.push(
      actionForm(ctx, {
        id: 'open-voting',
        action: `${base}/open-voting`,
        title: `${tr.t('action.open-voting')}${tr.open}${next?.name ?? ''}${tr.close}`,
        submit: tr.t('action.open-voting'),
        fields: h`${selectField(
          scope,
          { name: 'rule', label: tr.t('action.rule'), required: true },
          voteRules.map((r) => [r, tr.has('rule', r) ? tr.label('rule', r) : r] as const),
        )}
        ${textField(scope, { name: 'closesAt', label: tr.t('action.closesAt'), type: 'datetime-local', required: true })}
        ${checkbox(scope, { name: 'allowBallotChange', label: tr.t('action.allowBallotChange') })}
        ${voteRules.includes('owners-278') ? adoptedSettings(tr, community) : undefined}
        ${
          voteRules.includes('residents-meeting')
            ? selectField(
                scope,
                { name: 'form', label: tr.t('action.form') },
                (['all-adults', 'household-representatives', 'group-representatives'] as const).map(
                  (f) => [f, tr.label('meetingForm', f)] as const,
                ),
              )
            : undefined
        }
        ${voteRules.includes('villager-group-meeting') ? textField(scope, { name: 'groupId', label: tr.t('action.groupId') }) : undefined}
        ${voteRules.includes('party-members-meeting') ? textField(scope, { name: 'partyId', label: tr.t('action.partyId') }) : undefined}
        ${
          voteRules.includes('art279-consent')
            ? h`${textField(scope, { name: 'unitId', label: tr.t('action.unitId') })}${textField(scope, { name: 'applicants', label: tr.t('action.applicants') })}`
            : undefined
        }
        ${
          plans.length
            ? selectField(
                scope,
                { name: 'planMethod', label: tr.t('action.planMethod') },
                (['plurality', 'majority-runoff', 'instant-runoff'] as const).map(
                  (m) => [m, tr.label('planMethod', m)] as const,
                ),
              )
            : undefined
        }`,
      }),
    );
  }
  if (rules.includes('joint-session') && may(viewer, 'RecordSessionResolution')) {
    const scope = new FormScope(ctx, 'record-session-resolution');
    forms.push(
      actionForm(ctx, {
        id: 'record-session-resolution',
        action: `${base}/record-session-resolution`,
        title: tr.t('action.record-session-resolution'),
        submit: tr.t('action.record-session-resolution'),
        fields: h`<div class="row">${textField(scope, { name: 'sessionId', label: tr.t('action.sessionId'), required: true, value: input.resolution?.sessionId ?? proposal.agendaSessionId ?? '' })}
        ${textField(scope, { name: 'sessionItemId', label: tr.t('action.sessionItemId'), required: true, value: input.resolution?.itemId ?? '' })}</div>`,
      }),
    );
  }
  const decidedHere = current?.kind === 'decision' && proposal.outcome !== null;
  if (
    decidedHere &&
    proposal.outcome === 'rejected' &&
    current?.ifRejected === 'return' &&
    may(viewer, 'ReturnToStage')
  ) {
    const scope = new FormScope(ctx, 'return-to-stage');
    forms.push(
      actionForm(ctx, {
        id: 'return-to-stage',
        action: `${base}/return-to-stage`,
        title: tr.t('action.return-to-stage'),
        submit: tr.t('action.return-to-stage'),
        fields: textField(scope, {
          name: 'reason',
          label: tr.t('action.reason'),
          required: true,
          multiline: true,
        }),
      }),
    );
  }
  if (next?.kind === 'publication' && may(viewer, 'Publish')) {
    const scope = new FormScope(ctx, 'publish');
    forms.push(
      actionForm(ctx, {
        id: 'publish',
        action: `${base}/publish`,
        title: `${tr.t('action.publish')}${tr.open}${next.name}${tr.close}`,
        submit: tr.t('action.publish'),
        fields: h`${textField(scope, { name: 'text', label: tr.t('action.publish.text'), required: true, multiline: true })}
        ${textField(scope, { name: 'documentRef', label: tr.t('action.documentRef') })}
        ${textField(scope, { name: 'implementationDueAt', label: tr.t('action.implementationDueAt'), type: 'datetime-local' })}`,
      }),
    );
  }
  const publicationOpen =
    current?.kind === 'publication' &&
    proposal.deadlines.publicationEndsAt !== null &&
    Date.parse(proposal.deadlines.publicationEndsAt) > Date.now();
  if (publicationOpen && may(viewer, 'RaiseObjection')) {
    const scope = new FormScope(ctx, 'raise-objection');
    forms.push(
      actionForm(ctx, {
        id: 'raise-objection',
        action: `${base}/raise-objection`,
        title: tr.t('action.raise-objection'),
        submit: tr.t('action.raise-objection'),
        secondary: true,
        fields: textField(scope, {
          name: 'text',
          label: tr.t('action.objection.text'),
          required: true,
          multiline: true,
        }),
      }),
    );
  }
  if (may(viewer, 'AnswerObjection')) {
    for (const objection of input.objections.filter((o) => o.answer === null)) {
      const id = `answer-${objection.objectionId}`;
      const scope = new FormScope(ctx, id);
      forms.push(
        actionForm(ctx, {
          id,
          action: `${base}/answer-objection`,
          title: tr.t('action.answer-objection'),
          intro: h`<blockquote>${objection.text}</blockquote><input type="hidden" name="objectionId" value="${objection.objectionId}">`,
          submit: tr.t('action.answer-objection'),
          fields: textField(scope, {
            name: 'answer',
            label: tr.t('action.answer'),
            required: true,
            multiline: true,
          }),
        }),
      );
    }
  }
  if (
    (next?.kind === 'implementation' || current?.kind === 'implementation') &&
    may(viewer, 'ReportImplementation')
  ) {
    const scope = new FormScope(ctx, 'report-implementation');
    forms.push(
      actionForm(ctx, {
        id: 'report-implementation',
        action: `${base}/report-implementation`,
        title: tr.t('action.report-implementation'),
        submit: tr.t('action.report-implementation'),
        fields: h`${textField(scope, { name: 'progressPercent', label: tr.t('action.progressPercent'), type: 'number', min: 0, max: 100, required: true, inputmode: 'numeric' })}
        ${textField(scope, { name: 'text', label: tr.t('action.report.text'), required: true, multiline: true })}`,
      }),
    );
  }
  if (
    (next?.kind === 'feedback' || current?.kind === 'feedback') &&
    may(viewer, 'ReportFeedback')
  ) {
    const scope = new FormScope(ctx, 'report-feedback');
    forms.push(
      actionForm(ctx, {
        id: 'report-feedback',
        action: `${base}/report-feedback`,
        title: tr.t('action.report-feedback'),
        submit: tr.t('action.report-feedback'),
        fields: textField(scope, {
          name: 'text',
          label: tr.t('action.feedback.text'),
          required: true,
          multiline: true,
        }),
      }),
    );
  }
  if (current?.kind === 'feedback' && may(viewer, 'RateSatisfaction')) {
    const scope = new FormScope(ctx, 'rate-satisfaction');
    forms.push(
      actionForm(ctx, {
        id: 'rate-satisfaction',
        action: `${base}/rate-satisfaction`,
        title: tr.t('action.rate-satisfaction'),
        submit: tr.t('action.rate-satisfaction'),
        fields: h`${choiceGroup(
          scope,
          { name: 'rating', legend: tr.t('action.rating'), required: true },
          ['1', '2', '3', '4', '5'].map((n) => [n, n] as const),
        )}
        ${textField(scope, { name: 'comment', label: tr.t('action.comment'), multiline: true })}`,
      }),
    );
  }
  const submitter = proposal.submittedBy.personId === viewer.personId || viewer.role === 'convener';
  if (!proposal.decidedAt && !voteOpen && submitter && may(viewer, 'WithdrawProposal')) {
    const scope = new FormScope(ctx, 'withdraw-proposal');
    forms.push(
      h`<details><summary>${tr.t('action.withdraw-proposal')}</summary>${actionForm(ctx, {
        id: 'withdraw-proposal',
        action: `${base}/withdraw-proposal`,
        submit: tr.t('action.withdraw-proposal'),
        secondary: true,
        fields: textField(scope, {
          name: 'reason',
          label: tr.t('action.reason'),
          required: true,
          multiline: true,
        }),
      })}</details>`,
    );
  }
  return forms;
}

/**
 * The session and agenda item that decide this proposal, for recording its resolution: the
 * session named when it was accepted onto the agenda, else the latest sessions' agendas.
 */
async function resolutionOf(page: Page, proposal: ProposalView) {
  let candidates: string[];
  if (proposal.agendaSessionId) {
    candidates = [proposal.agendaSessionId];
  } else {
    const list = await read<SessionList>(page, communityApi(page, '/sessions'), { limit: 20 });
    candidates = list.ok ? list.data.items.map((s) => s.sessionId) : [];
  }
  const sessions = await Promise.all(
    candidates.map((sid) =>
      read<SessionView>(page, communityApi(page, `/sessions/${encodeURIComponent(sid)}`)),
    ),
  );
  for (const session of sessions) {
    if (!session.ok) continue;
    const item =
      session.data.agenda.find(
        (a) => a.proposalId === proposal.proposalId && a.resolution !== null,
      ) ?? session.data.agenda.find((a) => a.proposalId === proposal.proposalId);
    if (item) return { sessionId: session.data.sessionId, itemId: item.itemId };
  }
  return undefined;
}

function followUpSection(
  tr: Translator,
  followUp: FollowUpView,
  names: ReadonlyMap<string, string>,
): Html | undefined {
  if (!followUp.objections.length && !followUp.reports.length) return undefined;
  return h`<section aria-labelledby="follow-up"><h2 id="follow-up">${tr.label('stageKind', 'implementation')} · ${tr.label('stageKind', 'feedback')}</h2>
  ${followUp.objections.map(
    (
      o,
    ) => h`<div class="panel"><p><strong>${tr.label('eventType', 'ObjectionRaised')}</strong> · ${personLabel(tr, names, o.raisedBy)} · ${formatTime(o.raisedAt)}</p><p>${o.text}</p>
    ${o.answer ? h`<p><strong>${tr.label('eventType', 'ObjectionAnswered')}</strong> · ${formatTime(o.answeredAt)}</p><p>${o.answer}</p>` : undefined}</div>`,
  )}
  ${followUp.reports.map(
    (r) =>
      h`<div class="panel"><p><strong>${r.kind === 'implementation' ? tr.label('eventType', 'ImplementationReported') : tr.label('eventType', 'FeedbackReported')}</strong>${
        r.progressPercent !== null ? ` · ${r.progressPercent}%` : ''
      } · ${personLabel(tr, names, r.by)} · ${formatTime(r.at)}</p><p>${r.text}</p></div>`,
  )}
</section>`;
}

export async function proposalPage(page: Page): Promise<PageAnswer> {
  const { tr, viewer } = page;
  const choice = asOfOf(page);
  const asOf = choice?.param;
  const [community, proposalResult] = await Promise.all([
    loadCommunity(page),
    read<ProposalView>(page, proposalApi(page), { asOf }),
  ]);
  const crumbs = [
    { href: communityPath(page.communityId), label: page.ctx.community?.name ?? page.communityId },
  ];
  if (!proposalResult.ok) {
    return {
      status: statusOf(proposalResult.problem),
      html: layout(page.ctx, {
        title: page.param('pid'),
        crumbs: [...crumbs, { label: page.param('pid') }],
        body: h`<h1>${page.param('pid')}</h1>${queryProblem(tr, proposalResult.problem)}`,
      }),
    };
  }
  const proposal = proposalResult.data;
  const communityView = community.ok ? community.data : undefined;
  const rc: ResultContext = { tr, items: proposal.items, partyNames: partyNames(communityView) };
  const vote = proposal.vote;
  const voteOpen = vote !== null && vote.closedAt === null;
  const voter =
    voteOpen &&
    !asOf &&
    (may(viewer, 'CastBallot') ||
      may(viewer, 'CastProxyBallot') ||
      may(viewer, 'EnterPaperBallot'));
  const { next } = stageOf(proposal);
  const [tally, decision, ballots, followUp, resolution] = await Promise.all([
    voteOpen ? read<TallyView>(page, proposalApi(page, '/tally'), { asOf }) : undefined,
    proposal.decidedAt
      ? read<DecisionView>(page, proposalApi(page, '/decision'), { asOf })
      : undefined,
    voter && may(viewer, 'CastBallot') ? ownBallot(page) : [],
    read<FollowUpView>(page, proposalApi(page, '/follow-up'), { asOf }),
    next?.kind === 'decision' && next.rules.includes('joint-session') && !asOf
      ? resolutionOf(page, proposal)
      : undefined,
  ]);
  const names = await personNames(page, [
    proposal.submittedBy.personId,
    ...(followUp.ok ? followUp.data.objections.map((o) => o.raisedBy) : []),
    ...(followUp.ok ? followUp.data.reports.map((r) => r.by) : []),
  ]);

  let voteSection: Child;
  if (proposal.outcome && decision) {
    voteSection = h`<section aria-labelledby="decision" id="vote">
  <h2 id="decision">${tr.t('vote.final')}</h2>
  ${overallVerdict(tr, proposal.outcome)}
  <p class="muted">${tr.t('vote.decidedAt', { at: formatTime(proposal.decidedAt) })}${
    decision.ok && decision.data.rule ? ` · ${ruleWords(tr, decision.data.rule)}` : ''
  }</p>
  ${
    decision.ok
      ? decision.data.items.map((r) => itemResult(r, rc))
      : queryProblem(tr, decision.problem)
  }
</section>`;
  } else if (vote) {
    voteSection = h`<section aria-labelledby="live" id="vote">
  <h2 id="live">${voteOpen ? tr.t('vote.live') : tr.t('vote.title')}</h2>
  <p>${tr.t('vote.rule')}${tr.colon}${ruleWords(tr, vote.rule)}</p>
  <p>${voteOpen ? h`${tr.t('vote.closesAt')}${tr.colon}${formatTime(vote.closesAt)}` : tr.t('vote.closedAt', { at: formatTime(vote.closedAt) })}</p>
  ${voteOpen ? h`<p class="muted">${tr.t('vote.live.note')}</p>` : undefined}
  <div${voteOpen && !asOf ? h` data-refresh="${proposalPath(page, '/tally')}" data-interval="4000" aria-live="polite"` : undefined}>
  ${tally ? tallyBody(tr, tally, rc) : undefined}
  </div>
</section>`;
  }

  const forms = asOf
    ? []
    : nextSteps({
        page,
        proposal,
        community: communityView,
        ballots,
        objections: followUp.ok ? followUp.data.objections : [],
        resolution,
      });

  const body = h`<h1>${proposal.title}</h1>
<p>${badge('info', tr.label('stageKind', proposal.stage.kind))} ${outcomeBadge(tr, proposal.outcome)}
${proposal.status === 'withdrawn' ? badge('bad', tr.label('eventType', 'ProposalWithdrawn')) : undefined}</p>
${
  proposal.asOf
    ? h`<div class="banner warn" role="status"><p>${tr.t('asof.showing', { at: choice?.label ?? '', position: proposal.asOf.position })}</p><p><a href="${proposalPath(page)}">${tr.t('asof.clear')}</a></p></div>`
    : undefined
}
<p class="muted">${tr.t('proposal.submitted', { who: personLabel(tr, names, proposal.submittedBy.personId), at: formatTime(proposal.submittedAt) })} · ${tr.t('proposal.procedure')}${tr.colon}${
    tr.has('procedure', proposal.procedure.template)
      ? tr.label('procedure', proposal.procedure.template)
      : proposal.procedure.name
  }</p>
<p class="pre">${proposal.description}</p>
${proposal.withdrawnReason ? h`<p>${tr.t('proposal.withdrawn', { reason: proposal.withdrawnReason })}</p>` : undefined}
<h2>${tr.t('proposal.stages')}</h2>
${stages(tr, proposal)}
<h2>${tr.t('proposal.items')}</h2>
${items(tr, proposal.items)}
${deadlines(tr, proposal)}
${
  proposal.concernedPartyIds.length
    ? h`<p>${tr.t('proposal.concerned')}${tr.colon}${proposal.concernedPartyIds.map((id) => rc.partyNames.get(id) ?? id).join(tr.sep)}</p>`
    : undefined
}
${
  proposal.agendaSessionId
    ? h`<p>${tr.t('proposal.agendaSession')}${tr.colon}<a href="${communityPath(page.communityId, `/sessions/${encodeURIComponent(proposal.agendaSessionId)}`)}">${proposal.agendaSessionId}</a></p>`
    : undefined
}
${voteSection}
${
  asOf
    ? undefined
    : h`<section aria-labelledby="next-steps"><h2 id="next-steps">${tr.t('proposal.nextSteps')}</h2>
${forms.length ? forms : h`<p>${tr.t('proposal.nothingToDo')}</p>`}</section>`
}
${followUp.ok ? followUpSection(tr, followUp.data, names) : undefined}
${
  proposal.progressPercent !== null
    ? h`<p>${tr.t('proposal.progress', { percent: proposal.progressPercent })}</p>`
    : undefined
}
${
  proposal.objections.raised
    ? h`<p>${tr.t('proposal.objections', { raised: proposal.objections.raised, answered: proposal.objections.answered })}</p>`
    : undefined
}
${
  proposal.satisfaction.count
    ? h`<p>${tr.t('proposal.satisfaction', { count: proposal.satisfaction.count, average: (proposal.satisfaction.average ?? 0).toFixed(1) })}</p>`
    : undefined
}
<section aria-labelledby="record"><h2 id="record">${tr.t('proposal.record')}</h2>
<div class="actions">
  <a class="button secondary" href="${proposalPath(page, '/timeline')}">${tr.t('proposal.history')}</a>
  <a class="button secondary" href="/api/projection${proposalApi(page, '/dossier')}" download>${tr.t('proposal.dossier')}</a>
</div>
${asOfForm(page, proposalPath(page), choice)}
</section>`;

  return {
    html: layout(page.ctx, {
      title: proposal.title,
      crumbs: [...crumbs, { label: proposal.title }],
      body,
    }),
  };
}

/** A date (and optional time) picker: the record as it stood then, China time. */
export function asOfForm(page: Page, action: string, choice: AsOfChoice | undefined): Html {
  const { tr } = page;
  const id = 'as-of';
  return h`<form method="get" action="${action}" class="action" aria-labelledby="${id}-title">
  <h3 id="${id}-title">${tr.t('asof.title')}</h3>
  <div class="row">
    <div class="field"><label for="${id}-date">${tr.t('asof.date')}</label>
    <input type="date" id="${id}-date" name="asOf" value="${choice?.date ?? ''}" required></div>
    <div class="field"><label for="${id}-time">${tr.t('asof.time')}</label>
    <span class="hint" id="${id}-time-hint">${tr.t('asof.time.hint')}</span>
    <input type="time" id="${id}-time" name="asOfTime" value="${choice?.time ?? ''}" aria-describedby="${id}-time-hint"></div>
  </div>
  <div class="actions"><button type="submit" class="secondary">${tr.t('asof.apply')}</button></div>
</form>`;
}
