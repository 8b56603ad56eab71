import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@yishi/local-postgres';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, Api } from '../../scripts/demo/client.ts';
import { type ServiceProcess, startServiceProcess } from './processes.ts';

// Personal information across processes, as deployed (each service's main wiring): a registry
// imported and corrected with names, birth dates and phones, an owners' vote; then the store
// is searched for any of them in clear, a voter's data is erased, `pnpm verify` runs on the
// chains and the dossier, and the tally is recomputed to the same figures.

const root = resolve(import.meta.dirname, '../..');
const secret = 'e2e-pii-secret-e2e-pii-secret-e2e-pii';
const CID = 'pd';
const OWNERS = [
  { personId: 'o1', name: '赵一凡', birthDate: '1960-01-11', phone: '+8613800000001' },
  { personId: 'o2', name: '钱二宝', birthDate: '1971-02-12', phone: '+8613800000002' },
  { personId: 'o3', name: '孙三妹', birthDate: '1982-03-13', phone: '+8613800000003' },
  { personId: 'o4', name: '李四海', birthDate: '1993-04-14', phone: '+8613800000004' },
];
const PII = OWNERS.flatMap((o) => [o.name, o.birthDate, o.phone]);

let databaseUrl: string;
let command: ServiceProcess;
let projection: ServiceProcess;
let api: Api;
let pool: pg.Pool;
let admin: Actor;
let clerk: Actor;
let convener: Actor;
const env = (extra: Record<string, string> = {}) => ({
  DATABASE_URL: databaseUrl,
  JWT_SECRET: secret,
  PII_MASTER_KEY: masterKey,
  LOG_LEVEL: 'warn',
  ...extra,
});
const masterKey = randomBytes(32).toString('base64');

/** Runs a CLI of the repository as `pnpm run <script>` does; its exit code and output. */
function cli(script: string, args: string[] = []): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: root,
      env: { ...process.env, ...env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => done({ code, out }));
  });
}

async function decisionOf(proposalId: string): Promise<unknown> {
  const { rows } = await pool.query<{ data: { items: unknown } }>(
    `SELECT data FROM es_events WHERE stream_id = $1 AND type = 'ProposalDecided'`,
    [`proposal-${CID}.${proposalId}`],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!.data.items;
}

async function ownersVote(proposalId: string, choices: Record<string, string>): Promise<void> {
  await api.as('owner', 'o1').post('proposals', {
    proposalId,
    title: '续筹专项维修资金',
    description: '按面积续筹',
    procedure: 'owners-joint-decision',
    items: [
      {
        itemId: 'i1',
        title: '同意续筹',
        kind: 'motion',
        matter: 'maintenance-fund-raise',
        options: [],
      },
    ],
  });
  await convener.post(`proposals/${proposalId}/give-notice`, { text: '表决公告' });
  await admin.post('/v1/admin/clock/advance', { days: 16 });
  const { now } = (await api.commandGet(admin, '/v1/clock')) as { now: string };
  await convener.post(`proposals/${proposalId}/open-voting`, {
    rule: { kind: 'owners-278', deemedConsent: false, countParking: false },
    closesAt: new Date(Date.parse(now) + 10 * 86_400_000).toISOString(),
  });
  for (const [ownerId, choice] of Object.entries(choices)) {
    await api
      .as('owner', ownerId)
      .post(`proposals/${proposalId}/cast-ballot`, { choices: [{ itemId: 'i1', choice }] });
  }
  // Past closesAt: the scheduler (#24) closes the vote as the clock moves.
  await admin.post('/v1/admin/clock/advance', { days: 11 });
}

beforeAll(async () => {
  databaseUrl = await testDatabaseUrl();
  pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  [command, projection] = await Promise.all([
    startServiceProcess('command', await freePort(), env({ DEMO_CLOCK: '1' })),
    startServiceProcess('projection', await freePort(), env()),
  ]);
  api = new Api({
    commandUrl: command.url,
    projectionUrl: projection.url,
    communityId: CID,
    secret: new TextEncoder().encode(secret),
  });
  admin = api.as('admin', 'adm');
  clerk = api.as('clerk', 'k1');
  convener = api.as('convener', 'cv1');
  await admin.post('', { name: '隐私测试社区', kind: 'urban' });
  for (const [personId, name] of [
    ['k1', '王书记员'],
    ['chair', '居委会主任'],
    ['cv1', '业委会召集人'],
  ]) {
    await admin.post('registry/register-person', { personId, name, adult: true });
  }
  await admin.post('registry/appoint-clerk', { personId: 'k1' });
  // The council's register: units with their owners, the residents with their birth dates.
  await clerk.post('registry/import', {
    documentRef: '业主名册.xlsx',
    units: OWNERS.map((o, i) => ({
      row: i + 2,
      unitId: `u${i + 1}`,
      building: '1号楼',
      kind: 'home',
      areas: { registryCentiM2: 8_000 + i * 1_000 },
      developerUnsold: false,
      owners: [{ personId: o.personId, name: o.name }],
    })),
    residents: OWNERS.map((o, i) => ({
      row: i + 2,
      personId: o.personId,
      name: o.name,
      birthDate: o.birthDate,
      householdId: `h${i + 1}`,
      unitId: `u${i + 1}`,
    })),
  });
  for (const o of OWNERS) {
    await clerk.post('registry/correct-person', {
      personId: o.personId,
      phone: o.phone,
      reason: '登记手机号',
    });
  }
  await ownersVote('p1', { o1: 'yes', o2: 'yes', o3: 'no', o4: 'yes' });
}, 180_000);

afterAll(async () => {
  await pool?.end();
  const codes = await Promise.all([command?.stop(), projection?.stop()]);
  expect(codes).toEqual([0, 0]);
});

describe('personal information, end to end', () => {
  it('never stores a name, birth date or phone in clear', async () => {
    const { rows } = await pool.query<{ data: string; metadata: string }>(
      'SELECT data::text, metadata::text FROM es_events',
    );
    expect(rows.length).toBeGreaterThan(30);
    const leaks = rows.flatMap((r) =>
      PII.filter((value) => r.data.includes(value) || r.metadata.includes(value)),
    );
    expect(leaks).toEqual([]);
    expect(rows.filter((r) => r.data.includes('"pii:v1:')).length).toBeGreaterThan(8);
  });

  it('erases a voter: chains verify, the tally recomputes to the same figures, the person shows as erased', async () => {
    const before = await decisionOf('p1');
    await clerk.post('registry/erase-personal-data', {
      personId: 'o3',
      legalBasis: { ground: 'consent-withdrawn', explanation: '本人书面撤回同意' },
      approvedBy: 'chair',
      documentRef: '删除申请第1号',
    });
    const { rows: keys } = await pool.query(
      `SELECT wrapped, destroyed_at FROM pii_keys WHERE subject = $1`,
      [`${CID}/o3`],
    );
    expect(keys).toEqual([{ wrapped: null, destroyed_at: expect.any(Date) }]);

    const verified = await cli('services/projection/src/cli/verify.ts');
    expect(verified.code, verified.out).toBe(0);
    expect(verified.out).toContain('intact');

    // The dossier, verified offline: its chains and every decision recomputed from its events.
    const { status, body } = await api.read(clerk, `/v1/communities/${CID}/proposals/p1/dossier`);
    expect(status).toBe(200);
    const dir = await mkdtemp(join(tmpdir(), 'pii-e2e-'));
    try {
      await writeFile(join(dir, 'dossier.json'), JSON.stringify(body));
      const offline = await cli('services/projection/src/cli/verify.ts', [
        join(dir, 'dossier.json'),
      ]);
      expect(offline.code, offline.out).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(await decisionOf('p1')).toEqual(before);

    // A vote after the erasure still counts o3 with their unit's area.
    await ownersVote('p2', { o1: 'yes', o2: 'yes', o3: 'no', o4: 'yes' });
    expect(await decisionOf('p2')).toEqual(before);

    const persons = await api.read(clerk, `/v1/communities/${CID}/persons?ids=o2,o3`);
    expect(persons.body).toMatchObject({
      items: [
        { personId: 'o2', displayName: '钱二宝', erased: false },
        { personId: 'o3', displayName: '个人信息已删除', erased: true },
      ],
    });
    const exported = await api.read(
      api.as('owner', 'o3'),
      `/v1/communities/${CID}/persons/o3/personal-data`,
    );
    expect(exported.body).toMatchObject({
      person: { name: null, birthDate: null, phone: null, erased: true },
      units: [{ unitId: 'u3' }],
    });
  });
});
