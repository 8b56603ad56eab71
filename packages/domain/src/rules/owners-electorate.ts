import { z } from 'zod';
import { assertCount, uniqueSet } from './ratio.ts';

// The owners' electorate (业主) for Civil Code Art. 278 votes, built from the unit registry
// and frozen into the vote-opened event. Area: SPC interpretation on building-unit ownership
// (2020) Art. 8; head count: same, Art. 9.

/** An exclusive part (专有部分) with its voting area and registered owners. */
export const OwnedUnit = z.object({
  unitId: z.string().min(1),
  areaCentiM2: z.number().int().positive(),
  ownerIds: z.array(z.string().min(1)),
  /** home, shop or parking space (the registry's UnitKind, community/schemas.ts). */
  kind: z.enum(['home', 'shop', 'parking']),
  /** Not yet sold, or sold but not yet delivered (未出售或未交付): counted with the developer. */
  developerUnsold: z.boolean().optional(),
  buildingId: z.string().min(1).optional(),
});
export type OwnedUnit = z.infer<typeof OwnedUnit>;

export const OwnersElectorateOptions = z.object({
  /** Whether parking spaces count as units for votes: open in law, default no. */
  countParking: z.boolean().default(false),
  /** The voter id under which the developer (建设单位) votes its unsold units. */
  developerId: z.string().min(1).default('developer'),
});
export type OwnersElectorateOptions = z.infer<typeof OwnersElectorateOptions>;

/** One voter of the frozen electorate: the area and head weight it carries. */
export const OwnerVoter = z.object({
  voterId: z.string().min(1),
  areaCentiM2: z.number().int().nonnegative(),
  /** Head-count weight; Art. 9 gives every voter built here exactly 1. */
  heads: z.number().int().nonnegative(),
  /** The persons who may cast this voter's single ballot. */
  ownerIds: z.array(z.string()),
  unitIds: z.array(z.string()),
});
export type OwnerVoter = z.infer<typeof OwnerVoter>;

export interface OwnersElectorate {
  voters: OwnerVoter[];
  /** Units left out of the electorate, and why. */
  excluded: { unitId: string; reason: 'parking' }[];
  options: OwnersElectorateOptions;
}

/**
 * Builds the owners' electorate from the units (SPC interpretation 2020, Art. 9):
 * - one unit is one head;
 * - all units the developer has not sold or not delivered are one voter with one head and
 *   their summed area, under `options.developerId`;
 * - several units of the same buyer are one voter with one head and their summed area;
 * - co-owners (共有人) of a unit share its one head and vote through one ballot cast by any of
 *   them (the command layer checks the caster is among `ownerIds`). Because a unit cannot be
 *   split and a person is one head, owners linked through shared units form one voter
 *   (a connected group); the voter id is the group's smallest owner id (code-unit order).
 * - parking spaces count only when `countParking` is true (domain.md: open, default no).
 */
export function ownersElectorate(
  units: readonly OwnedUnit[],
  options: z.input<typeof OwnersElectorateOptions> = {},
): OwnersElectorate {
  const opts = OwnersElectorateOptions.parse(options);
  uniqueSet(
    units.map((u) => u.unitId),
    'unit',
  );

  // Union-find over persons: linking every owner of a unit makes each group one voter.
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let root = id;
    for (
      let next = parent.get(root);
      next !== undefined && next !== root;
      next = parent.get(root)
    ) {
      root = next;
    }
    for (let at = id; at !== root; ) {
      const next = parent.get(at)!;
      parent.set(at, root);
      at = next;
    }
    return root;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    // The smaller id becomes the root, so a group's root is its smallest owner id.
    if (ra < rb) parent.set(rb, ra);
    else if (rb < ra) parent.set(ra, rb);
  };

  const excluded: OwnersElectorate['excluded'] = [];
  const counted: { unit: OwnedUnit; holders: readonly string[] }[] = [];
  for (const unit of units) {
    assertCount(unit.areaCentiM2, `area of unit ${unit.unitId}`);
    if (unit.kind === 'parking' && !opts.countParking) {
      excluded.push({ unitId: unit.unitId, reason: 'parking' });
      continue;
    }
    const holders = unitHolders(unit, opts.developerId);
    if (holders.length === 0) throw new RangeError(`unit ${unit.unitId} has no owner`);
    uniqueSet(holders, `owner of unit ${unit.unitId}`);
    for (const id of holders) {
      if (!parent.has(id)) parent.set(id, id);
      union(holders[0]!, id);
    }
    counted.push({ unit, holders });
  }

  const groups = new Map<string, { area: number; owners: Set<string>; units: string[] }>();
  for (const { unit, holders } of counted) {
    const root = find(holders[0]!);
    let group = groups.get(root);
    if (!group) {
      group = { area: 0, owners: new Set(), units: [] };
      groups.set(root, group);
    }
    group.area += unit.areaCentiM2;
    for (const id of holders) group.owners.add(id);
    group.units.push(unit.unitId);
  }

  const voters: OwnerVoter[] = [];
  for (const [root, group] of groups) {
    assertCount(group.area, `area of voter ${root}`);
    const ownerIds = [...group.owners].sort(byCodeUnit);
    voters.push({
      // The root is the group's smallest id; the developer keeps its own id.
      voterId: group.owners.has(opts.developerId) ? opts.developerId : root,
      areaCentiM2: group.area,
      heads: 1,
      ownerIds,
      unitIds: group.units.sort(byCodeUnit),
    });
  }
  voters.sort((a, b) => byCodeUnit(a.voterId, b.voterId));
  excluded.sort((a, b) => byCodeUnit(a.unitId, b.unitId));
  return { voters, excluded, options: opts };
}

/** Unsold or undelivered units belong to the developer whatever buyer is on record. */
function unitHolders(unit: OwnedUnit, developerId: string): readonly string[] {
  return unit.developerUnsold ? [developerId] : unit.ownerIds;
}

/** Locale-independent order, so a frozen electorate is the same on every machine. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The owners of the other units in the same building as `unitId` (SPC interpretation 2020,
 * Art. 11: they are the interested owners for Civil Code Art. 279), without the unit's own
 * owners. Owners outside the building who prove an interest are added by the caller.
 */
export function sameBuildingOwners(
  units: readonly OwnedUnit[],
  unitId: string,
  developerId = 'developer',
): string[] {
  const unit = units.find((u) => u.unitId === unitId);
  if (!unit) throw new RangeError(`unknown unit ${unitId}`);
  if (unit.buildingId === undefined) throw new RangeError(`unit ${unitId} has no building`);
  const own = new Set(unitHolders(unit, developerId));
  const others = new Set<string>();
  for (const u of units) {
    if (u.buildingId !== unit.buildingId || u.unitId === unitId) continue;
    for (const id of unitHolders(u, developerId)) if (!own.has(id)) others.add(id);
  }
  return [...others].sort(byCodeUnit);
}
