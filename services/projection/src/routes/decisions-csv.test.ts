import { describe, expect, it } from 'vitest';
import { decisionsCsv } from './decisions.ts';

type Row = Parameters<typeof decisionsCsv>[0][number];

/** The area cell of a decision whose totals are `areaCentiM2`. */
function areaCell(areaCentiM2: number | undefined): string {
  const row = { proposal_id: 'p1', totals: areaCentiM2 === undefined ? {} : { areaCentiM2 } };
  const [header, line] = decisionsCsv([row as unknown as Row])
    .replace(/^\uFEFF/, '')
    .split('\r\n');
  const column = header!.split(',').indexOf('total_area_m2');
  return line!.split(',')[column]!;
}

describe('decisions.csv total_area_m2', () => {
  it('writes the 0.01 m² total exactly, from the integer', () => {
    expect(areaCell(1)).toBe('0.01');
    expect(areaCell(100)).toBe('1.00');
    expect(areaCell(100_005)).toBe('1000.05');
    expect(areaCell(0)).toBe('0.00');
    expect(areaCell(undefined)).toBe('');
    // Through a float (x / 100).toFixed(2) wrote this one as 90071992547409.91.
    expect(areaCell(9_007_199_254_740_990)).toBe('90071992547409.90');
  });
});
