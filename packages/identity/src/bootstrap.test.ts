import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BootstrapCodes } from './bootstrap.ts';
import type { IdentityDb } from './db.ts';
import { identityTestDb, TEST_KEY } from './testing/database.ts';

let db: IdentityDb;
const t0 = new Date('2026-12-08T02:00:00.000Z');

beforeAll(async () => {
  db = await identityTestDb();
});
afterAll(() => db.destroy());

describe('the bootstrap code', () => {
  it('is used once; a later start prints a new one only until then', async () => {
    const codes = new BootstrapCodes(db, TEST_KEY);
    const first = await codes.issue(t0);
    expect(first).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    // Another start: a new code replaces the first.
    const second = await codes.issue(t0);
    expect(second).toBeDefined();
    if (first !== second) expect(await codes.use(first!, t0)).toBe(false);
    expect(await codes.pending()).toBe(true);
    expect(await codes.use('wrong', t0)).toBe(false);
    expect(await codes.use(second!.toLowerCase(), t0)).toBe(true);
    expect(await codes.use(second!, t0)).toBe(false);
    expect(await codes.pending()).toBe(false);
    expect(await codes.issue(t0)).toBeUndefined();
  });
});
