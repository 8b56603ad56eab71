import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apportion, costShares } from './shares.ts';

describe('apportion: largest remainder (最大余额法), exact to the fen', () => {
  it('splits 100.00 元 by area 1:1:1 as 33.34, 33.33, 33.33 (the first in order takes the fen)', () => {
    expect(
      apportion(10_000, [
        { id: 'a', weight: 100 },
        { id: 'b', weight: 100 },
        { id: 'c', weight: 100 },
      ]),
    ).toEqual([
      { id: 'a', amountFen: 3334 },
      { id: 'b', amountFen: 3333 },
      { id: 'c', amountFen: 3333 },
    ]);
  });

  it('gives a remaining fen to the largest remainder, not to the largest weight', () => {
    // Quotas: 7 x 3/10 = 2.1, 7 x 7/10 = 4.9: floors 2 + 4 = 6, the fen goes to b (0.9).
    expect(
      apportion(7, [
        { id: 'a', weight: 3 },
        { id: 'b', weight: 7 },
      ]),
    ).toEqual([
      { id: 'a', amountFen: 2 },
      { id: 'b', amountFen: 5 },
    ]);
  });

  it('breaks a tie of remainders by the larger weight, then by id in code-unit order', () => {
    // 1 fen over weights 1 and 1: equal remainders and weights, 'x' < 'y'.
    expect(
      apportion(1, [
        { id: 'y', weight: 1 },
        { id: 'x', weight: 1 },
      ]),
    ).toEqual([
      { id: 'y', amountFen: 0 },
      { id: 'x', amountFen: 1 },
    ]);
  });

  it('gives nothing to a zero weight and refuses when every weight is zero', () => {
    expect(
      apportion(5, [
        { id: 'a', weight: 0 },
        { id: 'b', weight: 2 },
      ]),
    ).toEqual([
      { id: 'a', amountFen: 0 },
      { id: 'b', amountFen: 5 },
    ]);
    expect(() => apportion(5, [{ id: 'a', weight: 0 }])).toThrow(RangeError);
  });

  it('always sums exactly to the total, each share the floor or the ceiling of its quota', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000_000 }),
        fc.array(fc.integer({ min: 0, max: 100_000_000 }), { minLength: 1, maxLength: 60 }),
        (total, weights) => {
          fc.pre(weights.some((w) => w > 0));
          const parts = weights.map((weight, i) => ({ id: `u${i}`, weight }));
          const shares = apportion(total, parts);
          const sum = shares.reduce((s, p) => s + p.amountFen, 0);
          expect(sum).toBe(total);
          const weightSum = BigInt(weights.reduce((s, w) => s + w, 0));
          shares.forEach((share, i) => {
            // floor(q) <= share <= ceil(q) with q = total * w / W, checked in integers.
            const exact = BigInt(total) * BigInt(weights[i]!);
            const floor = exact / weightSum;
            const ceil = floor + (exact % weightSum === 0n ? 0n : 1n);
            expect(BigInt(share.amountFen) >= floor && BigInt(share.amountFen) <= ceil).toBe(true);
          });
        },
      ),
    );
  });
});

describe('costShares: each owner’s share of a plan’s cost', () => {
  const voters = [
    { voterId: 'p1', areaCentiM2: 8_950, unitIds: ['3-101'] },
    { voterId: 'p2', areaCentiM2: 12_000, unitIds: ['3-201', '3-202'] },
    { voterId: 'developer', areaCentiM2: 8_950, unitIds: ['3-301'] },
  ];

  it('by area: shares of the total in proportion to each owner’s area, summing to it', () => {
    const shares = costShares({ basis: 'area', totalFen: 30_000_000 }, voters);
    expect(shares.totalFen).toBe(30_000_000);
    expect(shares.shares.map((s) => s.amountFen)).toEqual([8_979_933, 12_040_134, 8_979_933]);
    expect(shares.shares.reduce((s, p) => s + p.amountFen, 0)).toBe(30_000_000);
  });

  it('by rate: 30 元/m² times each owner’s area, rounded half up to the fen; the total is the sum', () => {
    // 89.50 m² x 30.00 元 = 2685.00 元; 120.00 m² x 30.00 元 = 3600.00 元.
    const shares = costShares({ basis: 'rate', fenPerSquareMetre: 3_000 }, voters);
    expect(shares.shares.map((s) => s.amountFen)).toEqual([268_500, 360_000, 268_500]);
    expect(shares.totalFen).toBe(897_000);
    // 0.01 m² at 0.50 元/m² is half a fen: rounded up to 1 fen; at 0.49 元/m², down to 0.
    expect(
      costShares({ basis: 'rate', fenPerSquareMetre: 50 }, [
        { voterId: 'a', areaCentiM2: 1, unitIds: ['x'] },
      ]).shares[0]?.amountFen,
    ).toBe(1);
    expect(
      costShares({ basis: 'rate', fenPerSquareMetre: 49 }, [
        { voterId: 'a', areaCentiM2: 1, unitIds: ['x'] },
      ]).shares[0]?.amountFen,
    ).toBe(0);
  });

  it('by unit: equal per unit, an owner of two units paying two parts', () => {
    const shares = costShares({ basis: 'unit', totalFen: 100_000 }, voters);
    expect(shares.shares.map((s) => s.amountFen)).toEqual([25_000, 50_000, 25_000]);
  });

  it('from a fund: no owner pays a share', () => {
    const shares = costShares({ basis: 'fund', totalFen: 100_000 }, voters);
    expect(shares.totalFen).toBe(100_000);
    expect(shares.shares.every((s) => s.amountFen === 0)).toBe(true);
  });
});
