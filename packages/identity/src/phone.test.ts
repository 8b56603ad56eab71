import { describe, expect, it } from 'vitest';
import { maskPhone, normalisePhone } from './phone.ts';

describe('phone numbers', () => {
  it('read mainland mobiles as people write them, and E.164 elsewhere', () => {
    for (const typed of ['13812345678', '138 1234 5678', '+86 138-1234-5678', '008613812345678']) {
      expect(normalisePhone(typed), typed).toBe('+8613812345678');
    }
    expect(normalisePhone('+85291234567')).toBe('+85291234567');
    for (const bad of ['', '12345678901', '+8601012345678', '1381234567', 'abc', '+0123456789']) {
      expect(normalisePhone(bad), bad).toBeUndefined();
    }
    expect(maskPhone('+8613812345678')).toBe('138****5678');
  });
});
