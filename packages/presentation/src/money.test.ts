import { describe, expect, it } from 'vitest';
import { fenFromYuan, hundredths, ratioDecimal, yuan } from './money.ts';

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

describe('hundredths', () => {
  it('writes integer hundredths as a plain two-place decimal, exactly', () => {
    expect(hundredths(0)).toBe('0.00');
    expect(hundredths(1)).toBe('0.01');
    expect(hundredths(99)).toBe('0.99');
    expect(hundredths(100)).toBe('1.00');
    expect(hundredths(100_005)).toBe('1000.05');
    expect(hundredths(-1)).toBe('-0.01');
    // Where a float would print 0.01 m² wrong: 1.005 m² is not 1.00 or 1.01 by rounding.
    expect(hundredths(100_500)).toBe('1005.00');
    expect(hundredths(2_147_483_647)).toBe('21474836.47');
    expect(hundredths('9007199254740993')).toBe('90071992547409.93');
  });
});

describe('fenFromYuan', () => {
  it('reads 元 as typed into integer fen, from the digits', () => {
    expect(fenFromYuan('12')).toBe(1200);
    expect(fenFromYuan('12.3')).toBe(1230);
    expect(fenFromYuan('12.34')).toBe(1234);
    expect(fenFromYuan(' ¥1,234.50 ')).toBe(123_450);
    expect(fenFromYuan('0.01')).toBe(1);
    // 0.29 * 100 is 28.999999999999996 as a float; the digits give 29.
    expect(fenFromYuan('0.29')).toBe(29);
    expect(fenFromYuan('1.1')).toBe(110);
    expect(fenFromYuan('100000000000')).toBe(10_000_000_000_000);
  });

  it('refuses what is not a positive amount with at most two decimals', () => {
    for (const text of [
      '12.345',
      'abc',
      '',
      '0',
      '0.00',
      '-5',
      '1e3',
      '12.',
      '.5',
      '1,23',
      '100000000000.01',
    ]) {
      expect(fenFromYuan(text), text).toBeUndefined();
    }
  });
});

describe('ratioDecimal', () => {
  it('rounds a mean half up at the stated places, in integer arithmetic', () => {
    // 1/8 = 0.125 exactly: half up gives 0.13 (a float's 0.125.toFixed(2) gives 0.13 too, but
    // 1.005.toFixed(2) gives 1.00: 201/200 is the case a float gets wrong).
    expect(ratioDecimal(1, 8, 2)).toBe('0.13');
    expect(ratioDecimal(201, 200, 2)).toBe('1.01');
    expect((201 / 200).toFixed(2)).toBe('1.00');
    expect(ratioDecimal(2, 3, 2)).toBe('0.67');
    expect(ratioDecimal(1, 3, 2)).toBe('0.33');
    expect(ratioDecimal(9, 2, 0)).toBe('5');
    expect(ratioDecimal(7, 2, 1)).toBe('3.5');
    expect(ratioDecimal(14, 3, 1)).toBe('4.7');
    expect(ratioDecimal(5, 1, 2)).toBe('5.00');
    expect(ratioDecimal(0, 4, 2)).toBe('0.00');
    // Below half rounds down; the sign rounds away from zero alike.
    expect(ratioDecimal(1249, 10_000, 2)).toBe('0.12');
    expect(ratioDecimal(-1, 8, 2)).toBe('-0.13');
    expect(ratioDecimal(-1, 1000, 2)).toBe('0.00');
    expect(ratioDecimal('9007199254740993', 2, 1)).toBe('4503599627370496.5');
  });

  it('shows a dash when nobody answered', () => {
    expect(ratioDecimal(0, 0, 2)).toBe('—');
  });
});
