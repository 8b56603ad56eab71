import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { upcastEvent } from '../catalog/events.ts';
import { convener, resident } from '../testing/fixtures.ts';
import { checkRebuild, commandsOf, day } from '../testing/spec.ts';
import {
  type ConvocationCommand,
  type ConvocationElectorate,
  convocationDecider,
  convocationEventSchemas,
  type SignerCapacity,
} from './convocation.ts';

// Any sequence of signatures: each person, household and group counts once, and the meeting
// must be convened exactly once, at the first signature where a count reaches its threshold
// (count * 5 >= adults, count * 5 >= households or count * 3 >= groups), never before.

const c = commandsOf<ConvocationCommand>();
const capacities: SignerCapacity[] = ['adult-resident', 'household', 'resident-group'];

const step = fc.record({
  person: fc.integer({ min: 0, max: 29 }),
  capacity: fc.constantFrom(...capacities),
  convene: fc.boolean(),
});
const electorate = fc.record({
  adults: fc.integer({ min: 0, max: 40 }),
  households: fc.integer({ min: 0, max: 20 }),
  groups: fc.integer({ min: 0, max: 9 }),
});

/** Person n lives in household n % 7 of group n % 4; every third person represents them. */
function command(
  i: number,
  x: { person: number; capacity: SignerCapacity; convene: boolean },
  body: ConvocationElectorate,
): ConvocationCommand {
  const at = day(i);
  if (x.convene && i > 0 && i % 5 === 0) {
    return c('RecordResidentsMeetingConvened', { meetingAt: day(i + 10) }, convener, at);
  }
  const id = `r${x.person}`;
  const signer = {
    adultResident: x.person % 10 !== 9,
    ...(x.person % 3 === 0 ? { householdId: `h${x.person % 7}`, groupId: `g${x.person % 4}` } : {}),
  };
  const signature = { capacity: x.capacity, signer, electorate: body };
  return i === 0
    ? c(
        'RequestResidentsMeeting',
        {
          requestId: 'q',
          communityId: 'hp',
          communityKind: 'urban',
          matters: '议题',
          ...signature,
        },
        resident(id),
        at,
      )
    : c('SignResidentsMeetingRequest', signature, resident(id), at);
}

describe('convocation decider, any history', () => {
  it('counts each once and must convene exactly at the threshold, once', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), electorate, (steps, body) => {
        const commands = steps.map((x, i) => command(i, x, body));
        const { events } = checkRebuild(
          convocationDecider,
          convocationEventSchemas,
          commands,
          upcastEvent,
        );
        const counts = { 'adult-resident': 0, household: 0, 'resident-group': 0 };
        const seen = new Set<string>();
        for (const [k, event] of events.entries()) {
          if (event.type !== 'ResidentsMeetingRequestSigned') continue;
          const key = `${event.data.capacity}/${event.data.countedId}`;
          expect(seen.has(key), key).toBe(false);
          seen.add(key);
          counts[event.data.capacity] += 1;
          const due =
            (body.adults > 0 && counts['adult-resident'] * 5 >= body.adults) ||
            (body.households > 0 && counts.household * 5 >= body.households) ||
            (body.groups > 0 && counts['resident-group'] * 3 >= body.groups);
          // Must-convene follows a signature exactly when the counts have reached a threshold.
          expect(events[k + 1]?.type === 'ResidentsMeetingMustBeConvened', key).toBe(due);
        }
        const count = (type: string) => events.filter((e) => e.type === type).length;
        expect(count('ResidentsMeetingMustBeConvened')).toBeLessThanOrEqual(1);
        expect(count('ResidentsMeetingConvened')).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});
