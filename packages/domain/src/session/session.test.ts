import { describe, expect, it } from 'vitest';
import { upcastEvent } from '../catalog/events.ts';
import { type Actor, SYSTEM_ACTOR } from '../shared/decider.ts';
import { clerk, convener, representative, resident } from '../testing/fixtures.ts';
import { commandsOf, day, history, specFor } from '../testing/spec.ts';
import {
  type SessionCommand,
  type SessionEvent,
  sessionDecider,
  sessionEventSchemas,
  textHashOf,
} from './session.ts';

const spec = specFor(sessionDecider, sessionEventSchemas);
const s = commandsOf<SessionCommand>();
const run = (commands: SessionCommand[], from: SessionEvent[] = []) =>
  history(sessionDecider, commands, from);

const parties = [
  { partyId: 'dzb', kind: 'party-organisation' as const, name: '社区党委' },
  { partyId: 'jwh', kind: 'residents-committee' as const, name: '居委会' },
  { partyId: 'yzw', kind: 'owners-committee' as const, name: '业委会' },
  { partyId: 'wy', kind: 'property-company' as const, name: '物业公司' },
];
const reps: Record<string, string> = { dzb: 'li', jwh: 'zhang', yzw: 'zhao', wy: 'qian' };
const rep = (partyId: string): Actor => representative(reps[partyId]!, partyId);

const jointSession = {
  communityId: 'hp',
  sessionId: 's1',
  kind: 'joint-session' as const,
  title: '电梯更换联席会议',
  scheduledAt: day(5),
  parties,
  agenda: [
    { itemId: 'i1', title: '电梯更换方案', proposalId: 'p1', concernedPartyIds: ['wy'] },
    { itemId: 'i2', title: '停车管理', concernedPartyIds: [] },
  ],
};
const convene = s('ConveneSession', jointSession, convener, day(1));
const attend = (partyId: string) =>
  s(
    'RecordAttendance',
    { personId: reps[partyId]!, partyId, partyRepresentativeIds: [reps[partyId]!] },
    clerk,
    day(5),
  );
const position = (partyId: string, itemId: string, pos: 'support' | 'oppose' | 'abstain') =>
  s('StatePosition', { itemId, partyId, position: pos }, rep(partyId), day(5, 1));

const convened = run([convene]);
const noticed = run([s('GiveSessionNotice', { text: '会议通知' }, clerk, day(2))], convened);
/** The party organisation, the residents' committee and the property company attend. */
const attending = run([attend('dzb'), attend('jwh'), attend('wy')], noticed);
const positioned = run(
  [
    position('dzb', 'i1', 'support'),
    position('jwh', 'i1', 'support'),
    position('wy', 'i1', 'oppose'),
  ],
  attending,
);
const resolved = run(
  [
    s('ResolveItem', { itemId: 'i1' }, convener, day(5, 2)),
    position('dzb', 'i2', 'support'),
    position('jwh', 'i2', 'support'),
    s('ResolveItem', { itemId: 'i2' }, convener, day(5, 2)),
  ],
  positioned,
);
const drafted = run([s('DraftMinutes', { text: '会议纪要初稿' }, clerk, day(6))], resolved);
const v1 = textHashOf('会议纪要初稿');
const sign = (id: string, textHash = v1) =>
  s('SignMinutes', { partyId: id, textHash }, rep(id), day(7));
const signAll = ['dzb', 'jwh', 'wy'].map((id) => sign(id));
const final = run(signAll, drafted);

describe('ConveneSession', () => {
  it('freezes parties, agenda, required parties and the rule', () => {
    spec
      .given([])
      .when(convene)
      .then((events) =>
        expect(events[0]?.data).toMatchObject({
          requiredPartyIds: ['dzb', 'jwh'],
          resolutionRule: { kind: 'consensus', among: 'required' },
          memberIds: [],
        }),
      );
  });
  it('refuses a second convening, uninvited required parties, duplicates, a council without members', () => {
    spec.given(convened).when(convene).thenRefused('already-exists');
    spec
      .given([])
      .when({ ...convene, data: { ...convene.data, requiredPartyIds: ['nope'] } } as SessionCommand)
      .thenRefused('invalid-command');
    spec
      .given([])
      .when({
        ...convene,
        data: { ...convene.data, parties: [...parties, parties[0]!] },
      } as SessionCommand)
      .thenRefused('invalid-command');
    spec
      .given([])
      .when({ ...convene, data: { ...convene.data, kind: 'residents-council' } } as SessionCommand)
      .thenRefused('invalid-command');
  });
  it('refuses commands for a session that does not exist', () => {
    spec
      .given([])
      .when(s('GiveSessionNotice', { text: 't' }, clerk, day(1)))
      .thenRefused('not-found');
  });
});

describe('notice and attendance', () => {
  it('gives notice before the session', () => {
    spec
      .given(convened)
      .when(s('GiveSessionNotice', { text: '通知' }, clerk, day(2)))
      .then((e) => expect(e[0]?.type).toBe('SessionNoticeGiven'));
    spec
      .given(attending)
      .when(s('GiveSessionNotice', { text: '通知' }, clerk, day(5)))
      .thenRefused('stage-out-of-order');
  });
  it('records a party’s representative, checked against the registry', () => {
    spec
      .given(noticed)
      .when(attend('dzb'))
      .then((e) =>
        expect(e[0]?.data).toMatchObject({
          personId: 'li',
          partyId: 'dzb',
          as: 'party-representative',
        }),
      );
    spec.given(convened).when(attend('dzb')).thenRefused('stage-out-of-order');
    spec
      .given(noticed)
      .when(
        s(
          'RecordAttendance',
          { personId: 'li', partyId: 'dzb', partyRepresentativeIds: ['other'] },
          clerk,
          day(5),
        ),
      )
      .thenRefused('not-authorised');
    spec
      .given(noticed)
      .when(
        s(
          'RecordAttendance',
          { personId: 'li', partyId: 'xx', partyRepresentativeIds: ['li'] },
          clerk,
          day(5),
        ),
      )
      .thenRefused('not-found');
    spec
      .given(attending)
      .when(
        s(
          'RecordAttendance',
          { personId: 'li2', partyId: 'dzb', partyRepresentativeIds: ['li2'] },
          clerk,
          day(5),
        ),
      )
      .thenRefused('already-exists');
  });
  it('lets a representative or resident sign in themselves, not someone else', () => {
    spec
      .given(noticed)
      .when(
        s(
          'RecordAttendance',
          { personId: 'li', partyId: 'dzb', partyRepresentativeIds: ['li'] },
          rep('dzb'),
          day(5),
        ),
      )
      .then((e) => expect(e).toHaveLength(1));
    spec
      .given(noticed)
      .when(s('RecordAttendance', { personId: 'wang' }, resident('wang'), day(5)))
      .then((e) => expect(e[0]?.data).toMatchObject({ as: 'resident' }));
    spec
      .given(noticed)
      .when(s('RecordAttendance', { personId: 'wang' }, resident('liu'), day(5)))
      .thenRefused('not-authorised');
    spec
      .given(run([s('RecordAttendance', { personId: 'wang' }, resident('wang'), day(5))], noticed))
      .when(s('RecordAttendance', { personId: 'wang' }, clerk, day(5)))
      .thenRefused('already-exists');
  });
});

describe('statements and positions', () => {
  it('records what an attendee said on an item', () => {
    spec
      .given(attending)
      .when(
        s('RecordStatement', { itemId: 'i1', text: '物业愿意承担部分费用' }, rep('wy'), day(5, 1)),
      )
      .then((e) => expect(e[0]?.data).toMatchObject({ speakerPersonId: 'qian', partyId: 'wy' }));
    spec
      .given(attending)
      .when(
        s(
          'RecordStatement',
          { itemId: 'i1', text: '记录', speakerPersonId: 'li' },
          clerk,
          day(5, 1),
        ),
      )
      .then((e) => expect(e[0]?.data).toMatchObject({ speakerPersonId: 'li' }));
    spec
      .given(attending)
      .when(s('RecordStatement', { itemId: 'i1', text: 't' }, resident('wang'), day(5, 1)))
      .thenRefused('not-attending');
    spec
      .given(attending)
      .when(
        s(
          'RecordStatement',
          { itemId: 'i1', text: 't', speakerPersonId: 'li' },
          rep('wy'),
          day(5, 1),
        ),
      )
      .thenRefused('not-authorised');
    spec
      .given(attending)
      .when(s('RecordStatement', { itemId: 'nope', text: 't' }, rep('wy'), day(5, 1)))
      .thenRefused('not-found');
  });
  it('one position per attending party, stated by its own representative', () => {
    spec
      .given(attending)
      .when(position('wy', 'i1', 'oppose'))
      .then((e) =>
        expect(e[0]?.data).toMatchObject({ partyId: 'wy', position: 'oppose', personId: 'qian' }),
      );
    spec
      .given(positioned)
      .when(position('wy', 'i1', 'support'))
      .thenRefused('already-stated');
    // A representative states only their own party's position.
    spec
      .given(attending)
      .when(
        s(
          'StatePosition',
          { itemId: 'i1', partyId: 'dzb', position: 'support' },
          rep('wy'),
          day(5, 1),
        ),
      )
      .thenRefused('not-authorised');
    // A party that is not attending has no position; nor has a representative not signed in.
    spec
      .given(attending)
      .when(position('yzw', 'i1', 'support'))
      .thenRefused('not-attending');
    spec
      .given(attending)
      .when(
        s(
          'StatePosition',
          { itemId: 'i1', partyId: 'wy', position: 'support' },
          representative('qian2', 'wy'),
          day(5, 1),
        ),
      )
      .thenRefused('not-authorised');
    spec
      .given(resolved)
      .when(position('wy', 'i1', 'support'))
      .thenRefused('already-resolved');
  });
});

describe('ResolveItem', () => {
  it('resolves by the joint-session rule and records dissent (consensus of the required parties)', () => {
    spec
      .given(positioned)
      .when(s('ResolveItem', { itemId: 'i1' }, convener, day(5, 2)))
      .then((e) =>
        expect(e[0]?.data).toMatchObject({
          itemId: 'i1',
          proposalId: 'p1',
          // The property company is concerned by i1, so required: its opposition blocks consensus.
          outcome: 'rejected',
          dissentingPartyIds: ['wy'],
          result: { rule: 'joint-session-resolution', figures: { required: ['dzb', 'jwh', 'wy'] } },
        }),
      );
  });
  it('refuses while a required party is absent (quorum of required parties)', () => {
    const partial = run([attend('dzb'), attend('wy')], noticed);
    spec
      .given(partial)
      .when(s('ResolveItem', { itemId: 'i1' }, convener, day(5, 2)))
      .thenRefused('quorum-not-met', { absentPartyIds: ['jwh'] });
  });
  it('refuses an item resolved already', () => {
    spec
      .given(drafted)
      .when(s('ResolveItem', { itemId: 'i1' }, convener, day(6, 1)))
      .thenRefused('minutes-final');
    spec
      .given(run([s('ResolveItem', { itemId: 'i1' }, convener, day(5, 2))], positioned))
      .when(s('ResolveItem', { itemId: 'i1' }, convener, day(5, 3)))
      .thenRefused('already-resolved');
  });
});

describe('residents’ council meeting (居民议事会)', () => {
  const council = run([
    s(
      'ConveneSession',
      {
        ...jointSession,
        kind: 'residents-council',
        sessionId: 's2',
        memberIds: ['m1', 'm2', 'm3'],
        agenda: [{ itemId: 'i1', title: '绿化', concernedPartyIds: [] }],
      },
      convener,
      day(1),
    ),
    s('GiveSessionNotice', { text: '通知' }, clerk, day(2)),
    s('RecordAttendance', { personId: 'm1' }, clerk, day(5)),
    s('RecordAttendance', { personId: 'm2' }, clerk, day(5)),
  ]);
  const vote = (person: string, choice: 'yes' | 'no') =>
    s('CastMemberVote', { itemId: 'i1', choice }, resident(person), day(5, 1));
  it('members vote; more than half of those present decides', () => {
    const votes = run([vote('m1', 'yes'), vote('m2', 'yes')], council);
    spec
      .given(votes)
      .when(s('ResolveItem', { itemId: 'i1' }, convener, day(5, 2)))
      .then((e) =>
        expect(e[0]?.data).toMatchObject({
          outcome: 'adopted',
          result: { rule: 'residents-meeting', figures: { present: 2, yes: 2 } },
        }),
      );
  });
  it('refuses non-members, absent members, second votes, positions', () => {
    spec.given(council).when(vote('x', 'yes')).thenRefused('not-eligible');
    spec.given(council).when(vote('m3', 'yes')).thenRefused('not-attending');
    spec
      .given(run([vote('m1', 'yes')], council))
      .when(vote('m1', 'no'))
      .thenRefused('already-voted');
    spec
      .given(council)
      .when(position('dzb', 'i1', 'support'))
      .thenRefused('invalid-command');
    spec.given(attending).when(vote('m1', 'yes')).thenRefused('invalid-command');
  });
});

describe('minutes', () => {
  it('the clerk drafts once every item is resolved', () => {
    spec
      .given(resolved)
      .when(s('DraftMinutes', { text: '纪要' }, clerk, day(6)))
      .then((e) => expect(e[0]?.data).toMatchObject({ version: 1 }));
    spec
      .given(positioned)
      .when(s('DraftMinutes', { text: '纪要' }, clerk, day(6)))
      .thenRefused('stage-out-of-order');
  });
  it('an attending party amends the draft; the amendment voids earlier signatures', () => {
    const signedOnce = run([signAll[0]!], drafted);
    const amended = spec
      .given(signedOnce)
      .when(
        s(
          'AmendMinutes',
          { text: '纪要（物业意见补充）', reason: '补充异议' },
          rep('wy'),
          day(6, 1),
        ),
      )
      .then((e) =>
        expect(e[0]?.data).toMatchObject({
          version: 2,
          textHash: textHashOf('纪要（物业意见补充）'),
          voidedSignaturePartyIds: ['dzb'],
        }),
      );
    // The signature of version 1 does not carry over to version 2.
    spec
      .given([...signedOnce, ...amended])
      .when(signAll[0]!)
      .thenRefused('minutes-changed', { version: 2, textHash: textHashOf('纪要（物业意见补充）') });
    spec
      .given([...signedOnce, ...amended])
      .when(sign('dzb', textHashOf('纪要（物业意见补充）')))
      .then((e) => expect(e[0]?.data).toMatchObject({ version: 2 }));
  });
  it('only the clerk or a representative of an attending party amends (#20.2)', () => {
    const amend = (actor: Actor) => s('AmendMinutes', { text: 't', reason: 'r' }, actor, day(6));
    spec
      .given(drafted)
      .when(amend(resident('nobody')))
      .thenRefused('not-authorised');
    spec.given(drafted).when(amend(convener)).thenRefused('not-authorised');
    // The owners' committee was invited but did not attend.
    spec
      .given(drafted)
      .when(amend(rep('yzw')))
      .thenRefused('not-authorised');
    spec
      .given(drafted)
      .when(amend(clerk))
      .then((e) => expect(e[0]?.type).toBe('MinutesAmended'));
    spec
      .given(resolved)
      .when(s('AmendMinutes', { text: 't', reason: 'r' }, rep('wy'), day(6)))
      .thenRefused('stage-out-of-order');
  });
  it('a signature names the text it signed: B signs v1 after v2 exists, and is refused (#20.2)', () => {
    // B (the residents' committee) read version 1; the property company amended it to version 2.
    const v2 = '会议纪要（物业公司修改第二项）';
    const amended = run(
      [signAll[0]!, s('AmendMinutes', { text: v2, reason: '修改' }, rep('wy'), day(6, 2))],
      drafted,
    );
    spec
      .given(amended)
      .when(sign('jwh', v1))
      .thenRefused('minutes-changed', { version: 2, textHash: textHashOf(v2) });
    // Finalised only when every attending party signed the final text.
    const signedV2 = run(
      ['dzb', 'jwh'].map((id) => sign(id, textHashOf(v2))),
      amended,
    );
    spec
      .given(signedV2)
      .when(sign('wy', textHashOf(v2)))
      .then((e) =>
        expect(e[1]).toMatchObject({
          type: 'MinutesFinalised',
          data: { version: 2, textHash: textHashOf(v2), signedByPartyIds: ['dzb', 'jwh', 'wy'] },
        }),
      );
  });
  it('minutes recorded before signatures named hashes are signed by the hash of their text', () => {
    const old = upcastEvent({
      type: 'MinutesDrafted',
      data: { text: '旧纪要', version: 1, at: day(6), by: clerk },
    }) as SessionEvent;
    spec
      .given([...resolved, old])
      .when(sign('dzb', textHashOf('旧纪要')))
      .then((e) => expect(e[0]?.data).toMatchObject({ version: 1 }));
  });
  it('each attending party signs through its representative; all signatures make it final', () => {
    const two = run(signAll.slice(0, 2), drafted);
    spec
      .given(two)
      .when(signAll[2]!)
      .then((e) => {
        expect(e.map((x) => x.type)).toEqual(['MinutesSigned', 'MinutesFinalised']);
        expect(e[1]?.data).toMatchObject({ version: 1, signedByPartyIds: ['dzb', 'jwh', 'wy'] });
      });
    spec.given(two).when(signAll[0]!).thenRefused('already-signed');
    spec
      .given(drafted)
      .when(s('SignMinutes', { partyId: 'dzb', textHash: v1 }, rep('wy'), day(7)))
      .thenRefused('not-authorised');
    spec
      .given(drafted)
      .when(s('SignMinutes', { partyId: 'yzw', textHash: v1 }, rep('yzw'), day(7)))
      .thenRefused('not-attending');
    spec.given(resolved).when(signAll[0]!).thenRefused('stage-out-of-order');
  });
  it('final minutes refuse amendments, new drafts and signatures', () => {
    spec
      .given(final)
      .when(s('AmendMinutes', { text: 't', reason: 'r' }, rep('wy'), day(8)))
      .thenRefused('minutes-final');
    spec
      .given(final)
      .when(s('DraftMinutes', { text: 't' }, clerk, day(8)))
      .thenRefused('minutes-final');
    spec.given(final).when(signAll[0]!).thenRefused('minutes-final');
  });
  it('after that only a signed correction follows, and both stay visible', () => {
    const correct = s(
      'CorrectMinutes',
      { correctionId: 'c1', text: '第二项表述更正', reason: '笔误' },
      clerk,
      day(9),
    );
    spec.given(drafted).when(correct).thenRefused('minutes-not-final');
    const proposed = spec
      .given(final)
      .when(correct)
      .then((e) => expect(e[0]?.type).toBe('MinutesCorrectionProposed'));
    spec
      .given([...final, ...proposed])
      .when(correct)
      .thenRefused('already-exists');
    const signCorrection = (id: string) =>
      s('SignMinutesCorrection', { correctionId: 'c1', partyId: id }, rep(id), day(10));
    const two = run([signCorrection('dzb'), signCorrection('jwh')], [...final, ...proposed]);
    spec
      .given(two)
      .when(signCorrection('wy'))
      .then((e) =>
        expect(e.map((x) => x.type)).toEqual([
          'MinutesCorrectionSigned',
          'MinutesCorrectionFinalised',
        ]),
      );
    spec.given(two).when(signCorrection('dzb')).thenRefused('already-signed');
    spec.given(final).when(signCorrection('dzb')).thenRefused('not-found');
    spec
      .given(run([signCorrection('wy')], two))
      .when(signCorrection('wy'))
      .thenRefused('minutes-final');
    const all = run([signCorrection('wy')], two);
    spec
      .given(all)
      .when(s('PublishMinutes', {}, convener, day(11)))
      .then((e) => expect(e[0]?.data).toMatchObject({ version: 1, correctionIds: ['c1'] }));
  });
  it('publishes only final minutes', () => {
    spec
      .given(drafted)
      .when(s('PublishMinutes', {}, convener, day(8)))
      .thenRefused('minutes-not-final');
    spec
      .given(final)
      .when(s('PublishMinutes', { documentRef: '公告栏' }, clerk, day(8)))
      .then((e) => expect(e[0]?.data).toMatchObject({ correctionIds: [] }));
  });
});

describe('minutes of a residents’ council (议事会): its attending members sign', () => {
  const text = '议事会会议纪要';
  const council = run([
    s(
      'ConveneSession',
      {
        ...jointSession,
        kind: 'residents-council',
        sessionId: 's3',
        parties: [],
        memberIds: ['m1', 'm2', 'm3'],
        agenda: [{ itemId: 'i1', title: '绿化', concernedPartyIds: [] }],
      },
      convener,
      day(1),
    ),
    s('GiveSessionNotice', { text: '通知' }, clerk, day(2)),
    s('RecordAttendance', { personId: 'm1' }, clerk, day(5)),
    s('RecordAttendance', { personId: 'm2' }, clerk, day(5)),
    // A resident sits in (列席): present, but no member, so no signer.
    s('RecordAttendance', { personId: 'r9' }, clerk, day(5)),
    s('CastMemberVote', { itemId: 'i1', choice: 'yes' }, resident('m1'), day(5, 1)),
    s('CastMemberVote', { itemId: 'i1', choice: 'yes' }, resident('m2'), day(5, 1)),
    s('ResolveItem', { itemId: 'i1' }, convener, day(5, 2)),
  ]);
  const drafted = run([s('DraftMinutes', { text }, clerk, day(6))], council);
  const memberSigns = (personId: string, textHash = textHashOf(text)) =>
    s('SignMinutes', { textHash }, resident(personId), day(7));

  it('drafts minutes with no party present: the members sign them', () => {
    expect(drafted.at(-1)?.type).toBe('MinutesDrafted');
  });
  it('a member’s signature names the member; the last attending member’s finalises', () => {
    spec
      .given(drafted)
      .when(memberSigns('m1'))
      .then((e) => {
        expect(e.map((x) => x.type)).toEqual(['MinutesSigned']);
        expect(e[0]?.data).toMatchObject({ personId: 'm1', version: 1 });
        expect(e[0]?.data).not.toHaveProperty('partyId');
      });
    spec
      .given(run([memberSigns('m1')], drafted))
      .when(memberSigns('m2'))
      .then((e) => {
        expect(e.map((x) => x.type)).toEqual(['MinutesSigned', 'MinutesFinalised']);
        expect(e[1]?.data).toMatchObject({ signedByPartyIds: [], signedByMemberIds: ['m1', 'm2'] });
      });
  });
  it('refuses an absent member, a non-member, a second signature and a stale text', () => {
    spec.given(drafted).when(memberSigns('m3')).thenRefused('not-attending');
    spec.given(drafted).when(memberSigns('r9')).thenRefused('not-authorised');
    spec.given(drafted).when(memberSigns('x')).thenRefused('not-authorised');
    spec
      .given(run([memberSigns('m1')], drafted))
      .when(memberSigns('m1'))
      .thenRefused('already-signed');
    spec
      .given(drafted)
      .when(memberSigns('m1', textHashOf('另一稿')))
      .thenRefused('minutes-changed');
  });
  it('an attending member amends the draft, voiding the members’ signatures', () => {
    spec
      .given(run([memberSigns('m1')], drafted))
      .when(s('AmendMinutes', { text: '修改稿', reason: '补充' }, resident('m2'), day(7, 1)))
      .then((e) =>
        expect(e[0]?.data).toMatchObject({ version: 2, voidedSignatureMemberIds: ['m1'] }),
      );
    spec
      .given(drafted)
      .when(s('AmendMinutes', { text: '修改稿', reason: '补充' }, resident('m3'), day(7, 1)))
      .thenRefused('not-authorised');
  });
  it('members sign a correction of the final minutes the same way', () => {
    const final = run([memberSigns('m1'), memberSigns('m2')], drafted);
    const proposed = run(
      [s('CorrectMinutes', { correctionId: 'c1', text: '更正', reason: '笔误' }, clerk, day(8))],
      final,
    );
    const signCorrection = (personId: string) =>
      s('SignMinutesCorrection', { correctionId: 'c1' }, resident(personId), day(9));
    spec
      .given(run([signCorrection('m1')], proposed))
      .when(signCorrection('m2'))
      .then((e) =>
        expect(e.map((x) => x.type)).toEqual([
          'MinutesCorrectionSigned',
          'MinutesCorrectionFinalised',
        ]),
      );
    spec.given(proposed).when(signCorrection('m3')).thenRefused('not-attending');
  });
});

describe('reminding the signers of minutes (scheduler only)', () => {
  const remind = (version = 1, actor: Actor = SYSTEM_ACTOR) =>
    s('RemindSigners', { version }, actor, day(9));
  it('reminds each attending party’s representative who has not signed, once a version', () => {
    const oneSigned = run([signAll[0]!], drafted);
    spec
      .given(oneSigned)
      .when(remind())
      .then((e) =>
        expect(e).toEqual([
          expect.objectContaining({
            type: 'SignersReminded',
            data: expect.objectContaining({
              version: 1,
              partyIds: ['jwh', 'wy'],
              personIds: ['zhang', 'qian'],
            }),
          }),
        ]),
      );
    const reminded = run([remind()], oneSigned);
    spec.given(reminded).when(remind()).thenRefused('already-exists');
  });
  it('refuses anyone but the scheduler, a stale version, final minutes and no minutes', () => {
    spec.given(drafted).when(remind(1, clerk)).thenRefused('not-authorised');
    spec.given(drafted).when(remind(2)).thenRefused('minutes-changed');
    spec.given(run(signAll, drafted)).when(remind()).thenRefused('minutes-final');
    spec.given(resolved).when(remind()).thenRefused('stage-out-of-order');
  });
  it('a new version may be reminded again', () => {
    const amended = run(
      [remind(), s('AmendMinutes', { text: '第二稿', reason: '补充' }, clerk, day(10))],
      drafted,
    );
    spec
      .given(amended)
      .when(remind(2))
      .then((e) =>
        expect(e[0]?.data).toMatchObject({ version: 2, partyIds: ['dzb', 'jwh', 'wy'] }),
      );
  });
});
