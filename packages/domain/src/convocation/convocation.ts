import { residentsMeetingConvocation } from '../rules/meetings.ts';
import {
  type Actor,
  type CommandsOf,
  type Decider,
  type Decision,
  type Emit,
  type EventsOf,
  eventsFor,
  type OfType,
} from '../shared/decider.ts';
import { type DomainError, isDomainError, refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import { emptyPMap, type PMap, phas, pset } from '../shared/pmap.ts';
import type {
  ConvocationElectorate,
  convocationCommandSchemas,
  convocationEventSchemas,
  SignerCapacity,
  SignerFacts,
} from './schemas.ts';

export * from './schemas.ts';

// 提议召开居民会议 (城市居民委员会组织法 Art. 10): "有五分之一以上的十八周岁以上的居民、五分之一
// 以上的户或者三分之一以上的居民小组提议，应当召集居民会议". A request collects signatures, each
// counted once in the capacity it is given in; the signature that brings one body to its
// threshold (以上: inclusive) also records that the residents' committee must convene the
// meeting, with every figure. The convener then records when the meeting sits.

export type ConvocationCommand = CommandsOf<typeof convocationCommandSchemas>;
export type ConvocationEvent = EventsOf<typeof convocationEventSchemas>;

export interface ConvocationRequest {
  readonly status: 'collecting' | 'must-convene' | 'convened';
  readonly communityId: string;
  readonly requestId: string;
  readonly requestedBy: Actor;
  /** Counted ids per capacity: persons, households, groups. */
  readonly signed: Readonly<Record<SignerCapacity, PMap<true>>>;
}

export type ConvocationState = { readonly status: 'none' } | ConvocationRequest;

type ConvocationDecision = Decision<ConvocationEvent>;

const noSignatures = (): ConvocationRequest['signed'] => ({
  'adult-resident': emptyPMap(),
  household: emptyPMap(),
  'resident-group': emptyPMap(),
});

/** The id a signature counts for in its capacity, or why the signer cannot give it. */
function countedId(
  actor: Actor,
  capacity: SignerCapacity,
  signer: SignerFacts,
): string | DomainError {
  // Every capacity is a resident's: a household or group speaks through an adult of it.
  if (!signer.adultResident) {
    return refuse('not-eligible', 'only an adult resident of the community signs (18+)', {
      personId: actor.personId,
    });
  }
  switch (capacity) {
    case 'adult-resident':
      return actor.personId;
    case 'household':
      return (
        signer.householdId ??
        refuse('not-eligible', 'a household signs through its representative', {
          personId: actor.personId,
        })
      );
    case 'resident-group':
      return (
        signer.groupId ??
        refuse('not-eligible', 'a resident group signs through an elected representative', {
          personId: actor.personId,
        })
      );
    default: {
      const _exhaustive: never = capacity;
      return refuse('invalid-command', 'unknown capacity');
    }
  }
}

/** Counts after one more signature, capped at each body's size for the rule (see schema). */
function convocationCheck(signed: ConvocationRequest['signed'], electorate: ConvocationElectorate) {
  const signatures = {
    adults: signed['adult-resident'].size,
    households: signed.household.size,
    groups: signed['resident-group'].size,
  };
  const count = (requesting: number, total: number) => ({
    total,
    requesting: Math.min(requesting, total),
  });
  const outcome = residentsMeetingConvocation({
    adults: count(signatures.adults, electorate.adults),
    households: count(signatures.households, electorate.households),
    groups: count(signatures.groups, electorate.groups),
  });
  return { outcome, signatures };
}

/** The signature's events: signed, and must-convene when this one reaches a threshold. */
function sign(
  state: Pick<ConvocationRequest, 'signed'>,
  data: OfType<ConvocationCommand, 'SignResidentsMeetingRequest'>['data'],
  actor: Actor,
  emit: Emit<ConvocationEvent>,
): ConvocationDecision {
  const id = countedId(actor, data.capacity, data.signer);
  if (typeof id !== 'string') return id;
  if (phas(state.signed[data.capacity], id)) {
    return refuse('already-signed', `${id} has already signed as ${data.capacity}`, {
      capacity: data.capacity,
      countedId: id,
    });
  }
  const signed = {
    ...state.signed,
    [data.capacity]: pset(state.signed[data.capacity], id, true as const),
  };
  const events: ConvocationEvent[] = [
    emit('ResidentsMeetingRequestSigned', {
      capacity: data.capacity,
      signerId: actor.personId,
      countedId: id,
    }),
  ];
  const { outcome, signatures } = convocationCheck(signed, data.electorate);
  if (outcome.outcome === 'must-convene') {
    events.push(
      emit('ResidentsMeetingMustBeConvened', {
        rule: 'residents-meeting-convocation',
        outcome: 'must-convene',
        tests: outcome.tests,
        passed: outcome.tests.filter((t) => t.passed).map((t) => t.name),
        figures: outcome.figures,
        signatures,
      }),
    );
  }
  return events;
}

function evolveRequest(state: ConvocationRequest, event: ConvocationEvent): ConvocationRequest {
  switch (event.type) {
    case 'ResidentsMeetingRequested':
      return state;
    case 'ResidentsMeetingRequestSigned': {
      const { capacity, countedId: id } = event.data;
      return {
        ...state,
        signed: { ...state.signed, [capacity]: pset(state.signed[capacity], id, true as const) },
      };
    }
    case 'ResidentsMeetingMustBeConvened':
      return { ...state, status: 'must-convene' };
    case 'ResidentsMeetingConvened':
      return { ...state, status: 'convened' };
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

function decideRequest(
  command: ConvocationCommand,
  state: ConvocationRequest,
): ConvocationDecision {
  const emit = eventsFor<ConvocationEvent>(command);
  switch (command.type) {
    case 'RequestResidentsMeeting':
      return refuse('already-exists', `request ${command.data.requestId} exists`);
    case 'SignResidentsMeetingRequest':
      if (state.status !== 'collecting') {
        const done =
          state.status === 'convened'
            ? 'the meeting has been convened'
            : 'the request has reached its threshold already';
        return refuse('already-resolved', done, {
          status: state.status,
        });
      }
      return sign(state, command.data, command.actor, emit);
    case 'RecordResidentsMeetingConvened':
      // The residents' committee convenes on its own motion too (Art. 10): it may answer a
      // request before the threshold; the record then shows no must-convene before it.
      if (state.status === 'convened') {
        return refuse('already-resolved', 'the meeting has been convened already');
      }
      return [emit('ResidentsMeetingConvened', defined(command.data))];
    default: {
      const _exhaustive: never = command;
      return refuse('invalid-command', 'unknown command');
    }
  }
}

export const convocationDecider: Decider<ConvocationCommand, ConvocationEvent, ConvocationState> = {
  initialState: () => ({ status: 'none' }),
  evolve(state, event) {
    if (event.type === 'ResidentsMeetingRequested') {
      const { communityId, requestId, by } = event.data;
      return {
        status: 'collecting',
        communityId,
        requestId,
        requestedBy: by,
        signed: noSignatures(),
      };
    }
    return state.status === 'none' ? state : evolveRequest(state, event);
  },
  decide(command, state): ConvocationDecision {
    if (state.status !== 'none') return decideRequest(command, state);
    if (command.type !== 'RequestResidentsMeeting') {
      return refuse('not-found', 'no such request');
    }
    const { requestId, communityId, communityKind, matters } = command.data;
    if (communityKind !== 'urban') {
      return refuse(
        'invalid-command',
        'a residents’ meeting is an urban community’s (a village has the villagers’ meeting)',
      );
    }
    const emit = eventsFor<ConvocationEvent>(command);
    const signed = sign({ signed: noSignatures() }, command.data, command.actor, emit);
    if (isDomainError(signed)) return signed;
    return [emit('ResidentsMeetingRequested', { communityId, requestId, matters }), ...signed];
  },
};
