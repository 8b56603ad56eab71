import { createHash } from 'node:crypto';
import { type CommunityRegistry, pget } from '@yishi/domain';
import { canonicalJson, PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import {
  ERASED,
  generateMasterKey,
  openPersonalData,
  type PersonalData,
  PostgresKeyStore,
  reconcileAllErasures,
  reconcileErasures,
  Vault,
} from '@yishi/personal-data';
import { testAuth } from '@yishi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actingAs } from './acting-as.ts';
import { createApp } from './app.ts';
import { readRegistry } from './context.ts';
import { StateReader } from './state-reader.ts';

// Personal fields through the command service: sealed in the store, clear to the deciders,
// and gone for good once a person's data is erased (their key destroyed).

const auth = testAuth();
const master = generateMasterKey();
let store: PostgresEventStore;
let data: PersonalData;
let app: ReturnType<typeof createApp>;
/** Makes the next key destruction fail, as a crash right after the append would. */
let failDestroy = false;
const as = actingAs(() => app, auth, 'c1');
const QIAN = { personId: 'qian', name: '钱多多', birthDate: '1961-02-03', phone: '+8613812345678' };

class FlakyVault extends Vault {
  override async destroy(subject: string): Promise<boolean> {
    if (failDestroy) throw new Error('the service stopped here');
    return super.destroy(subject);
  }
}

/** A vault with nothing cached: what the key table holds now. */
const fresh = () => new Vault(new PostgresKeyStore(data.pool!), master);

async function registry(): Promise<CommunityRegistry> {
  // A reader of its own, with nothing cached: what the store holds, opened.
  return (await readRegistry(new StateReader(store, undefined, fresh()), 'c1'))!;
}

async function stored(personId: string) {
  const events = await store.readStream('community-c1');
  return events.filter((e) => e.data.personId === personId);
}

beforeAll(async () => {
  const url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  await store.init();
  data = await openPersonalData({ databaseUrl: url, masterKey: master });
  const flaky = new FlakyVault(new PostgresKeyStore(data.pool!), master);
  app = createApp({
    store,
    verify: auth.verify,
    clock: () => new Date('2026-03-01T08:00:00.000Z'),
    personalData: flaky,
  });
  const admin = await as('admin', 'adm');
  await admin('/v1/communities/c1', { name: '幸福里社区', kind: 'urban' });
  await admin('registry/register-person', { personId: 'k1', name: '王书记员', adult: true });
  await admin('registry/register-person', { personId: 'chair', name: '居委会主任', adult: true });
  await admin('registry/appoint-clerk', { personId: 'k1' });
});
afterAll(async () => {
  await store.close();
  await data.close();
});

describe('personal fields in the command service', () => {
  it('stores name, birth date and phone sealed; the registry reads them clear', async () => {
    const clerk = await as('clerk', 'k1');
    await clerk('registry/register-person', QIAN);
    await clerk('registry/correct-person', {
      personId: 'qian',
      phone: '+8613900000000',
      reason: '换号',
    });
    const events = await stored('qian');
    const text = JSON.stringify(events.map((e) => e.data));
    for (const clear of [QIAN.name, QIAN.birthDate, QIAN.phone, '+8613900000000']) {
      expect(text).not.toContain(clear);
    }
    for (const field of ['name', 'birthDate', 'phone']) {
      expect(events[0]!.data[field], field).toMatch(/^pii:v1:/);
    }
    expect(pget((await registry()).persons, 'qian')).toEqual({
      personId: 'qian',
      name: QIAN.name,
      birthDate: QIAN.birthDate,
      phone: '+8613900000000',
    });
  });

  it('refuses a phone that is not E.164, naming the field, and writes nothing', async () => {
    const clerk = await as('clerk', 'k1');
    const before = (await store.readStream('community-c1')).length;
    const answer = await clerk(
      'registry/register-person',
      { personId: 'li', name: '李', adult: true, phone: '12345' },
      400,
    );
    expect(answer).toMatchObject({
      code: 'invalid-input',
      errors: [expect.objectContaining({ field: 'body.phone' })],
    });
    expect((await store.readStream('community-c1')).length).toBe(before);
  });

  it('erases: the key is destroyed, the events stay, the registry still folds', async () => {
    const clerk = await as('clerk', 'k1');
    const sealed = (await stored('qian'))[0]!.data.name as string;
    expect(await fresh().unseal(sealed, 'name')).toBe(QIAN.name);
    await clerk('registry/erase-personal-data', {
      personId: 'qian',
      legalBasis: { ground: 'consent-withdrawn', explanation: '本人书面撤回同意' },
      approvedBy: 'chair',
    });
    expect(await fresh().unseal(sealed, 'name')).toBe(ERASED);
    expect(pget((await registry()).persons, 'qian')).toEqual({
      personId: 'qian',
      adult: true,
      erased: true,
    });
    expect(await store.verifyStream('community-c1')).toMatchObject({ ok: true });
    // Personal data cannot be entered again under the id; `adult` can still be corrected.
    const again = await clerk(
      'registry/correct-person',
      { personId: 'qian', name: QIAN.name, reason: '补录' },
      409,
    );
    expect(again).toMatchObject({ code: 'personal-data-erased' });
    await clerk('registry/correct-person', { personId: 'qian', adult: true, reason: '核对' });
  });

  it('finishes an erasure whose key destruction a stop interrupted, at the next start', async () => {
    const clerk = await as('clerk', 'k1');
    await clerk('registry/register-person', { personId: 'sun', name: '孙六', adult: true });
    await clerk('registry/register-person', { personId: 'zhou', name: '周七', adult: true });
    failDestroy = true;
    try {
      await clerk(
        'registry/erase-personal-data',
        {
          personId: 'sun',
          legalBasis: { ground: 'retention-ended', explanation: '保存期限届满' },
          approvedBy: 'chair',
        },
        503,
      );
    } finally {
      failDestroy = false;
    }
    const sealed = (await stored('sun'))[0]!.data.name as string;
    // Appended, but the key lives on: the erasure is marked as started.
    expect((await stored('sun')).map((e) => e.type)).toContain('PersonalDataErased');
    expect(await fresh().unseal(sealed, 'name')).toBe('孙六');
    // An erasure started whose event never made it (the append failed) is cancelled.
    await fresh().startErasure('c1/zhou');
    expect(await reconcileErasures(fresh(), store)).toEqual({
      destroyed: ['c1/sun'],
      cancelled: ['c1/zhou'],
    });
    expect(await fresh().unseal(sealed, 'name')).toBe(ERASED);
    const zhou = (await stored('zhou'))[0]!.data.name as string;
    expect(await fresh().unseal(zhou, 'name')).toBe('周七');
    expect(await fresh().pendingErasures()).toEqual([]);
  });

  it('destroys again the keys of erased persons that a restored key table brought back', async () => {
    const clerk = await as('clerk', 'k1');
    await clerk('registry/register-person', { personId: 'wu', name: '吴八', adult: true });
    const backup = await data.pool!.query(`SELECT * FROM pii_keys WHERE subject = 'c1/wu'`);
    await clerk('registry/erase-personal-data', {
      personId: 'wu',
      legalBasis: { ground: 'purpose-fulfilled', explanation: '已迁出，无需保存' },
      approvedBy: 'chair',
    });
    const sealed = (await stored('wu'))[0]!.data.name as string;
    expect(await fresh().unseal(sealed, 'name')).toBe(ERASED);
    // The key table restored from a backup taken before the erasure.
    await data.pool!.query(
      `UPDATE pii_keys SET wrapped = $1, destroyed_at = NULL WHERE subject = 'c1/wu'`,
      [backup.rows[0].wrapped],
    );
    expect(await fresh().unseal(sealed, 'name')).toBe('吴八');
    const reconciled = await reconcileAllErasures(fresh(), store);
    expect(reconciled.destroyed).toEqual(['c1/wu']);
    expect(reconciled.erasures).toBe(3);
    expect(await fresh().unseal(sealed, 'name')).toBe(ERASED);
  });

  it('binds an Idempotency-Key to a digest that gives no personal field away', async () => {
    const token = await auth.token({ personId: 'k1', role: 'clerk', communities: ['c1'] });
    const path = '/v1/communities/c1/registry/register-person';
    const body = {
      personId: 'zheng',
      name: '郑九',
      birthDate: '1988-08-08',
      phone: '+8613700000009',
    };
    const post = (sent: unknown) =>
      app.request(path, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': 'zheng-1',
        },
        body: JSON.stringify(sent),
      });
    expect((await post(body)).status).toBe(201);
    const digest = (await stored('zheng'))[0]!.metadata.requestDigest;
    // Not the plain hash of the body, which anyone could match by trying phone numbers.
    const plain = createHash('sha256')
      .update(`POST\u0000${path}\u0000${canonicalJson(body)}`)
      .digest('hex');
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).not.toBe(plain);
    // Still a digest of the request: a retry replays, another body under the key is refused.
    const retry = await post(body);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const other = await post({ ...body, phone: '+8613700000010' });
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ code: 'idempotency-key-reused' });
  });

  it('digests an idempotent registry import without its names and birth dates in clear', async () => {
    const token = await auth.token({ personId: 'k1', role: 'clerk', communities: ['c1'] });
    const path = '/v1/communities/c1/registry/import';
    const body = {
      documentRef: '2026年业主名册',
      units: [
        {
          sheet: '房屋',
          row: 2,
          unitId: '9-101',
          building: '9号楼',
          kind: 'home',
          areas: { registryCentiM2: 8000 },
          developerUnsold: false,
          owners: [{ personId: 'feng', name: '冯十' }],
        },
      ],
      residents: [
        {
          sheet: '居民',
          row: 2,
          personId: 'feng',
          name: '冯十',
          birthDate: '1979-09-09',
          householdId: 'H9-101',
          unitId: '9-101',
        },
      ],
    };
    const post = (sent: unknown) =>
      app.request(path, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': 'feng-1',
        },
        body: JSON.stringify(sent),
      });
    expect((await post(body)).status).toBe(201);
    const digests = new Set((await stored('feng')).map((e) => e.metadata.requestDigest));
    expect(digests.size).toBe(1);
    const plain = createHash('sha256')
      .update(`POST\u0000${path}\u0000${canonicalJson(body)}`)
      .digest('hex');
    expect([...digests][0]).toMatch(/^[0-9a-f]{64}$/);
    expect(digests).not.toContain(plain);
    const retry = await post(body);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const changed = structuredClone(body);
    changed.residents[0]!.birthDate = '1979-09-10';
    const other = await post(changed);
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ code: 'idempotency-key-reused' });
  });
});
