import { describe, expect, it } from 'vitest';
import { convener, resident } from '../testing/fixtures.ts';
import { commandsOf, day, history, specFor } from '../testing/spec.ts';
import {
  type ConvocationCommand,
  type ConvocationElectorate,
  type ConvocationEvent,
  convocationDecider,
  convocationEventSchemas,
  type SignerCapacity,
  type SignerFacts,
} from './convocation.ts';

// 提议召开居民会议 (城市居民委员会组织法 Art. 10; domain.md 3.2): ≥ 1/5 of adult residents,
// ≥ 1/5 of households or ≥ 1/3 of resident groups. 以上 includes the number itself.

const spec = specFor(convocationDecider, convocationEventSchemas);
const c = commandsOf<ConvocationCommand>();
const run = (commands: ConvocationCommand[], from: ConvocationEvent[] = []) =>
  history(convocationDecider, commands, from);

/** The bodies Art. 10 counts, unless a test says otherwise: 10 adults, 15 households, 6 groups. */
const body: ConvocationElectorate = { adults: 10, households: 15, groups: 6 };
/** An adult resident who may sign for household `h-<id>` and, when given, group `g`. */
const facts = (id: string, extra: Partial<SignerFacts> = {}): SignerFacts => ({
  adultResident: true,
  householdId: `h-${id}`,
  ...extra,
});

function request(
  id = 'a',
  capacity: SignerCapacity = 'adult-resident',
  electorate = body,
  signer = facts(id),
) {
  return c(
    'RequestResidentsMeeting',
    {
      requestId: 'r1',
      communityId: 'hp',
      communityKind: 'urban',
      matters: '小区东门封闭改道，请召开居民会议讨论。',
      capacity,
      signer,
      electorate,
    },
    resident(id),
    day(0),
  );
}
function signs(
  id: string,
  capacity: SignerCapacity = 'adult-resident',
  electorate = body,
  signer = facts(id),
) {
  return c('SignResidentsMeetingRequest', { capacity, signer, electorate }, resident(id), day(1));
}
const mustConvene = (events: readonly ConvocationEvent[]) =>
  events.find((e) => e.type === 'ResidentsMeetingMustBeConvened')?.data;

describe('the threshold, at its boundaries (以上: the number itself suffices)', () => {
  it('adults: exactly 1/5 (2 of 10) must convene; one fewer (1 of 10) does not', () => {
    const one = run([request('a')]);
    expect(mustConvene(one)).toBeUndefined();
    spec
      .given(one)
      .when(signs('b'))
      .then((events) => {
        expect(events.map((e) => e.type)).toEqual([
          'ResidentsMeetingRequestSigned',
          'ResidentsMeetingMustBeConvened',
        ]);
        expect(mustConvene(events)).toMatchObject({
          passed: ['request-adults'],
          figures: {
            adults: { total: 10, requesting: 2 },
            households: { total: 15, requesting: 0 },
            groups: { total: 6, requesting: 0 },
          },
          signatures: { adults: 2, households: 0, groups: 0 },
        });
      });
  });
  it('adults: 2 of 11 fall short (10 < 11), 3 of 11 suffice', () => {
    const eleven = { ...body, adults: 11 };
    const two = run([request('a', 'adult-resident', eleven), signs('b', 'adult-resident', eleven)]);
    expect(mustConvene(two)).toBeUndefined();
    spec
      .given(two)
      .when(signs('c', 'adult-resident', eleven))
      .then((events) =>
        expect(mustConvene(events)).toMatchObject({
          figures: { adults: { total: 11, requesting: 3 } },
        }),
      );
  });
  it('households: exactly 1/5 (3 of 15) must convene; 2 of 15 do not', () => {
    const two = run([request('a', 'household'), signs('b', 'household')]);
    expect(mustConvene(two)).toBeUndefined();
    spec
      .given(two)
      .when(signs('c', 'household'))
      .then((events) =>
        expect(mustConvene(events)).toMatchObject({
          passed: ['request-households'],
          figures: { households: { total: 15, requesting: 3 } },
          signatures: { adults: 0, households: 3, groups: 0 },
        }),
      );
  });
  it('resident groups: exactly 1/3 (2 of 6) must convene; 1 of 6 does not', () => {
    const one = run([request('a', 'resident-group', body, facts('a', { groupId: 'g1' }))]);
    expect(mustConvene(one)).toBeUndefined();
    spec
      .given(one)
      .when(signs('b', 'resident-group', body, facts('b', { groupId: 'g2' })))
      .then((events) =>
        expect(mustConvene(events)).toMatchObject({
          passed: ['request-groups'],
          figures: { groups: { total: 6, requesting: 2 } },
        }),
      );
  });
  it('records every test with its figures and thresholds, and the tests that passed', () => {
    const events = run([
      request('a'),
      signs('x', 'household'),
      signs('b', 'adult-resident', { adults: 10, households: 5, groups: 6 }),
    ]);
    const { at, by, ...recorded } = mustConvene(events)!;
    expect(by).toEqual(resident('b'));
    expect(at).toBe(day(1));
    expect(recorded).toEqual({
      rule: 'residents-meeting-convocation',
      outcome: 'must-convene',
      tests: [
        {
          name: 'request-adults',
          value: 2,
          base: 10,
          threshold: { numerator: 1, denominator: 5, inclusive: true },
          passed: true,
          group: 'request',
        },
        {
          name: 'request-households',
          value: 1,
          base: 5,
          threshold: { numerator: 1, denominator: 5, inclusive: true },
          passed: true,
          group: 'request',
        },
        {
          name: 'request-groups',
          value: 0,
          base: 6,
          threshold: { numerator: 1, denominator: 3, inclusive: true },
          passed: false,
          group: 'request',
        },
      ],
      passed: ['request-adults', 'request-households'],
      figures: {
        adults: { total: 10, requesting: 2 },
        households: { total: 5, requesting: 1 },
        groups: { total: 6, requesting: 0 },
        thresholds: {
          adults: { numerator: 1, denominator: 5, inclusive: true },
          households: { numerator: 1, denominator: 5, inclusive: true },
          groups: { numerator: 1, denominator: 3, inclusive: true },
        },
      },
      signatures: { adults: 2, households: 1, groups: 0 },
    });
  });
  it('a body that shrank below its signatures: the rule sees the count capped, and passes', () => {
    const events = run([
      request('a'),
      signs('b', 'adult-resident', { adults: 1, households: 15, groups: 6 }),
    ]);
    expect(mustConvene(events)).toMatchObject({
      figures: { adults: { total: 1, requesting: 1 } },
      signatures: { adults: 2 },
    });
  });
});

describe('RequestResidentsMeeting', () => {
  it('puts the request on record with the first signature', () => {
    spec
      .given([])
      .when(request('a'))
      .then([
        {
          type: 'ResidentsMeetingRequested',
          data: {
            communityId: 'hp',
            requestId: 'r1',
            matters: '小区东门封闭改道，请召开居民会议讨论。',
            at: day(0),
            by: resident('a'),
          },
        },
        {
          type: 'ResidentsMeetingRequestSigned',
          data: {
            capacity: 'adult-resident',
            signerId: 'a',
            countedId: 'a',
            at: day(0),
            by: resident('a'),
          },
        },
      ]);
  });
  it('one signature can reach the threshold of a small body', () => {
    spec
      .given([])
      .when(request('a', 'adult-resident', { adults: 5, households: 5, groups: 3 }))
      .then((events) => expect(mustConvene(events)).toMatchObject({ passed: ['request-adults'] }));
  });
  it('refuses a village (村民会议 has its own rule), a second request of the same id', () => {
    const village = c(
      'RequestResidentsMeeting',
      { ...(request('a').data as object), communityKind: 'rural' } as never,
      resident('a'),
      day(0),
    );
    spec.given([]).when(village).thenRefused('invalid-command');
    spec
      .given(run([request('a')]))
      .when(request('b'))
      .thenRefused('already-exists');
  });
  it('refuses a signer who is not an adult resident', () => {
    spec
      .given([])
      .when(request('kid', 'adult-resident', body, { adultResident: false }))
      .thenRefused('not-eligible', { personId: 'kid' });
  });
});

describe('SignResidentsMeetingRequest', () => {
  const requested = run([request('a')]);
  it('counts a household once, whoever of it signs for it', () => {
    const first = run(
      [signs('b', 'household', body, facts('b', { householdId: 'h-7' }))],
      requested,
    );
    spec
      .given(first)
      .when(signs('c', 'household', body, facts('c', { householdId: 'h-7' })))
      .thenRefused('already-signed', { capacity: 'household', countedId: 'h-7' });
  });
  it('counts a resident group once, whichever representative signs for it', () => {
    const g = (id: string) => facts(id, { groupId: 'g1' });
    const first = run([signs('b', 'resident-group', body, g('b'))], requested);
    spec
      .given(first)
      .when(signs('c', 'resident-group', body, g('c')))
      .thenRefused('already-signed', { capacity: 'resident-group', countedId: 'g1' });
  });
  it('refuses a second signature of the same adult; one person may sign in each capacity', () => {
    spec.given(requested).when(signs('a')).thenRefused('already-signed', { countedId: 'a' });
    spec
      .given(requested)
      .when(signs('a', 'household'))
      .then((events) =>
        expect(events[0]).toMatchObject({ data: { capacity: 'household', countedId: 'h-a' } }),
      );
  });
  it('refuses who may not sign: no adult resident, no household to speak for, no group', () => {
    spec
      .given(requested)
      .when(signs('kid', 'adult-resident', body, { adultResident: false }))
      .thenRefused('not-eligible');
    spec
      .given(requested)
      .when(signs('kid', 'household', body, { adultResident: false, householdId: 'h-k' }))
      .thenRefused('not-eligible');
    spec
      .given(requested)
      .when(signs('b', 'household', body, { adultResident: true }))
      .thenRefused('not-eligible', { personId: 'b' });
    spec
      .given(requested)
      .when(signs('b', 'resident-group'))
      .thenRefused('not-eligible', { personId: 'b' });
  });
  it('refuses a request that does not exist', () => {
    spec.given([]).when(signs('b')).thenRefused('not-found');
  });
  it('refuses once the threshold is reached, and once the meeting is convened', () => {
    const reached = run([signs('b')], requested);
    spec
      .given(reached)
      .when(signs('c'))
      .thenRefused('already-resolved', { status: 'must-convene' });
    const convened = run([convenes()], requested);
    spec.given(convened).when(signs('c')).thenRefused('already-resolved', { status: 'convened' });
  });
});

function convenes() {
  return c(
    'RecordResidentsMeetingConvened',
    { meetingAt: day(10, 10), place: '社区活动中心', proposalIds: ['gate'] },
    convener,
    day(3),
  );
}

describe('RecordResidentsMeetingConvened', () => {
  const reached = run([request('a'), signs('b')]);
  it('records when and where the meeting sits, and the proposals it takes', () => {
    spec
      .given(reached)
      .when(convenes())
      .then([
        {
          type: 'ResidentsMeetingConvened',
          data: {
            meetingAt: day(10, 10),
            place: '社区活动中心',
            proposalIds: ['gate'],
            at: day(3),
            by: convener,
          },
        },
      ]);
  });
  it('the committee may convene before the threshold: no must-convene precedes it', () => {
    const events = run([request('a'), convenes()]);
    expect(events.map((e) => e.type)).toEqual([
      'ResidentsMeetingRequested',
      'ResidentsMeetingRequestSigned',
      'ResidentsMeetingConvened',
    ]);
  });
  it('refuses a second record, and a request that does not exist', () => {
    spec
      .given(run([convenes()], reached))
      .when(convenes())
      .thenRefused('already-resolved');
    spec.given([]).when(convenes()).thenRefused('not-found');
  });
});
