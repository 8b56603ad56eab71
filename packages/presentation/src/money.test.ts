import { describe, expect, it } from 'vitest';
import { yuan } from './money.ts';

describe('yuan', () => {
  it('shows fen as 元 with two decimals and thousands separators, exactly', () => {
    expect(yuan(0)).toBe('0.00');
    expect(yuan(5)).toBe('0.05');
    expect(yuan(123_450)).toBe('1,234.50');
    expect(yuan('800000000')).toBe('8,000,000.00');
    expect(yuan(-7_500_001)).toBe('-75,000.01');
    // Beyond 2^53 fen, still exact (int8 columns arrive as strings).
    expect(yuan('9007199254740993')).toBe('90,071,992,547,409.93');
  });
});
