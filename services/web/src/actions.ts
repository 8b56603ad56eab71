import { randomBytes } from 'node:crypto';
import { type DomainCommandType, MORE_THAN_HALF, TWO_THIRDS } from '@yishi/domain';
import { localInputToIso } from './format.ts';
import type { Viewer } from './viewer.ts';

// Each console form maps to one command of the command service: the builder turns the form
// fields into the command's JSON body. The service validates the body and decides; the
// builders only shape what the user entered and refuse input that cannot be shaped.

/** A form field the builder could not read: answered like a service's validation error. */
export class FormInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export type FormValues = Record<string, string | string[]>;

/** Typed access to submitted form fields. */
export class FormFields {
  constructor(readonly values: FormValues) {}

  text(name: string): string {
    const v = this.values[name];
    return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
  }

  /** The trimmed value, or undefined when empty. */
  opt(name: string): string | undefined {
    return this.text(name) || undefined;
  }

  all(name: string): string[] {
    const v = this.values[name];
    const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
    return list.map((x) => x.trim()).filter(Boolean);
  }

  bool(name: string): boolean {
    return this.text(name) === 'on';
  }

  int(name: string, required = true): number | undefined {
    const text = this.text(name);
    if (!text) {
      if (required) throw new FormInputError(name, 'required');
      return undefined;
    }
    if (!/^-?\d+$/.test(text)) throw new FormInputError(name, 'a whole number');
    return Number(text);
  }

  /** Ids separated by commas, spaces or 、 */
  list(name: string): string[] {
    return this.text(name)
      .split(/[\s,，、;；]+/)
      .map((x) => x.trim())
      .filter(Boolean);
  }

  time(name: string, required = true): string | undefined {
    const text = this.text(name);
    const iso = localInputToIso(text);
    if (!iso && (required || text)) throw new FormInputError(name, 'a date and time');
    return iso;
  }

  /** Field names starting with `prefix`, with the rest of the name. */
  prefixed(prefix: string): [rest: string, value: string][] {
    return Object.keys(this.values)
      .filter((k) => k.startsWith(prefix))
      .map((k) => [k.slice(prefix.length), this.text(k)] as [string, string]);
  }
}

export interface ActionSpec {
  command: DomainCommandType;
  build(form: FormFields, viewer: Viewer): Record<string, unknown>;
}

/** `{ a: undefined }` → `{}`: optional fields the user left empty are not sent. */
function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

/** A short readable id, e.g. `p-260317-k3x9`, when the user does not choose one. */
export function newId(prefix: string, now = new Date()): string {
  const date = now.toISOString().slice(2, 10).replaceAll('-', '');
  return `${prefix}-${date}-${randomBytes(3).toString('hex')}`;
}

/**
 * The choices of a ballot form: `choice.<itemId>` radios for motions (yes/no/abstain) and
 * `rank.<itemId>.<n>` for plans (the n-th preference; one for plurality).
 */
export function choicesOf(form: FormFields): Record<string, unknown>[] {
  const choices: Record<string, unknown>[] = [];
  for (const [itemId, choice] of form.prefixed('choice.')) {
    if (choice) choices.push({ itemId, choice });
  }
  const rankings = new Map<string, [number, string][]>();
  for (const [rest, optionId] of form.prefixed('rank.')) {
    const dot = rest.lastIndexOf('.');
    const itemId = rest.slice(0, dot);
    const n = Number(rest.slice(dot + 1));
    if (!itemId || !Number.isInteger(n)) continue;
    const list = rankings.get(itemId) ?? [];
    if (optionId) list.push([n, optionId]);
    rankings.set(itemId, list);
  }
  for (const [itemId, list] of rankings) {
    const ranking: string[] = [];
    for (const [, optionId] of list.sort((a, b) => a[0] - b[0])) {
      if (!ranking.includes(optionId)) ranking.push(optionId);
    }
    choices.push({ itemId, ranking });
  }
  if (choices.length === 0) throw new FormInputError('choices', 'choose on at least one item');
  return choices;
}

/** The vote rule from the open-voting form. */
export function ruleOf(form: FormFields): Record<string, unknown> {
  const kind = form.text('rule');
  switch (kind) {
    case 'owners-278':
      // Deemed consent and parking spaces are the community's settings, not the form's.
      return { kind };
    case 'residents-meeting':
      return { kind, form: form.text('form') || 'all-adults' };
    case 'villagers-meeting':
    case 'villagers-representatives-meeting':
      return { kind };
    case 'villager-group-meeting':
      return { kind, groupId: form.text('groupId') };
    case 'party-members-meeting':
      // The thresholds are the community's settings.
      return { kind, partyId: form.text('partyId') };
    case 'art279-consent':
      return { kind, unitId: form.text('unitId'), applicantOwnerIds: form.list('applicants') };
    default:
      throw new FormInputError('rule', 'choose a rule');
  }
}

function sessionRule(value: string): Record<string, unknown> {
  switch (value) {
    case 'consensus-attending':
      return { kind: 'consensus', among: 'attending' };
    case 'two-thirds':
      return { kind: 'qualified-majority', threshold: TWO_THIRDS };
    case 'majority':
      return { kind: 'qualified-majority', threshold: MORE_THAN_HALF };
    default:
      return { kind: 'consensus', among: 'required' };
  }
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Plans typed one per line become options A, B, C… */
export function optionsOf(lines: string): { optionId: string; title: string }[] {
  return lines
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, LETTERS.length)
    .map((title, i) => ({ optionId: LETTERS[i]!, title }));
}

export const ITEM_SLOTS = 3;
export const AGENDA_SLOTS = 3;

export const createActions = {
  'submit-proposal': {
    command: 'SubmitProposal',
    build(form) {
      const title = form.text('title');
      const items: Record<string, unknown>[] = [];
      for (let n = 1; n <= ITEM_SLOTS; n++) {
        const itemTitle = form.text(`item${n}.title`) || (n === 1 ? title : '');
        if (!itemTitle) continue;
        const kind = form.text(`item${n}.kind`) === 'plans' ? 'plans' : 'motion';
        items.push(
          defined({
            itemId: `i${n}`,
            title: itemTitle,
            kind,
            matter: form.opt(`item${n}.matter`),
            options: kind === 'plans' ? optionsOf(form.text(`item${n}.options`)) : [],
          }),
        );
      }
      return defined({
        proposalId: form.opt('proposalId') ?? newId('p'),
        title,
        description: form.text('description'),
        procedure: form.text('procedure'),
        items,
      });
    },
  },
  'convene-session': {
    command: 'ConveneSession',
    build(form) {
      const agenda: Record<string, unknown>[] = [];
      for (let n = 1; n <= AGENDA_SLOTS; n++) {
        const title = form.text(`agenda${n}.title`);
        if (!title) continue;
        agenda.push(
          defined({
            itemId: `a${n}`,
            title,
            proposalId: form.opt(`agenda${n}.proposalId`),
            concernedPartyIds: form.all(`agenda${n}.concerned`),
          }),
        );
      }
      const kind =
        form.text('kind') === 'residents-council' ? 'residents-council' : 'joint-session';
      return defined({
        sessionId: form.opt('sessionId') ?? newId('s'),
        kind,
        title: form.text('title'),
        scheduledAt: form.time('scheduledAt'),
        agenda,
        resolutionRule:
          kind === 'joint-session' ? sessionRule(form.text('resolutionRule')) : undefined,
        memberIds: kind === 'residents-council' ? form.list('memberIds') : undefined,
      });
    },
  },
} satisfies Record<string, ActionSpec>;

export const proposalActions = {
  'add-option': {
    command: 'AddOption',
    build: (f) => ({
      itemId: f.text('itemId'),
      option: defined({
        optionId: f.opt('optionId') ?? newId('o'),
        title: f.text('title'),
        description: f.opt('description'),
      }),
    }),
  },
  'accept-onto-agenda': {
    command: 'AcceptOntoAgenda',
    build: (f) =>
      defined({
        concernedPartyIds: f.all('concernedPartyIds'),
        sessionId: f.opt('sessionId'),
        note: f.opt('note'),
      }),
  },
  'give-notice': {
    command: 'GiveNotice',
    build: (f) => defined({ text: f.text('text'), documentRef: f.opt('documentRef') }),
  },
  'record-deliberation': {
    command: 'RecordDeliberation',
    build: (f) =>
      defined({
        summary: f.text('summary'),
        sessionId: f.opt('sessionId'),
        documentRef: f.opt('documentRef'),
      }),
  },
  'open-voting': {
    command: 'OpenVoting',
    build: (f) =>
      defined({
        rule: ruleOf(f),
        closesAt: f.time('closesAt'),
        allowBallotChange: f.bool('allowBallotChange'),
        planMethod: f.opt('planMethod'),
      }),
  },
  'record-presence': {
    command: 'RecordPresence',
    build: (f) => ({ voterIds: f.list('voterIds') }),
  },
  'cast-ballot': {
    command: 'CastBallot',
    build: (f) => defined({ voterId: f.opt('voterId'), choices: choicesOf(f) }),
  },
  'change-ballot': {
    command: 'ChangeBallot',
    build: (f) => defined({ voterId: f.opt('voterId'), choices: choicesOf(f) }),
  },
  'cast-proxy-ballot': {
    command: 'CastProxyBallot',
    build: (f) => ({ voterId: f.text('voterId'), choices: choicesOf(f) }),
  },
  'enter-paper-ballot': {
    command: 'EnterPaperBallot',
    build: (f) => ({
      voterId: f.text('voterId'),
      choices: choicesOf(f),
      documentRef: f.text('documentRef'),
      signedBy: f.text('signedBy') || f.text('voterId'),
    }),
  },
  'close-voting': {
    command: 'CloseVoting',
    build: (f) => (f.bool('meetingEnded') ? { meetingEnded: true } : {}),
  },
  'record-session-resolution': {
    command: 'RecordSessionResolution',
    build: (f) => ({ sessionId: f.text('sessionId'), sessionItemId: f.text('sessionItemId') }),
  },
  'return-to-stage': { command: 'ReturnToStage', build: (f) => ({ reason: f.text('reason') }) },
  publish: {
    command: 'Publish',
    build: (f) =>
      defined({
        text: f.text('text'),
        documentRef: f.opt('documentRef'),
        implementationDueAt: f.time('implementationDueAt', false),
      }),
  },
  'raise-objection': {
    command: 'RaiseObjection',
    build: (f) => ({ objectionId: newId('obj'), text: f.text('text') }),
  },
  'answer-objection': {
    command: 'AnswerObjection',
    build: (f) => ({ objectionId: f.text('objectionId'), answer: f.text('answer') }),
  },
  'report-implementation': {
    command: 'ReportImplementation',
    build: (f) => ({ progressPercent: f.int('progressPercent'), text: f.text('text') }),
  },
  'report-feedback': { command: 'ReportFeedback', build: (f) => ({ text: f.text('text') }) },
  'rate-satisfaction': {
    command: 'RateSatisfaction',
    build: (f) => defined({ rating: f.int('rating'), comment: f.opt('comment') }),
  },
  'withdraw-proposal': {
    command: 'WithdrawProposal',
    build: (f) => ({ reason: f.text('reason') }),
  },
} satisfies Record<string, ActionSpec>;

export const sessionActions = {
  'give-session-notice': {
    command: 'GiveSessionNotice',
    build: (f) => defined({ text: f.text('text'), documentRef: f.opt('documentRef') }),
  },
  'record-attendance': {
    command: 'RecordAttendance',
    build: (f) => defined({ personId: f.text('personId'), partyId: f.opt('partyId') }),
  },
  'record-statement': {
    command: 'RecordStatement',
    build: (f) =>
      defined({
        itemId: f.text('itemId'),
        text: f.text('text'),
        speakerPersonId: f.opt('speakerPersonId'),
      }),
  },
  'state-position': {
    command: 'StatePosition',
    build: (f, viewer) =>
      defined({
        itemId: f.text('itemId'),
        partyId: viewer.partyId ?? f.text('partyId'),
        position: f.text('position'),
        reason: f.opt('reason'),
      }),
  },
  'cast-member-vote': {
    command: 'CastMemberVote',
    build: (f) => ({ itemId: f.text('itemId'), choice: f.text('choice') }),
  },
  'resolve-item': { command: 'ResolveItem', build: (f) => ({ itemId: f.text('itemId') }) },
  'draft-minutes': {
    command: 'DraftMinutes',
    build: (f) => defined({ text: f.text('text'), documentRef: f.opt('documentRef') }),
  },
  'amend-minutes': {
    command: 'AmendMinutes',
    build: (f) => ({ text: f.text('text'), reason: f.text('reason') }),
  },
  'sign-minutes': {
    command: 'SignMinutes',
    build: (f, viewer) => ({
      partyId: viewer.partyId ?? f.text('partyId'),
      textHash: f.text('textHash'),
    }),
  },
  'correct-minutes': {
    command: 'CorrectMinutes',
    build: (f) => ({ correctionId: newId('corr'), text: f.text('text'), reason: f.text('reason') }),
  },
  'sign-minutes-correction': {
    command: 'SignMinutesCorrection',
    build: (f, viewer) => ({
      correctionId: f.text('correctionId'),
      partyId: viewer.partyId ?? f.text('partyId'),
    }),
  },
  'publish-minutes': {
    command: 'PublishMinutes',
    build: (f) => defined({ documentRef: f.opt('documentRef') }),
  },
} satisfies Record<string, ActionSpec>;

/** An action by its name, own names only: `constructor` or `__proto__` are not actions. */
export function actionSpec(
  actions: Readonly<Record<string, ActionSpec>>,
  name: string,
): ActionSpec | undefined {
  return Object.hasOwn(actions, name) ? actions[name] : undefined;
}

export type ProposalAction = keyof typeof proposalActions;
export type SessionAction = keyof typeof sessionActions;
