import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Actor,
  type CrowdfundingCommand,
  crowdfundingDecider,
  type DecisionFact,
  type FundCommand,
  fundDecider,
  streams,
} from '@yishi/domain';
import { formatCheckpoint, PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import type { CampaignDetail, CampaignList, FundAccountsView, FundList } from '../contract.ts';
import { createDb } from '../db.ts';
import { createPdfRenderer, type PdfRenderer } from '../documents/renderer.ts';
import { projections } from '../main.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { Projector } from '../runtime/projector.ts';
import type { Database } from '../tables.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';

// 晒账 (#26.9): a fund's accounts as JSON, as CSV and as a printed notice, each spending line
// linked to its decision; and a campaign's progress.

const auth = testAuth();
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let store: PostgresEventStore;
let db: Kysely<Database>;
let projectors: Projector[];
let pdf: PdfRenderer;
let app: ReturnType<typeof createApp>;
let sim: Simulator;
let token: string;
const work = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../test-artifacts/money');

const cashier: Actor = { personId: 't', role: 'resident' };
const roof: DecisionFact = {
  proposalId: 'm1',
  itemId: 'roof',
  title: '使用维修资金维修屋面',
  outcome: 'adopted',
  matter: 'maintenance-fund-use',
  optionIds: [],
  costFen: 8_000_000,
  decidedAt: '2026-04-01T08:00:00.000Z',
};

beforeAll(async () => {
  const url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  await store.init();
  db = createDb(url, 20);
  await migrateReadModels(db);
  projectors = projections.map(
    (p) => new Projector(store, db, p, { pollIntervalMs: 50, lockRetryMs: 50, heartbeatMs: 200 }),
  );
  for (const p of projectors) await p.start();
  pdf = createPdfRenderer({ executablePath: CHROMIUM });
  app = createApp({ db, store, verify: auth.verify, projectors, minPositionWaitMs: 5_000, pdf });
  token = await auth.token({ personId: 'r1', role: 'resident', communities: ['acct'] });
  sim = new Simulator(store, new Random(26));
  await sim.registerCommunity('acct');
  // The cashier is the treasurer; r9 was one and is no longer.
  const admin: Actor = { personId: 'admin', role: 'admin' };
  for (const [type, personId] of [
    ['RegisterPerson', 't'],
    ['RegisterPerson', 'r9'],
    ['AppointTreasurer', 't'],
    ['AppointTreasurer', 'r9'],
    ['RevokeTreasurer', 'r9'],
  ] as const) {
    const accepted = await sim.community(
      'acct',
      (at) =>
        type === 'RegisterPerson'
          ? { type, data: { personId, name: `出纳 ${personId}`, adult: true }, actor: admin, at }
          : { type, data: { personId }, actor: admin, at },
      admin,
    );
    expect(accepted, `${type} ${personId}`).toBe(true);
  }
  const fund = (command: (at: string) => FundCommand) =>
    sim.send(streams.fund('acct', 'mf'), fundDecider, command, cashier, 'acct');
  const as =
    <T extends FundCommand['type']>(type: T, data: Extract<FundCommand, { type: T }>['data']) =>
    (at: string) =>
      ({ type, data, actor: cashier, at }) as FundCommand;
  await fund(
    as('OpenFund', {
      fundId: 'mf',
      communityId: 'acct',
      kind: 'maintenance-fund',
      name: '专项维修资金',
    }),
  );
  await fund(
    as('PostFundEntry', {
      entryId: 'e1',
      lines: [
        { account: 'bank', side: 'debit', amountFen: 10_000_000 },
        { account: 'income:owner-deposits', side: 'credit', amountFen: 10_000_000 },
      ],
      memo: '=业主缴存',
      documentRef: '银行回单 001',
      treasurer: true,
    }),
  );
  await fund(
    as('PostFundEntry', {
      entryId: 'e2',
      lines: [
        { account: 'spending:repairs', side: 'debit', amountFen: 7_500_050 },
        { account: 'bank', side: 'credit', amountFen: 7_500_050 },
      ],
      memo: '屋面防水工程款',
      documentRef: '发票 2026-17',
      authorisedBy: { proposalId: 'm1', itemId: 'roof' },
      decision: roof,
      treasurer: true,
    }),
  );
  await fund(
    as('ReverseFundEntry', {
      entryId: 'e2r',
      reverses: 'e2',
      reason: '发票金额有误',
      documentRef: '红字发票',
      treasurer: true,
    }),
  );
  const campaign = (command: CrowdfundingCommand) =>
    sim.send(
      streams.crowdfunding('acct', 'yard'),
      crowdfundingDecider,
      (at) => ({ ...command, at }),
      command.actor,
      'acct',
    );
  const convener: Actor = { personId: 'cv', role: 'convener' };
  await campaign({
    type: 'OpenCrowdfunding',
    data: {
      campaignId: 'yard',
      communityId: 'acct',
      title: '院落改造众筹',
      proposalId: 'yard',
      itemId: 'plan',
      targetFen: 500_000,
      deadline: '2027-01-01T00:00:00.000Z',
      decision: { ...roof, proposalId: 'yard', itemId: 'plan', outcome: 'pending' },
    },
    actor: convener,
    at: '',
  });
  await campaign({
    type: 'PledgeToCrowdfunding',
    data: { pledgeId: 'ngo1', amountFen: 300_000 },
    actor: { personId: 'r', role: 'party_representative', partyId: 'ngo' },
    at: '',
  });
  await campaign({
    type: 'PledgeToCrowdfunding',
    data: { pledgeId: 'p2', amountFen: 12_345 },
    actor: { personId: 'r1', role: 'resident' },
    at: '',
  });
  await campaign({
    type: 'RecordPledgeReceipt',
    data: { pledgeId: 'ngo1', amountFen: 120_000, documentRef: '收据 1', treasurer: true },
    actor: cashier,
    at: '',
  });
  mkdirSync(work, { recursive: true });
});
afterAll(async () => {
  await pdf.close();
  for (const p of projectors) await p.stop();
  await db.destroy();
  await store.close();
});

const at = () => formatCheckpoint(sim.last!.checkpoint);
/** One CSV line's cells (RFC 4180 quoting; no line breaks inside these cells). */
const csvCells = (line: string) =>
  [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)]
    .slice(0, -1)
    .map(([, cell]) => (cell!.startsWith('"') ? cell!.slice(1, -1).replaceAll('""', '"') : cell!));
const get = (path: string) =>
  app.request(`/v1/communities/acct${path}${path.includes('?') ? '&' : '?'}minPosition=${at()}`, {
    headers: { authorization: `Bearer ${token}` },
  });

describe('published accounts (#26.9)', () => {
  it('serves the balance and each line, the spending linked to its decision, the reversal too', async () => {
    const res = await get('/funds/mf');
    expect(res.status).toBe(200);
    const accounts = (await res.json()) as FundAccountsView;
    expect(accounts).toMatchObject({
      kind: 'maintenance-fund',
      balanceFen: 10_000_000,
      incomeFen: 10_000_000,
      spendingFen: 0,
    });
    expect(
      accounts.lines.map((l) => [l.entryId, l.kind, l.amountFen, l.decision?.proposalId]),
    ).toEqual([
      ['e1', 'income', 10_000_000, undefined],
      ['e2', 'spending', 7_500_050, 'm1'],
      ['e2r', 'spending', -7_500_050, 'm1'],
    ]);
    const list = (await (await get('/funds')).json()) as FundList;
    expect(list.items).toEqual([expect.objectContaining({ fundId: 'mf', balanceFen: 10_000_000 })]);
    // Who records the money: the treasurer appointed, not the one revoked.
    expect(accounts.treasurerIds).toEqual(['t']);
    expect(list.treasurerIds).toEqual(['t']);
    expect((await get('/funds/none')).status).toBe(404);
  });

  it('exports the lines as CSV in yuan and fen, a formula neutralised', async () => {
    const res = await get('/funds/mf/accounts.csv');
    expect(res.headers.get('content-type')).toContain('text/csv');
    const rows = (await res.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(rows).toHaveLength(4);
    expect(rows[1]).toContain(`收入,income:owner-deposits,"100,000.00",10000000,'=业主缴存`);
    expect(rows[2]).toContain(
      '支出,spending:repairs,"75,000.50",7500050,屋面防水工程款,发票 2026-17,,m1,roof,使用维修资金维修屋面,2026-04-01',
    );
    // A negative amount as text would start like a formula: it is quoted; the number is not.
    expect(rows[3]).toContain(`"'-75,000.50",-7500050`);
  });

  it('prints the accounts: pdftotext reads the totals and the decision of a spending line', async () => {
    const res = await get('/funds/mf/accounts.pdf');
    expect(
      res.status,
      await res
        .clone()
        .text()
        .then((t) => t.slice(0, 300)),
    ).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const file = join(work, 'accounts.pdf');
    writeFileSync(file, new Uint8Array(await res.arrayBuffer()));
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], {
      encoding: 'utf8',
    }).replace(/\s+/g, ' ');
    expect(text).toContain('专项维修资金 收支账目公示');
    expect(text).toContain('100,000.00 元');
    expect(text).toContain('使用维修资金维修屋面');
    expect(text).toContain('75,000.50');
    expect(text).toContain('冲销 e2');
  });

  it('shows a campaign’s progress: pledged and received per pledge', async () => {
    const campaign = (await (await get('/crowdfunding/yard')).json()) as CampaignDetail;
    expect(campaign).toMatchObject({
      status: 'open',
      targetFen: 500_000,
      pledgedFen: 312_345,
      receivedFen: 120_000,
      pledgeList: [
        { pledgeId: 'ngo1', pledger: { kind: 'party', id: 'ngo' }, receivedFen: 120_000 },
        { pledgeId: 'p2', pledger: { kind: 'person', id: 'r1' }, receivedFen: 0 },
      ],
      movements: [
        { pledgeId: 'ngo1', kind: 'pledge', amountFen: 300_000, documentRef: null },
        { pledgeId: 'p2', kind: 'pledge', amountFen: 12_345, documentRef: null },
        { pledgeId: 'ngo1', kind: 'receipt', amountFen: 120_000, documentRef: '收据 1' },
      ],
      treasurerIds: ['t'],
    });
    const list = (await (await get('/crowdfunding')).json()) as CampaignList;
    expect(list.treasurerIds).toEqual(['t']);
  });

  it('exports a campaign’s pledges, receipts and refunds as CSV: each kind sums to its total', async () => {
    const campaign = (await (await get('/crowdfunding/yard')).json()) as CampaignDetail;
    const res = await get('/crowdfunding/yard/accounts.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const [header, ...rows] = (await res.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
      .map(csvCells);
    const kind = header!.indexOf('款项 kind');
    const fen = header!.indexOf('金额（分） amount (fen)');
    const sum = (k: string) =>
      rows.filter((r) => r[kind] === k).reduce((s, r) => s + Number(r[fen]), 0);
    expect(rows).toHaveLength(3);
    expect(sum('认捐')).toBe(campaign.pledgedFen);
    expect(sum('收款')).toBe(campaign.receivedFen);
    expect(rows[1]).toEqual(
      expect.arrayContaining(['p2', '居民', 'r1', '认捐', '123.45', '12345']),
    );
    expect((await get('/crowdfunding/none/accounts.csv')).status).toBe(404);
  });

  it('prints a campaign’s accounts: pdftotext reads the figures in 元, fen exact', async () => {
    const res = await get('/crowdfunding/yard/accounts.pdf');
    expect(
      res.status,
      await res
        .clone()
        .text()
        .then((t) => t.slice(0, 300)),
    ).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const file = join(work, 'crowdfunding.pdf');
    writeFileSync(file, new Uint8Array(await res.arrayBuffer()));
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], {
      encoding: 'utf8',
    }).replace(/\s+/g, ' ');
    expect(text).toContain('院落改造众筹 众筹账目公示');
    expect(text).toContain('目标金额 5,000.00 元');
    expect(text).toContain('认捐合计 3,123.45 元');
    expect(text).toContain('已收款 1,200.00 元');
    // 312,345 of 500,000 fen is 62.469%: one decimal, half up.
    expect(text).toContain('62.5%');
    expect(text).toMatch(/居民 1 123\.45/);
    expect(text).toMatch(/单位与组织 1 3,000\.00/);
    expect(text).toContain('收据 1');
    expect((await get('/crowdfunding/none/accounts.pdf')).status).toBe(404);
  });
});
