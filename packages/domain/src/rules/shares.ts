import { z } from 'zod';
import { byCodeUnit } from './owners-electorate.ts';

// What a plan costs and what each owner pays of it (方案费用与业主分摊), in integer fen.
// A total split among owners uses the largest remainder method, so the shares sum exactly to
// the total; a rate per square metre is rounded half up per owner and the total is their sum.

/** Money in fen (分): integers only, up to 100 billion 元. */
export const Fen = z.number().int().min(0).max(10_000_000_000_000);
/** A total that is more than nothing (one bound only: OpenAPI linters refuse two). */
const Total = z.number().int().min(1).max(10_000_000_000_000);

/**
 * How a cost is borne: split by area (按面积分摊) or by unit (按户分摊) among the owners of
 * the vote's scope, a rate per square metre (如 30 元/m²), or paid from a fund (no owner share).
 */
export const Cost = z.discriminatedUnion('basis', [
  z.object({ basis: z.literal('area'), totalFen: Total }),
  z.object({ basis: z.literal('unit'), totalFen: Total }),
  z.object({
    basis: z.literal('rate'),
    fenPerSquareMetre: z.number().int().min(1).max(100_000_000),
  }),
  z.object({ basis: z.literal('fund'), totalFen: Total }),
]);
export type Cost = z.infer<typeof Cost>;

export interface Share {
  id: string;
  amountFen: number;
}

/**
 * Splits `totalFen` in proportion to the weights by the largest remainder method: each part
 * gets the floor of its quota, and the fen left over go one each to the largest remainders
 * (ties: the larger weight, then the id in code-unit order). Every share is the floor or the
 * ceiling of its exact quota and they sum to the total. Exact: BigInt cross-multiplication.
 */
export function apportion(
  totalFen: number,
  parts: readonly { id: string; weight: number }[],
): Share[] {
  const sum = parts.reduce((s, p) => s + BigInt(p.weight), 0n);
  if (sum <= 0n) throw new RangeError('nothing to apportion by: every weight is zero');
  const total = BigInt(totalFen);
  const floors = parts.map((p) => (total * BigInt(p.weight)) / sum);
  let left = total - floors.reduce((s, f) => s + f, 0n);
  const order = parts
    .map((p, i) => ({ i, remainder: (total * BigInt(p.weight)) % sum, p }))
    .sort(
      (a, b) =>
        (a.remainder === b.remainder ? 0 : a.remainder > b.remainder ? -1 : 1) ||
        b.p.weight - a.p.weight ||
        byCodeUnit(a.p.id, b.p.id),
    );
  for (const { i } of order) {
    if (left === 0n) break;
    floors[i]! += 1n;
    left -= 1n;
  }
  return parts.map((p, i) => ({ id: p.id, amountFen: Number(floors[i]) }));
}

/** A payer of a share: an owner voter of the frozen electorate (or its preview). */
export interface SharePayer {
  voterId: string;
  areaCentiM2: number;
  unitIds: readonly string[];
}

export interface CostShares {
  /** The cost: the stated total, or for a rate the sum of the shares. */
  totalFen: number;
  /** One share per payer, in the payers' order. */
  shares: { voterId: string; amountFen: number }[];
}

/** Each payer's share of `cost` (domain.md 3.1b: the owners of the vote's scope pay). */
export function costShares(cost: Cost, payers: readonly SharePayer[]): CostShares {
  const named = (shares: readonly Share[]) =>
    shares.map((s) => ({ voterId: s.id, amountFen: s.amountFen }));
  switch (cost.basis) {
    case 'area':
      return {
        totalFen: cost.totalFen,
        shares: named(
          apportion(
            cost.totalFen,
            payers.map((p) => ({ id: p.voterId, weight: p.areaCentiM2 })),
          ),
        ),
      };
    case 'unit':
      return {
        totalFen: cost.totalFen,
        shares: named(
          apportion(
            cost.totalFen,
            payers.map((p) => ({ id: p.voterId, weight: p.unitIds.length })),
          ),
        ),
      };
    case 'rate': {
      // area (0.01 m²) x rate (fen/m²) / 100, half up: (2x + 100) / 200 in integers.
      const shares = payers.map((p) => ({
        voterId: p.voterId,
        amountFen: Number(
          (2n * BigInt(p.areaCentiM2) * BigInt(cost.fenPerSquareMetre) + 100n) / 200n,
        ),
      }));
      return { totalFen: shares.reduce((s, p) => s + p.amountFen, 0), shares };
    }
    case 'fund':
      return {
        totalFen: cost.totalFen,
        shares: payers.map((p) => ({ voterId: p.voterId, amountFen: 0 })),
      };
    default: {
      const _exhaustive: never = cost;
      return _exhaustive;
    }
  }
}
