import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ERASED,
  generateMasterKey,
  loadMasterKey,
  type MasterKey,
  MasterKeyError,
  masterKeyFile,
  masterKeyText,
  openPersonalData,
  type PersonalData,
  PersonalDataErasedError,
  rotateMasterKey,
  SealedValueError,
} from './index.ts';

let url: string;
let master: MasterKey;
let data: PersonalData;
const opened: PersonalData[] = [];

async function open(masterKey = master, now?: () => number): Promise<PersonalData> {
  const pd = await openPersonalData({
    databaseUrl: url,
    masterKey,
    ...(now ? { vault: { now } } : {}),
  });
  opened.push(pd);
  return pd;
}

beforeAll(async () => {
  url = await testDatabaseUrl();
  master = generateMasterKey();
  data = await open();
});
afterAll(async () => {
  for (const pd of opened) await pd.close();
});

describe('sealing', () => {
  it('seals a field as pii:v1:<key id>:<base64url> and opens it again', async () => {
    const sealed = await data.vault.seal('c1/p1', 'name', '钱多多');
    expect(sealed).toMatch(/^pii:v1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('钱多多');
    expect(await data.vault.unseal(sealed, 'name')).toBe('钱多多');
    // Another instance, with nothing cached, opens it from the stored key.
    expect(await (await open()).vault.unseal(sealed, 'name')).toBe('钱多多');
  });

  it('gives one person one key, and each value its own ciphertext', async () => {
    const [a, b, c] = await data.vault.sealAll([
      { subject: 'c1/p2', field: 'name', value: '同名' },
      { subject: 'c1/p2', field: 'name', value: '同名' },
      { subject: 'c1/p3', field: 'name', value: '同名' },
    ]);
    const keyOf = (s: string) => s.split(':')[2];
    expect(keyOf(a!)).toBe(keyOf(b!));
    expect(keyOf(a!)).not.toBe(keyOf(c!));
    expect(a).not.toBe(b);
  });

  it('does not open a value moved to another field', async () => {
    const sealed = await data.vault.seal('c1/p4', 'name', '赵四');
    await expect(data.vault.unseal(sealed, 'phone')).rejects.toBeInstanceOf(SealedValueError);
  });

  it('reads a value stored before sealing began as it is', async () => {
    expect(await data.vault.unseal('王五', 'name')).toBe('王五');
    expect(await data.vault.unseal('pii:v1:not sealed at all', 'name')).toBe(
      'pii:v1:not sealed at all',
    );
  });

  it('makes one key when two instances seal for a new person at once', async () => {
    const other = await open();
    const [a, b] = await Promise.all([
      data.vault.seal('c1/race', 'name', '甲'),
      other.vault.seal('c1/race', 'birthDate', '1990-01-01'),
    ]);
    expect(a!.split(':')[2]).toBe(b!.split(':')[2]);
    const fresh = await open();
    expect(await fresh.vault.unseal(a!, 'name')).toBe('甲');
    expect(await fresh.vault.unseal(b!, 'birthDate')).toBe('1990-01-01');
  });
});

describe('erasure', () => {
  it('opens every value of a destroyed key as ERASED, never throwing', async () => {
    let clock = 0;
    const reader = await open(master, () => clock);
    const name = await data.vault.seal('c1/gone', 'name', '孙六');
    const phone = await data.vault.seal('c1/gone', 'phone', '+8613800000001');
    expect(await reader.vault.unseal(name, 'name')).toBe('孙六');
    expect(await data.vault.destroy('c1/gone')).toBe(true);
    expect(await data.vault.unseal(name, 'name')).toBe(ERASED);
    expect(await (await open()).vault.unseal(phone, 'phone')).toBe(ERASED);
    // An instance that cached the key trusts it for a short time only.
    clock += 61_000;
    expect(await reader.vault.unseal(phone, 'phone')).toBe(ERASED);
    const { rows } = await data.pool!.query(
      `SELECT wrapped, destroyed_at FROM pii_keys WHERE subject = 'c1/gone'`,
    );
    expect(rows[0]).toMatchObject({ wrapped: null, destroyed_at: expect.any(Date) });
  });

  it('refuses to seal for an erased person, and keeps a tombstone for one without a key', async () => {
    await data.vault.seal('c1/gone2', 'name', '周七');
    await data.vault.destroy('c1/gone2');
    await expect(data.vault.seal('c1/gone2', 'name', '周七')).rejects.toBeInstanceOf(
      PersonalDataErasedError,
    );
    expect(await data.vault.destroy('c1/never-sealed')).toBe(false);
    await expect(data.vault.seal('c1/never-sealed', 'name', '吴八')).rejects.toBeInstanceOf(
      PersonalDataErasedError,
    );
  });

  it('lists erasures started and not finished', async () => {
    await data.vault.seal('c1/pending', 'name', '郑九');
    await data.vault.startErasure('c1/pending');
    expect(await data.vault.pendingErasures()).toContain('c1/pending');
    await data.vault.destroy('c1/pending');
    expect(await data.vault.pendingErasures()).not.toContain('c1/pending');
    await data.vault.seal('c1/kept', 'name', '冯十');
    await data.vault.startErasure('c1/kept');
    await data.vault.cancelErasure('c1/kept');
    expect(await data.vault.pendingErasures()).not.toContain('c1/kept');
  });
});

describe('master key rotation', () => {
  it('rewraps every live key under the new master key; sealed values stay readable', async () => {
    const db = await testDatabaseUrl();
    const first = generateMasterKey();
    const before = await openPersonalData({ databaseUrl: db, masterKey: first });
    const sealed = await before.vault.seal('c9/p1', 'name', '陈一');
    await before.vault.seal('c9/p2', 'name', '陈二');
    await before.vault.destroy('c9/p2');
    const next = generateMasterKey();
    expect(await rotateMasterKey(before.pool!, first, next)).toEqual({ rotated: 1, already: 0 });
    // Again (a rotation that stopped half-way is finished by running it again): nothing to do.
    expect(await rotateMasterKey(before.pool!, first, next)).toEqual({ rotated: 0, already: 1 });
    const { rows } = await before.pool!.query(
      'SELECT from_master_key_id, to_master_key_id, keys FROM pii_key_rotations ORDER BY rotated_at',
    );
    expect(rows[0]).toEqual({ from_master_key_id: first.id, to_master_key_id: next.id, keys: 1 });
    await before.close();

    await expect(openPersonalData({ databaseUrl: db, masterKey: first })).rejects.toBeInstanceOf(
      MasterKeyError,
    );
    const after = await openPersonalData({ databaseUrl: db, masterKey: next });
    expect(await after.vault.unseal(sealed, 'name')).toBe('陈一');
    await after.close();
  });
});

describe('the master key', () => {
  it('comes from PII_MASTER_KEY, or a file made once (0600), never generated in production', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pii-key-'));
    try {
      const configured = generateMasterKey();
      expect(
        loadMasterKey({
          PII_MASTER_KEY: masterKeyText(configured),
          DATA_DIR: dir,
          NODE_ENV: 'production',
        }).id,
      ).toBe(configured.id);
      expect(() => loadMasterKey({ DATA_DIR: dir, NODE_ENV: 'production' })).toThrow(
        /PII_MASTER_KEY is required in production/,
      );
      const local = loadMasterKey({ DATA_DIR: dir, NODE_ENV: 'development' });
      expect((await stat(masterKeyFile(dir))).mode & 0o777).toBe(0o600);
      expect(loadMasterKey({ DATA_DIR: dir, NODE_ENV: 'development' }).id).toBe(local.id);
      expect(() =>
        loadMasterKey({ PII_MASTER_KEY: 'c2hvcnQ=', DATA_DIR: dir, NODE_ENV: 'test' }),
      ).toThrow(MasterKeyError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the access log', () => {
  it('records reads and lists them by community and person, oldest first', async () => {
    const entry = { readerRole: 'official', route: '/v1/communities/{communityId}/persons' };
    await data.accessLog.record({ ...entry, readerId: 'o1', communityId: 'a1', personIds: ['x'] });
    await data.accessLog.record({ ...entry, readerId: 'o2', communityId: 'a2', personIds: ['y'] });
    await data.accessLog.record({ ...entry, readerId: 'o1', communityId: 'a1', personIds: ['y'] });
    const all = await data.accessLog.list({ communities: ['*'], limit: 10 });
    expect(all.map((r) => r.readerId)).toEqual(['o1', 'o2', 'o1']);
    const a1 = await data.accessLog.list({ communities: ['a1'], limit: 10 });
    expect(a1.map((r) => r.personIds)).toEqual([['x'], ['y']]);
    const y = await data.accessLog.list({ communities: ['*'], personId: 'y', limit: 10 });
    expect(y.map((r) => r.communityId)).toEqual(['a2', 'a1']);
    const page = await data.accessLog.list({ communities: ['*'], after: all[0]!.id, limit: 1 });
    expect(page.map((r) => r.readerId)).toEqual(['o2']);
  });
});
