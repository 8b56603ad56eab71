import { eventsFor } from '../shared/decider.ts';
import { refuse } from '../shared/errors.ts';
import { pget } from '../shared/pmap.ts';
import {
  distinct,
  requireAll,
  requireClerk,
  requirePerson,
  sameSet,
  unitExists,
} from './guards.ts';
import type {
  CommunityCommandOf,
  CommunityDecision,
  CommunityEvent,
  CommunityRegistry,
} from './state.ts';

// Units (专有部分) with their areas and owners: what owners' votes count. Kept by the clerk.

export function registerUnit(
  command: CommunityCommandOf<'RegisterUnit'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { unitId, ownerIds, developerUnsold } = command.data;
  const error = requireAll(
    () => requireClerk(state, command.actor),
    () =>
      pget(state.units, unitId)
        ? refuse('already-exists', `unit ${unitId} exists`, { unitId })
        : undefined,
    () =>
      ownerIds.length === 0 && !developerUnsold
        ? refuse('invalid-command', 'a sold unit needs at least one owner', { unitId })
        : undefined,
    () => distinct(ownerIds, 'owner'),
    ...ownerIds.map((id) => () => requirePerson(state, id)),
  );
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('UnitRegistered', command.data)];
}

export function correctUnitArea(
  command: CommunityCommandOf<'CorrectUnitArea'>,
  state: CommunityRegistry,
): CommunityDecision {
  const unit = pget(state.units, command.data.unitId);
  const error = requireClerk(state, command.actor) ?? unitExists(unit, command.data.unitId);
  if (error || !unit) return error ?? [];
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('UnitAreaCorrected', { ...command.data, previous: unit.areas })];
}

export function transferUnit(
  command: CommunityCommandOf<'TransferUnit'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { unitId, ownerIds } = command.data;
  const unit = pget(state.units, unitId);
  const error = requireAll(
    () => requireClerk(state, command.actor),
    () => unitExists(unit, unitId),
    () => distinct(ownerIds, 'owner'),
    ...ownerIds.map((id) => () => requirePerson(state, id)),
  );
  if (error || !unit) return error ?? [];
  if (!unit.developerUnsold && sameSet(unit.ownerIds, ownerIds)) {
    return refuse('invalid-command', 'the unit already has these owners', { unitId });
  }
  const emit = eventsFor<CommunityEvent>(command);
  return [
    emit('UnitTransferred', {
      ...command.data,
      previousOwnerIds: [...unit.ownerIds],
      wasDeveloperUnsold: unit.developerUnsold,
    }),
  ];
}
