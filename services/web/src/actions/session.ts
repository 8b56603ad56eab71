import { textHashOf } from '@yishi/domain';
import type { SessionView } from '@yishi/projection/contract';
import { h } from '../html.ts';
import { resolutionRuleWords } from '../views/decision.ts';
import { choiceGroup, selectField, textField } from '../views/forms.ts';
import { type Action, hidden, type OnPage } from './action.ts';
import { defined, newId } from './form-fields.ts';

// 会议的各项操作: a session run item by item (notice, attendance, statements, each party's
// position, the resolution) and its minutes (drafted, signed by every attending party,
// published, corrected). Each action belongs to a part of the page (`place`).

type Minutes = SessionView['minutes'];
type AgendaItem = SessionView['agenda'][number];

/** The parts of the session page that offer actions. */
export type SessionPlace = 'notice' | 'attendance' | 'item' | 'minutes';

/** What the session page knows when it offers its actions. */
export interface SessionContext extends OnPage {
  session: SessionView;
  /** Party names by id. */
  names: ReadonlyMap<string, string>;
  joint: boolean;
  /** The minutes' current version; once there is one, the meeting is over. */
  current: Minutes['versions'][number] | undefined;
  final: boolean;
  /** Parties someone attended for: those who sign the minutes. */
  attendingParties: readonly string[];
  /** Council members who attended: they sign too (a residents' council). */
  attendingMembers: readonly string[];
  /** The agenda item a form is about (each item's part of the page). */
  item?: AgendaItem;
  /** The correction a form signs (one form each). */
  correction?: Minutes['corrections'][number];
}

/** An item still open: not resolved, and the minutes not begun. */
const openItem = (c: SessionContext) =>
  c.item !== undefined && !c.item.resolution && c.current === undefined;
const itemId = (c: SessionContext) => hidden('itemId', c.item?.itemId);
const itemForm = (name: string) => (c: SessionContext) => `${name}-${c.item?.itemId}`;
/** The viewer's party, when they act for one. */
const partyOf = (c: SessionContext) => c.page.viewer.partyId;
const forParty = (
  c: SessionContext,
  key: 'action.state-position' | 'action.sign-minutes.party',
) => {
  const { tr } = c.page;
  const party = partyOf(c) ?? '';
  return `${tr.t(key)}${tr.open}${c.names.get(party) ?? party}${tr.close}`;
};

type Signatures = Minutes['versions'][number]['signatures'];

/**
 * Whether the viewer signs a text now: for the attending party they represent, or (no party)
 * as an attending council member; and has not yet.
 */
function signsNow(c: SessionContext, signatures: Signatures): boolean {
  const party = partyOf(c);
  if (party !== undefined) {
    return c.attendingParties.includes(party) && !signatures.some((s) => s.partyId === party);
  }
  const me = c.page.viewer.personId;
  return (
    c.attendingMembers.includes(me) &&
    !signatures.some((s) => s.partyId === null && s.personId === me)
  );
}

export const sessionActions = {
  'give-session-notice': {
    command: 'GiveSessionNotice',
    place: 'notice',
    when: (c) => !c.session.noticeAt,
    fields: (
      c,
      s,
    ) => h`${textField(s, { name: 'text', label: c.page.tr.t('action.give-notice.text'), required: true, multiline: true })}
              ${textField(s, { name: 'documentRef', label: c.page.tr.t('action.documentRef') })}`,
    build: (f) => defined({ text: f.text('text'), documentRef: f.opt('documentRef') }),
  },
  'record-attendance': {
    command: 'RecordAttendance',
    place: 'attendance',
    when: (c) => c.current === undefined && c.session.noticeAt !== null,
    fields: (c, s) => {
      const { tr, viewer } = c.page;
      const ownParty = viewer.role === 'party_representative' ? viewer.partyId : undefined;
      const parties = c.session.parties.map((p) => [p.partyId, p.name] as const);
      return h`<div class="row">${textField(s, {
        name: 'personId',
        label: tr.t('action.personId'),
        required: true,
        value: viewer.role === 'clerk' ? '' : viewer.personId,
      })}
            ${
              c.joint
                ? selectField(
                    s,
                    {
                      name: 'partyId',
                      label: tr.t('action.attendance.party'),
                      value: ownParty ?? '',
                    },
                    [['', tr.t('action.attendance.noParty')], ...parties],
                  )
                : undefined
            }</div>`;
    },
    build: (f) => defined({ personId: f.text('personId'), partyId: f.opt('partyId') }),
  },
  'record-statement': {
    command: 'RecordStatement',
    place: 'item',
    when: openItem,
    id: itemForm('statement'),
    secondary: true,
    intro: itemId,
    fields: (c, s) => {
      const { tr, viewer } = c.page;
      return h`${textField(s, { name: 'text', label: tr.t('action.statement.text'), required: true, multiline: true })}
          ${viewer.role === 'clerk' ? textField(s, { name: 'speakerPersonId', label: tr.t('action.speaker') }) : undefined}`;
    },
    build: (f) =>
      defined({
        itemId: f.text('itemId'),
        text: f.text('text'),
        speakerPersonId: f.opt('speakerPersonId'),
      }),
  },
  'state-position': {
    command: 'StatePosition',
    place: 'item',
    when: (c) =>
      openItem(c) &&
      c.joint &&
      partyOf(c) !== undefined &&
      !c.item?.positions.some((p) => p.partyId === partyOf(c)),
    id: itemForm('position'),
    title: (c) => forParty(c, 'action.state-position'),
    intro: itemId,
    fields: (c, s) => {
      const { tr } = c.page;
      return h`${choiceGroup(
        s,
        { name: 'position', legend: tr.t('action.position'), required: true },
        (['support', 'oppose', 'abstain'] as const).map(
          (p) => [p, tr.label('position', p)] as const,
        ),
      )}
          ${textField(s, { name: 'reason', label: tr.t('action.reason'), multiline: true })}`;
    },
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
    place: 'item',
    when: (c) => openItem(c) && !c.joint && c.session.memberIds.includes(c.page.viewer.personId),
    id: itemForm('member-vote'),
    intro: itemId,
    fields: (c, s) =>
      choiceGroup(
        s,
        { name: 'choice', legend: c.page.tr.t('action.position'), required: true },
        (['yes', 'no', 'abstain'] as const).map((v) => [v, c.page.tr.label('choice', v)] as const),
      ),
    build: (f) => ({ itemId: f.text('itemId'), choice: f.text('choice') }),
  },
  'resolve-item': {
    command: 'ResolveItem',
    place: 'item',
    when: openItem,
    id: itemForm('resolve'),
    intro: (c) =>
      h`${itemId(c)}<p class="muted">${c.page.tr.t('session.rule')}${c.page.tr.colon}${resolutionRuleWords(c.page.tr, c.session.resolutionRule)}</p>`,
    build: (f) => ({ itemId: f.text('itemId') }),
  },
  'draft-minutes': {
    command: 'DraftMinutes',
    place: 'minutes',
    when: (c) => !c.final && c.session.agenda.every((a) => a.resolution) && !c.current,
    fields: (
      c,
      s,
    ) => h`${textField(s, { name: 'text', label: c.page.tr.t('action.minutes.text'), required: true, multiline: true })}
        ${textField(s, { name: 'documentRef', label: c.page.tr.t('action.documentRef') })}`,
    build: (f) => defined({ text: f.text('text'), documentRef: f.opt('documentRef') }),
  },
  'sign-minutes': {
    command: 'SignMinutes',
    place: 'minutes',
    when: (c) => c.current !== undefined && !c.final && signsNow(c, c.current.signatures),
    title: (c) =>
      partyOf(c) === undefined
        ? c.page.tr.t('action.sign-minutes.member')
        : forParty(c, 'action.sign-minutes.party'),
    submit: (c) =>
      c.page.tr.t(
        partyOf(c) === undefined ? 'action.sign-minutes.member' : 'action.sign-minutes.party',
      ),
    // The signature names the text shown here: if it changed since, it is refused.
    intro: (c) =>
      h`<p>${c.page.tr.t('session.minutes.version', { version: c.current?.version ?? 0 })}</p>${hidden('textHash', textHashOf(c.current?.text ?? ''))}`,
    // A representative signs for their party; a council member for themselves (no party).
    build: (f, viewer) => defined({ partyId: viewer.partyId, textHash: f.text('textHash') }),
  },
  'amend-minutes': {
    command: 'AmendMinutes',
    place: 'minutes',
    when: (c) => c.current !== undefined && !c.final,
    folded: true,
    secondary: true,
    fields: (
      c,
      s,
    ) => h`${textField(s, { name: 'text', label: c.page.tr.t('action.minutes.text'), required: true, multiline: true, value: c.current?.text ?? '' })}
        ${textField(s, { name: 'reason', label: c.page.tr.t('action.reason'), required: true })}`,
    build: (f) => ({ text: f.text('text'), reason: f.text('reason') }),
  },
  'publish-minutes': {
    command: 'PublishMinutes',
    place: 'minutes',
    when: (c) => c.final && !c.session.minutes.publishedAt,
    fields: (c, s) =>
      textField(s, { name: 'documentRef', label: c.page.tr.t('action.documentRef') }),
    build: (f) => defined({ documentRef: f.opt('documentRef') }),
  },
  'correct-minutes': {
    command: 'CorrectMinutes',
    place: 'minutes',
    when: (c) => c.final,
    folded: true,
    secondary: true,
    fields: (
      c,
      s,
    ) => h`${textField(s, { name: 'text', label: c.page.tr.t('action.minutes.text'), required: true, multiline: true })}
        ${textField(s, { name: 'reason', label: c.page.tr.t('action.reason'), required: true })}`,
    build: (f) => ({ correctionId: newId('corr'), text: f.text('text'), reason: f.text('reason') }),
  },
  'sign-minutes-correction': {
    command: 'SignMinutesCorrection',
    place: 'minutes',
    when: () => true,
    each: (c) =>
      c.session.minutes.corrections
        .filter((k) => !k.final && signsNow(c, k.signatures))
        .map((correction) => ({ ...c, correction })),
    id: (c) => `sign-${c.correction?.correctionId}`,
    intro: (c) =>
      h`${hidden('correctionId', c.correction?.correctionId)}<pre class="minutes">${c.correction?.text}</pre>`,
    build: (f, viewer) =>
      defined({ correctionId: f.text('correctionId'), partyId: viewer.partyId }),
  },
} satisfies Record<string, Action<SessionContext, SessionPlace>>;
