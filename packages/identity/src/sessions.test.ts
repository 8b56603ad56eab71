import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IdentityDb, tables } from './db.ts';
import { Sessions } from './sessions.ts';
import { identityTestDb } from './testing/database.ts';

// Sessions end at sign-out, after 30 idle minutes and 12 hours after sign-in; a change of
// capacity gives a new id. The clock is the test's.

let db: IdentityDb;
let sessions: Sessions;
const t0 = new Date('2026-12-08T02:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const wang = [{ communityId: 'c1', personId: 'wang' }];

beforeAll(async () => {
  db = await identityTestDb();
  sessions = new Sessions(db, { idleMinutes: 30, maxHours: 12 });
});
afterAll(() => db.destroy());

describe('console sessions', () => {
  it('end after 30 minutes without a request', async () => {
    const { id } = await sessions.start(wang, t0);
    expect(await sessions.resume(id, at(29))).toMatchObject({ identities: wang });
    // Each request moves the idle timeout on.
    expect(await sessions.resume(id, at(58))).toBeDefined();
    expect(await sessions.resume(id, at(88))).toBeUndefined();
    expect(await sessions.resume(id, at(89))).toBeUndefined();
  });

  it('end 12 hours after sign-in, however active', async () => {
    const { id } = await sessions.start(wang, t0);
    for (let minute = 20; minute < 12 * 60; minute += 20) {
      expect(await sessions.resume(id, at(minute)), `minute ${minute}`).toBeDefined();
    }
    expect(await sessions.resume(id, at(12 * 60))).toBeUndefined();
  });

  it('end at sign-out, for whoever holds the id', async () => {
    const { id, session } = await sessions.start(wang, t0);
    await sessions.revoke(session.key, at(1));
    expect(await sessions.resume(id, at(2))).toBeUndefined();
  });

  it('get a new id with each capacity chosen; the old one opens nothing', async () => {
    const { id, session } = await sessions.start(wang, t0);
    const capacity = { communityId: 'c1', personId: 'wang', kind: 'owner' };
    const next = await sessions.choose(session, capacity, at(1));
    expect(next).toBeDefined();
    expect(next).not.toBe(id);
    expect(await sessions.resume(id, at(2))).toBeUndefined();
    expect((await sessions.resume(next!, at(2)))?.capacity).toEqual(capacity);
    const timeouts = new Sessions(db, { idleMinutes: 5, maxHours: 1 });
    const short = await timeouts.start(wang, t0);
    expect(await timeouts.resume(short.id, at(6))).toBeUndefined();
  });

  it('are forgotten once ended before the time given', async () => {
    const { id, session } = await sessions.start(wang, t0);
    await sessions.revoke(session.key, at(1));
    const live = await sessions.start(wang, t0);
    await sessions.forgetEnded(at(2));
    const left = await tables(db).selectFrom('sessions').select('id_hash').execute();
    expect(left.map((r) => r.id_hash)).not.toContain(session.key);
    expect(left.map((r) => r.id_hash)).toContain(live.session.key);
    expect(await sessions.resume(id, at(3))).toBeUndefined();
  });

  it('refuse ids that are not ids', async () => {
    for (const id of ['', 'x', 'a'.repeat(44), `${'a'.repeat(42)}=`]) {
      expect(await sessions.resume(id, t0)).toBeUndefined();
    }
  });
});
