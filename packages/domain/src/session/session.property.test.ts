import fc from 'fast-check';
import { describe, it } from 'vitest';
import { upcastEvent } from '../catalog/events.ts';
import { clerk, convener, representative, resident } from '../testing/fixtures.ts';
import { checkRebuild, commandsOf, day } from '../testing/spec.ts';
import { type SessionCommand, sessionDecider, sessionEventSchemas, textHashOf } from './session.ts';

const s = commandsOf<SessionCommand>();
const partyIds = ['dzb', 'jwh', 'wy'];
const reps: Record<string, string> = { dzb: 'li', jwh: 'zhang', wy: 'qian' };
const parties = [
  { partyId: 'dzb', kind: 'party-organisation' as const, name: '党委' },
  { partyId: 'jwh', kind: 'residents-committee' as const, name: '居委会' },
  { partyId: 'wy', kind: 'property-company' as const, name: '物业' },
];

const step = fc.record({
  kind: fc.integer({ min: 0, max: 13 }),
  party: fc.constantFrom(...partyIds),
  item: fc.constantFrom('i1', 'i2'),
  position: fc.constantFrom('support' as const, 'oppose' as const, 'abstain' as const),
  choice: fc.constantFrom('yes' as const, 'no' as const),
  member: fc.constantFrom('m1', 'm2', 'm3'),
  n: fc.integer({ min: 0, max: 1 }),
});
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function commandOf(x: Step, at: string): SessionCommand {
  const rep = representative(reps[x.party]!, x.party);
  switch (x.kind) {
    case 0:
      return s('GiveSessionNotice', { text: '通知' }, clerk, at);
    case 1:
      return s(
        'RecordAttendance',
        { personId: reps[x.party]!, partyId: x.party, partyRepresentativeIds: [reps[x.party]!] },
        clerk,
        at,
      );
    case 2:
      return s('RecordAttendance', { personId: x.member }, resident(x.member), at);
    case 3:
      return s('RecordStatement', { itemId: x.item, text: '发言' }, rep, at);
    case 4:
    case 5:
      return s(
        'StatePosition',
        { itemId: x.item, partyId: x.party, position: x.position },
        rep,
        at,
      );
    case 6:
      return s('CastMemberVote', { itemId: x.item, choice: x.choice }, resident(x.member), at);
    case 7:
      return s('ResolveItem', { itemId: x.item }, convener, at);
    case 8:
      return s('DraftMinutes', { text: '纪要' }, clerk, at);
    case 9:
      return s('AmendMinutes', { text: '纪要修改', reason: '补充' }, rep, at);
    case 10:
      // Signs the draft or the amended text, whichever is current or not.
      return s(
        'SignMinutes',
        { partyId: x.party, textHash: textHashOf(x.n % 2 ? '纪要' : '纪要修改') },
        rep,
        at,
      );
    case 11:
      return s(
        'CorrectMinutes',
        { correctionId: `c${x.n}`, text: '更正', reason: '笔误' },
        clerk,
        at,
      );
    case 12:
      return s('SignMinutesCorrection', { correctionId: `c${x.n}`, partyId: x.party }, rep, at);
    default:
      return s('PublishMinutes', {}, convener, at);
  }
}

describe('sessions: random command sequences', () => {
  it('never produce a state that evolve cannot rebuild', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.array(step, { maxLength: 25 }), { minLength: 3, maxLength: 3 }),
        (council, noise) => {
          const [before, during, after] = noise as [Step[], Step[], Step[]];
          const attend = (party: string) =>
            s(
              'RecordAttendance',
              { personId: reps[party]!, partyId: party, partyRepresentativeIds: [reps[party]!] },
              clerk,
              day(2),
            );
          const sign = (party: string) =>
            s(
              'SignMinutes',
              { partyId: party, textHash: textHashOf('纪要') },
              representative(reps[party]!, party),
              day(4),
            );
          const commands = [
            s(
              'ConveneSession',
              {
                communityId: 'hp',
                sessionId: 's1',
                kind: council ? 'residents-council' : 'joint-session',
                title: '联席会议',
                scheduledAt: day(5),
                parties,
                agenda: [
                  { itemId: 'i1', title: '一', concernedPartyIds: ['wy'] },
                  { itemId: 'i2', title: '二', concernedPartyIds: [] },
                ],
                memberIds: council ? ['m1', 'm2', 'm3'] : [],
              },
              convener,
              day(1),
            ),
            // The session's course, with random commands before, during and after it.
            s('GiveSessionNotice', { text: '通知' }, clerk, day(1)),
            ...partyIds.map(attend),
            ...['m1', 'm2'].map((m) => s('RecordAttendance', { personId: m }, clerk, day(2))),
            ...before.map((x, i) => commandOf(x, day(2, i))),
            s('ResolveItem', { itemId: 'i1' }, convener, day(3)),
            s('ResolveItem', { itemId: 'i2' }, convener, day(3)),
            s('DraftMinutes', { text: '纪要' }, clerk, day(3)),
            ...during.map((x, i) => commandOf(x, day(3, i))),
            ...partyIds.map(sign),
            ...after.map((x, i) => commandOf(x, day(4, i))),
          ];
          checkRebuild(sessionDecider, sessionEventSchemas, commands, upcastEvent);
        },
      ),
      { numRuns: 300 },
    );
  });
});
