import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignInCodes } from './codes.ts';
import { type IdentityDb, migrateIdentity, tables } from './db.ts';
import { forgetOldWindows } from './rate-limits.ts';
import { identityTestDb, TEST_KEY } from './testing/database.ts';

// Codes: 6 digits, stored hashed, valid 5 minutes, 5 attempts; limits per number and address.
// Every time is given: a fake clock, never the wall clock.

let db: IdentityDb;
let codes: SignInCodes;
const t0 = new Date('2026-12-08T02:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

beforeAll(async () => {
  db = await identityTestDb();
  // Migrating twice changes nothing (every start migrates).
  await migrateIdentity(db);
  codes = new SignInCodes(db, TEST_KEY);
});
afterAll(() => db.destroy());

describe('sign-in codes', () => {
  it('are 6 digits, stored only as hashes, and right once', async () => {
    const issued = await codes.request('+8613800000001', 'a1', t0);
    if (!issued.ok) throw new Error('refused');
    expect(issued.code).toMatch(/^\d{6}$/);
    expect(issued.expiresAt).toEqual(at(300));
    const rows = await tables(db).selectFrom('otp_codes').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(issued.code);
    expect(JSON.stringify(rows)).not.toContain('13800000001');
    expect(await codes.check('+8613800000001', issued.code, 'a1', at(10))).toBe('ok');
    expect(await codes.check('+8613800000001', issued.code, 'a1', at(11))).toBe('wrong');
  });

  it('expire after 5 minutes', async () => {
    const issued = await codes.request('+8613800000002', 'a2', t0);
    if (!issued.ok) throw new Error('refused');
    expect(await codes.check('+8613800000002', issued.code, 'a2', at(300))).toBe('wrong');
  });

  it('survive 4 wrong attempts, not 5', async () => {
    for (const [phone, wrong] of [
      ['+8613800000003', 4],
      ['+8613800000004', 5],
    ] as const) {
      const issued = await codes.request(phone, 'a3', t0);
      if (!issued.ok) throw new Error('refused');
      const other = issued.code === '000000' ? '111111' : '000000';
      for (let i = 0; i < wrong; i++) {
        expect(await codes.check(phone, other, 'a3', at(i + 1))).toBe('wrong');
      }
      expect(await codes.check(phone, issued.code, 'a3', at(10)), `${wrong} wrong`).toBe(
        wrong < 5 ? 'ok' : 'wrong',
      );
    }
  });

  it('a newer code supersedes the last', async () => {
    const first = await codes.request('+8613800000005', 'a4', t0);
    const second = await codes.request('+8613800000005', 'a4', at(61));
    if (!first.ok || !second.ok) throw new Error('refused');
    if (first.code !== second.code) {
      expect(await codes.check('+8613800000005', first.code, 'a4', at(62))).toBe('wrong');
    }
    expect(await codes.check('+8613800000005', second.code, 'a4', at(63))).toBe('ok');
  });

  it('limit requests per number (one a minute, five an hour) and per address', async () => {
    const phone = '+8613800000006';
    expect((await codes.request(phone, 'b1', at(0))).ok).toBe(true);
    // Too soon after the last; a refused request counts too (five asks an hour, not five codes).
    expect((await codes.request(phone, 'b2', at(30))).ok).toBe(false);
    for (let minute = 1; minute <= 3; minute++) {
      expect((await codes.request(phone, `b${minute}`, at(minute * 61))).ok, `${minute}`).toBe(
        true,
      );
    }
    expect((await codes.request(phone, 'b9', at(5 * 61))).ok).toBe(false);
    // The next hour's window allows it again.
    expect((await codes.request(phone, 'b9', at(3600))).ok).toBe(true);

    const limited = new SignInCodes(db, TEST_KEY, { perAddress: { max: 3, windowSeconds: 3600 } });
    const answers = [];
    for (let i = 0; i < 4; i++) {
      answers.push((await limited.request(`+861390000000${i}`, 'one-address', t0)).ok);
    }
    expect(answers).toEqual([true, true, true, false]);
  });

  it('are forgotten, with old limit windows, once they can matter no more', async () => {
    await codes.request('+8613800000099', 'z1', t0);
    // Every code and window this file made is older than a day from here.
    await codes.forgetExpired(at(86_400));
    await forgetOldWindows(db, at(86_400));
    expect(await tables(db).selectFrom('otp_codes').select('id').execute()).toEqual([]);
    expect(await tables(db).selectFrom('rate_limits').select('bucket').execute()).toEqual([]);
  });

  it('limit attempts per address across numbers', async () => {
    const limited = new SignInCodes(db, TEST_KEY, {
      attemptsPerAddress: { max: 2, windowSeconds: 3600 },
    });
    const issued = await limited.request('+8613700000001', 'c1', t0);
    if (!issued.ok) throw new Error('refused');
    expect(await limited.check('+8613700000009', '123456', 'c1', at(1))).toBe('wrong');
    expect(await limited.check('+8613700000008', '123456', 'c1', at(2))).toBe('wrong');
    expect(await limited.check('+8613700000001', issued.code, 'c1', at(3))).toBe('limited');
    expect(await limited.check('+8613700000001', issued.code, 'c2', at(4))).toBe('ok');
  });
});
