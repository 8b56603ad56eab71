import { DecisionRuleKind, isMeetingRule, ruleApplies, type VoteRuleKind } from '@yishi/domain';
import type {
  BallotView,
  CommunityView,
  FollowUpView,
  ItemView,
  ProposalView,
  StageView,
  VoteView,
} from '@yishi/projection/contract';
import { documentField } from '../attachments.ts';
import { formatTime } from '../format.ts';
import { type Html, h } from '../html.ts';
import { checkbox, choiceGroup, type FormScope, selectField, textField } from '../views/forms.ts';
import { type Action, hidden, type OnPage } from './action.ts';
import { choicesOf, defined, newId, ruleOf } from './form-fields.ts';
import { ballotFields, ballotInWords, openVotingFields } from './vote-fields.ts';

// 议题的下一步: what may be done with a proposal at its stage, one action per form, in the order
// the page shows them. The service decides; the console only offers.

type Objection = FollowUpView['objections'][number];

/** What the proposal page knows when it offers its actions. */
export interface ProposalContext extends OnPage {
  proposal: ProposalView;
  community: CommunityView | undefined;
  /** The stage the proposal is at, and the one after it. */
  current: StageView | undefined;
  next: StageView | undefined;
  /** The vote, while it is open. */
  openVote: VoteView | undefined;
  /** The viewer's own current ballot (when they may cast one). */
  ballots: readonly BallotView[];
  /** Objections not answered yet. */
  openObjections: readonly Objection[];
  /** The joint session's item that decides the proposal, when it has one. */
  resolution: { sessionId: string; itemId: string } | undefined;
  /** The objection a form answers (one form each). */
  objection?: Objection;
  /** Voters whose current ballot was entered from paper (the clerk may correct those). */
  paperVoters?: readonly string[];
}

/** The stage a proposal is at and the next one, from its procedure. */
export function stageOf(proposal: ProposalView): Pick<ProposalContext, 'current' | 'next'> {
  const list = proposal.procedure.stages;
  const index = list.findIndex((s) => s.id === proposal.stage.id);
  return { current: list[index], next: list[index + 1] };
}

/** The context of the proposal page's actions, from what the page read. */
export function proposalContext(
  on: OnPage,
  proposal: ProposalView,
  known: Pick<ProposalContext, 'community' | 'ballots' | 'resolution' | 'paperVoters'> & {
    objections: readonly Objection[];
  },
): ProposalContext {
  const vote = proposal.vote;
  return {
    ...on,
    ...stageOf(proposal),
    proposal,
    community: known.community,
    openVote: vote !== null && vote.closedAt === null ? vote : undefined,
    ballots: known.ballots,
    openObjections: known.objections.filter((o) => o.answer === null),
    resolution: known.resolution,
    paperVoters: known.paperVoters,
  };
}

const plansOf = (c: ProposalContext) => c.proposal.items.filter((i) => i.kind === 'plans');
const stageIs = (stage: StageView | undefined, kind: StageView['kind']) => stage?.kind === kind;
const atOrBefore = (c: ProposalContext, kind: StageView['kind']) =>
  stageIs(c.next, kind) || stageIs(c.current, kind);
const named = (
  c: ProposalContext,
  key: 'action.give-notice' | 'action.open-voting' | 'action.publish',
) => `${c.page.tr.t(key)}${c.page.tr.open}${c.next?.name ?? ''}${c.page.tr.close}`;
const voting = (c: ProposalContext) => c.openVote !== undefined;
const voterOwn = (c: ProposalContext) => voting(c) && c.page.viewer.role !== 'proxy';
/** The submitter or the convener: who amends or withdraws a proposal. */
const submitterOrConvener = (c: ProposalContext) =>
  c.proposal.submittedBy.personId === c.page.viewer.personId || c.page.viewer.role === 'convener';

/** The rules the next stage decides by (none unless it is a decision). */
function decisionRules(c: ProposalContext): readonly string[] {
  return c.next?.kind === 'decision' ? c.next.rules : [];
}

/** The vote rules to offer: only those whose law governs this kind of community (城市社区 or 村). */
function voteRules(c: ProposalContext): string[] {
  const kind = c.community?.kind;
  const governs = kind === 'rural' || kind === 'urban' ? kind : null;
  return decisionRules(c).filter(
    (r) =>
      r !== 'joint-session' &&
      (governs === null ||
        !DecisionRuleKind.safeParse(r).success ||
        ruleApplies(r as VoteRuleKind, governs)),
  );
}

/** The viewer's ballot in words. */
export const currentBallot = (c: ProposalContext) =>
  ballotInWords(c.page.tr, c.proposal.items, c.ballots);
const ballotOf = (c: ProposalContext, s: FormScope, current?: readonly BallotView[]) =>
  ballotFields(s, c.page.tr, c.proposal.items, c.openVote?.planMethod, current);

function changeNote(c: ProposalContext): Html {
  const { tr } = c.page;
  return h`<p class="muted">${tr.t(c.openVote?.allowBallotChange ? 'vote.allowChange' : 'vote.noChange')}</p>`;
}

const LETTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];

/** The next free letter, so plans read A, B, C… whichever item they join. */
function nextLetter(plans: readonly ItemView[]): string {
  return LETTERS.find((l) => !plans.some((i) => i.options.some((o) => o.optionId === l))) ?? '';
}

export const proposalActions = {
  'cast-ballot': {
    command: 'CastBallot',
    when: (c) => voterOwn(c) && c.ballots.length === 0,
    id: () => 'ballot',
    title: (c) => c.page.tr.t('ballot.title'),
    submit: (c) => c.page.tr.t('ballot.cast'),
    intro: (c) => h`<p class="muted">${c.page.tr.t('ballot.notEligible')}</p>${changeNote(c)}`,
    fields: (c, s) => ballotOf(c, s),
    build: (f) => defined({ voterId: f.opt('voterId'), choices: choicesOf(f) }),
  },
  'change-ballot': {
    command: 'ChangeBallot',
    when: (c) => voterOwn(c) && c.ballots.length > 0 && c.openVote?.allowBallotChange === true,
    id: () => 'ballot',
    title: (c) => c.page.tr.t('ballot.change'),
    submit: (c) => c.page.tr.t('ballot.change'),
    intro: (c) => h`${currentBallot(c)}${changeNote(c)}`,
    fields: (c, s) => ballotOf(c, s, c.ballots),
    build: (f) => defined({ voterId: f.opt('voterId'), choices: choicesOf(f) }),
  },
  'cast-proxy-ballot': {
    command: 'CastProxyBallot',
    when: voting,
    id: () => 'proxy-ballot',
    title: (c) => c.page.tr.t('ballot.proxy.title'),
    fields: (
      c,
      s,
    ) => h`${textField(s, { name: 'voterId', label: c.page.tr.t('ballot.voter'), required: true })}
        ${ballotOf(c, s)}`,
    build: (f) => ({ voterId: f.text('voterId'), choices: choicesOf(f) }),
  },
  'enter-paper-ballot': {
    command: 'EnterPaperBallot',
    when: voting,
    id: () => 'paper-ballot',
    title: (c) => c.page.tr.t('ballot.paper.title'),
    fields: (c, s) => {
      const { tr } = c.page;
      return h`<div class="row">${textField(s, { name: 'voterId', label: tr.t('ballot.voter'), required: true })}
        ${textField(s, { name: 'signedBy', label: tr.t('ballot.signedBy') })}</div>
        ${documentField(c.page, s, { name: 'documentRef', label: tr.t('ballot.documentRef'), required: true })}
        ${ballotOf(c, s)}`;
    },
    build: (f) => ({
      voterId: f.text('voterId'),
      choices: choicesOf(f),
      documentRef: f.text('documentRef'),
      signedBy: f.text('signedBy') || f.text('voterId'),
    }),
  },
  'correct-paper-ballot': {
    command: 'CorrectPaperBallot',
    when: (c) => voting(c) && (c.paperVoters ?? []).length > 0,
    folded: true,
    secondary: true,
    fields: (c, s) => {
      const { tr } = c.page;
      return h`<div class="row">${selectField(
        s,
        { name: 'voterId', label: tr.t('paper.voter'), required: true },
        (c.paperVoters ?? []).map((v) => [v, v] as const),
      )}
        ${textField(s, { name: 'documentRef', label: tr.t('ballot.documentRef'), required: true })}</div>
        ${ballotOf(c, s)}
        ${textField(s, { name: 'reason', label: tr.t('form.reason'), required: true, multiline: true })}`;
    },
    build: (f) => ({
      voterId: f.text('voterId'),
      choices: choicesOf(f),
      documentRef: f.text('documentRef'),
      reason: f.text('reason'),
    }),
  },
  'record-presence': {
    command: 'RecordPresence',
    when: (c) => c.openVote !== undefined && isMeetingRule(c.openVote.rule),
    id: () => 'presence',
    title: (c) => c.page.tr.t('presence.title'),
    fields: (c, s) =>
      textField(s, {
        name: 'voterIds',
        label: c.page.tr.t('presence.voterIds'),
        required: true,
        multiline: true,
      }),
    build: (f) => ({ voterIds: f.list('voterIds') }),
  },
  'close-voting': {
    command: 'CloseVoting',
    when: voting,
    intro: (c) =>
      h`<p class="muted">${c.page.tr.t('vote.closesAt')}${c.page.tr.colon}${formatTime(c.openVote?.closesAt)}</p>`,
    // A meeting vote may close when the meeting ends, with presence and ballots as recorded.
    fields: (c, s) =>
      c.openVote && isMeetingRule(c.openVote.rule)
        ? checkbox(s, { name: 'meetingEnded', label: c.page.tr.t('action.meetingEnded') })
        : undefined,
    build: (f) => (f.bool('meetingEnded') ? { meetingEnded: true } : {}),
  },
  'add-option': {
    command: 'AddOption',
    when: (c) => !c.proposal.vote && !c.proposal.decidedAt && plansOf(c).length > 0,
    title: (c) => c.page.tr.t('option.add'),
    secondary: true,
    intro: (c) => hidden('optionId', nextLetter(plansOf(c))),
    fields: (c, s) => {
      const { tr } = c.page;
      return h`${selectField(
        s,
        { name: 'itemId', label: tr.t('option.item'), required: true },
        plansOf(c).map((i) => [i.itemId, i.title] as const),
      )}
        ${textField(s, { name: 'title', label: tr.t('option.title'), required: true })}
        ${textField(s, { name: 'description', label: tr.t('option.description'), multiline: true })}`;
    },
    build: (f) => ({
      itemId: f.text('itemId'),
      option: defined({
        optionId: f.opt('optionId') ?? newId('o'),
        title: f.text('title'),
        description: f.opt('description'),
      }),
    }),
  },
  'amend-proposal': {
    command: 'AmendProposal',
    when: (c) => !c.proposal.vote && !c.proposal.decidedAt && submitterOrConvener(c),
    folded: true,
    secondary: true,
    intro: (c) => h`<p class="muted">${c.page.tr.t('amend.note')}</p>`,
    fields: (c, s) => {
      const { tr } = c.page;
      // Not `title`: the form's heading has the id `<form>-title`.
      return h`${textField(s, { name: 'newTitle', label: tr.t('amend.newTitle'), required: true, value: c.proposal.title })}
        ${textField(s, { name: 'description', label: tr.t('amend.newDescription'), multiline: true, value: c.proposal.description })}
        ${textField(s, { name: 'reason', label: tr.t('form.reason'), required: true, multiline: true })}`;
    },
    build: (f) =>
      defined({
        title: f.text('newTitle'),
        description: f.opt('description'),
        reason: f.text('reason'),
      }),
  },
  'accept-onto-agenda': {
    command: 'AcceptOntoAgenda',
    when: (c) => stageIs(c.next, 'agenda'),
    fields: (c, s) => {
      const { tr } = c.page;
      const parties = (c.community?.parties ?? [])
        .filter((p) => p.active)
        .map((p) => [p.partyId, p.name] as const);
      return h`${parties.length ? choiceGroup(s, { name: 'concernedPartyIds', legend: tr.t('action.concernedPartyIds'), multiple: true }, parties) : undefined}
        ${textField(s, { name: 'sessionId', label: tr.t('action.sessionId') })}
        ${textField(s, { name: 'note', label: tr.t('action.note'), multiline: true })}`;
    },
    build: (f) =>
      defined({
        concernedPartyIds: f.all('concernedPartyIds'),
        sessionId: f.opt('sessionId'),
        note: f.opt('note'),
      }),
  },
  'give-notice': {
    command: 'GiveNotice',
    when: (c) => stageIs(c.next, 'notice'),
    title: (c) => named(c, 'action.give-notice'),
    fields: (
      c,
      s,
    ) => h`${textField(s, { name: 'text', label: c.page.tr.t('action.give-notice.text'), required: true, multiline: true })}
        ${textField(s, { name: 'documentRef', label: c.page.tr.t('action.documentRef') })}`,
    build: (f) => defined({ text: f.text('text'), documentRef: f.opt('documentRef') }),
  },
  'record-deliberation': {
    command: 'RecordDeliberation',
    when: (c) => atOrBefore(c, 'deliberation'),
    fields: (c, s) => {
      const { tr } = c.page;
      return h`${textField(s, { name: 'summary', label: tr.t('action.summary'), required: true, multiline: true })}
        ${textField(s, { name: 'sessionId', label: tr.t('action.sessionId') })}
        ${textField(s, { name: 'documentRef', label: tr.t('action.documentRef') })}`;
    },
    build: (f) =>
      defined({
        summary: f.text('summary'),
        sessionId: f.opt('sessionId'),
        documentRef: f.opt('documentRef'),
      }),
  },
  'open-voting': {
    command: 'OpenVoting',
    when: (c) => voteRules(c).length > 0,
    title: (c) => named(c, 'action.open-voting'),
    fields: (c, s) =>
      openVotingFields(s, c.page.tr, voteRules(c), c.community, plansOf(c).length > 0),
    build: (f) =>
      defined({
        rule: ruleOf(f),
        closesAt: f.time('closesAt'),
        allowBallotChange: f.bool('allowBallotChange'),
        planMethod: f.opt('planMethod'),
      }),
  },
  'record-session-resolution': {
    command: 'RecordSessionResolution',
    when: (c) => decisionRules(c).includes('joint-session'),
    fields: (c, s) => {
      const { tr } = c.page;
      const sessionId = c.resolution?.sessionId ?? c.proposal.agendaSessionId ?? '';
      return h`<div class="row">${textField(s, { name: 'sessionId', label: tr.t('action.sessionId'), required: true, value: sessionId })}
        ${textField(s, { name: 'sessionItemId', label: tr.t('action.sessionItemId'), required: true, value: c.resolution?.itemId ?? '' })}</div>`;
    },
    build: (f) => ({ sessionId: f.text('sessionId'), sessionItemId: f.text('sessionItemId') }),
  },
  'return-to-stage': {
    command: 'ReturnToStage',
    when: (c) =>
      c.current?.kind === 'decision' &&
      c.proposal.outcome === 'rejected' &&
      c.current.ifRejected === 'return',
    fields: (c, s) =>
      textField(s, {
        name: 'reason',
        label: c.page.tr.t('action.reason'),
        required: true,
        multiline: true,
      }),
    build: (f) => ({ reason: f.text('reason') }),
  },
  publish: {
    command: 'Publish',
    when: (c) => stageIs(c.next, 'publication'),
    title: (c) => named(c, 'action.publish'),
    fields: (c, s) => {
      const { tr } = c.page;
      return h`${textField(s, { name: 'text', label: tr.t('action.publish.text'), required: true, multiline: true })}
        ${textField(s, { name: 'documentRef', label: tr.t('action.documentRef') })}
        ${textField(s, { name: 'implementationDueAt', label: tr.t('action.implementationDueAt'), type: 'datetime-local' })}
        ${textField(s, { name: 'implementationResponsibleId', label: tr.t('action.implementationResponsibleId') })}`;
    },
    build: (f) =>
      defined({
        text: f.text('text'),
        documentRef: f.opt('documentRef'),
        implementationDueAt: f.time('implementationDueAt', false),
        implementationResponsibleId: f.opt('implementationResponsibleId'),
      }),
  },
  /** 更换落实责任人: while implementation is due and not complete, with a reason. */
  'assign-implementation': {
    command: 'AssignImplementation',
    when: (c) =>
      c.proposal.deadlines.implementationDueAt !== null && c.proposal.progressPercent !== 100,
    folded: true,
    secondary: true,
    fields: (c, s) => {
      const { tr } = c.page;
      return h`${textField(s, { name: 'responsibleId', label: tr.t('action.responsibleId'), required: true, value: c.proposal.implementationResponsibleId ?? undefined })}
        ${textField(s, { name: 'reason', label: tr.t('action.reason'), required: true, multiline: true })}`;
    },
    build: (f) => ({ responsibleId: f.text('responsibleId'), reason: f.text('reason') }),
  },
  'raise-objection': {
    command: 'RaiseObjection',
    when: (c) => {
      const endsAt = c.proposal.deadlines.publicationEndsAt;
      return (
        stageIs(c.current, 'publication') && endsAt !== null && Date.parse(endsAt) > Date.now()
      );
    },
    secondary: true,
    fields: (c, s) =>
      textField(s, {
        name: 'text',
        label: c.page.tr.t('action.objection.text'),
        required: true,
        multiline: true,
      }),
    build: (f) => ({ objectionId: newId('obj'), text: f.text('text') }),
  },
  'answer-objection': {
    command: 'AnswerObjection',
    when: (c) => c.openObjections.length > 0,
    each: (c) => c.openObjections.map((objection) => ({ ...c, objection })),
    id: (c) => `answer-${c.objection?.objectionId}`,
    intro: (c) =>
      h`<blockquote>${c.objection?.text}</blockquote>${hidden('objectionId', c.objection?.objectionId)}`,
    fields: (c, s) =>
      textField(s, {
        name: 'answer',
        label: c.page.tr.t('action.answer'),
        required: true,
        multiline: true,
      }),
    build: (f) => ({ objectionId: f.text('objectionId'), answer: f.text('answer') }),
  },
  'report-implementation': {
    command: 'ReportImplementation',
    when: (c) => atOrBefore(c, 'implementation'),
    fields: (c, s) => {
      const { tr } = c.page;
      return h`${textField(s, { name: 'progressPercent', label: tr.t('action.progressPercent'), type: 'number', min: 0, max: 100, required: true, inputmode: 'numeric' })}
        ${textField(s, { name: 'text', label: tr.t('action.report.text'), required: true, multiline: true })}`;
    },
    build: (f) => ({ progressPercent: f.int('progressPercent'), text: f.text('text') }),
  },
  'report-feedback': {
    command: 'ReportFeedback',
    when: (c) => atOrBefore(c, 'feedback'),
    fields: (c, s) =>
      textField(s, {
        name: 'text',
        label: c.page.tr.t('action.feedback.text'),
        required: true,
        multiline: true,
      }),
    build: (f) => ({ text: f.text('text') }),
  },
  'rate-satisfaction': {
    command: 'RateSatisfaction',
    when: (c) => stageIs(c.current, 'feedback'),
    fields: (c, s) => {
      const { tr } = c.page;
      return h`${choiceGroup(
        s,
        { name: 'rating', legend: tr.t('action.rating'), required: true },
        ['1', '2', '3', '4', '5'].map((n) => [n, n] as const),
      )}
        ${textField(s, { name: 'comment', label: tr.t('action.comment'), multiline: true })}`;
    },
    build: (f) => defined({ rating: f.int('rating'), comment: f.opt('comment') }),
  },
  'withdraw-proposal': {
    command: 'WithdrawProposal',
    when: (c) => !c.proposal.decidedAt && !voting(c) && submitterOrConvener(c),
    folded: true,
    secondary: true,
    fields: (c, s) =>
      textField(s, {
        name: 'reason',
        label: c.page.tr.t('action.reason'),
        required: true,
        multiline: true,
      }),
    build: (f) => ({ reason: f.text('reason') }),
  },
} satisfies Record<string, Action<ProposalContext>>;
