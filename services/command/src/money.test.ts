import { streams } from '@yishi/domain';
import { PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actingAs } from './acting-as.ts';
import { createApp } from './app.ts';

// Issue #26.7–8 over HTTP: money stands on decisions. A fund spends only on an adopted
// decision whose matter allows it, within its cost; a campaign owes back what it received
// when its plan is not adopted. The decision and the treasurer come from other streams.

const auth = testAuth();
let store: PostgresEventStore;
let app: ReturnType<typeof createApp>;
let now = new Date('2026-03-01T08:00:00.000Z');
const as = actingAs(() => app, auth, 'mn');
const at = (iso: string) => {
  now = new Date(iso);
};

const roof = {
  itemId: 'roof',
  title: '屋面防水维修',
  kind: 'motion',
  matter: 'maintenance-fund-use',
  options: [],
  cost: { basis: 'fund', totalFen: 8_000_000 },
};

beforeAll(async () => {
  store = new PostgresEventStore({ connectionString: await testDatabaseUrl() });
  await store.init();
  app = createApp({ store, verify: auth.verify, clock: () => now });
  const admin = await as('admin', 'adm');
  await admin('/v1/communities/mn', { name: '资金社区', kind: 'urban' });
  for (const personId of ['a', 'b', 'k1', 'cv1', 't', 'r1']) {
    await admin('registry/register-person', { personId, name: `人员${personId}`, adult: true });
  }
  await admin('registry/appoint-clerk', { personId: 'k1' });
  await admin('registry/appoint-treasurer', { personId: 't' });
  const clerk = await as('clerk', 'k1');
  for (const [unitId, owner, area] of [
    ['1-101', 'a', 9_000],
    ['1-201', 'b', 8_000],
  ] as const) {
    await clerk('registry/register-unit', {
      unitId,
      building: '1号楼',
      kind: 'home',
      areas: { registryCentiM2: area },
      developerUnsold: false,
      ownerIds: [owner],
    });
  }
  await clerk('registry/register-party', {
    partyId: 'ngo',
    kind: 'social-organisation',
    name: '邻里公益社',
  });
  await clerk('registry/appoint-party-representative', { partyId: 'ngo', personId: 'r1' });
  // The owners adopt using the maintenance fund on the roof, 80,000.00 元.
  await (await as('owner', 'a'))('proposals', {
    proposalId: 'm1',
    title: '使用维修资金维修屋面',
    description: '—',
    procedure: 'owners-joint-decision',
    items: [roof],
  });
  const convener = await as('convener', 'cv1');
  await convener('proposals/m1/give-notice', { text: '公告' });
  at('2026-03-17T08:00:00.000Z');
  await convener('proposals/m1/open-voting', {
    rule: { kind: 'owners-278' },
    closesAt: '2026-04-01T08:00:00.000Z',
  });
  for (const owner of ['a', 'b']) {
    await (await as('owner', owner))('proposals/m1/cast-ballot', {
      choices: [{ itemId: 'roof', choice: 'yes' }],
    });
  }
  at('2026-04-01T08:00:00.000Z');
  await convener('proposals/m1/close-voting', {});
});
afterAll(() => store.close());

const deposit = (amountFen: number) => [
  { account: 'bank', side: 'debit', amountFen },
  { account: 'income:owner-deposits', side: 'credit', amountFen },
];
const repair = (amountFen: number) => [
  { account: 'spending:repairs', side: 'debit', amountFen },
  { account: 'bank', side: 'credit', amountFen },
];

describe('fund ledger over HTTP (#26.8)', () => {
  it('spends only on the adopted decision, read from the proposal; writes nothing otherwise', async () => {
    at('2026-04-02T08:00:00.000Z');
    const opened = await (await as('clerk', 'k1'))('funds', {
      fundId: 'mf',
      kind: 'maintenance-fund',
      name: '专项维修资金',
    });
    expect(opened).toMatchObject({ fundId: 'mf' });
    const cashier = await as('resident', 't');
    await cashier('funds/mf/post-fund-entry', {
      entryId: 'e1',
      lines: deposit(10_000_000),
      memo: '业主缴存',
      documentRef: '银行回单 001',
    });
    const before = (await store.readStream(streams.fund('mn', 'mf'))).length;
    const noDecision = await cashier(
      'funds/mf/post-fund-entry',
      { entryId: 'e2', lines: repair(100), memo: '工程款', documentRef: '发票 1' },
      422,
    );
    expect(noDecision).toMatchObject({ code: 'decision-required' });
    const unknown = await cashier(
      'funds/mf/post-fund-entry',
      {
        entryId: 'e2',
        lines: repair(100),
        memo: '工程款',
        documentRef: '发票 1',
        authorisedBy: { proposalId: 'nope', itemId: 'roof' },
      },
      422,
    );
    expect(unknown).toMatchObject({ code: 'decision-not-found' });
    const above = await cashier(
      'funds/mf/post-fund-entry',
      {
        entryId: 'e2',
        lines: repair(8_000_001),
        memo: '工程款',
        documentRef: '发票 1',
        authorisedBy: { proposalId: 'm1', itemId: 'roof' },
      },
      409,
    );
    expect(above).toMatchObject({ code: 'above-decided-cost' });
    // Someone signed in who is not an appointed treasurer.
    const notTreasurer = await (await as('resident', 'b'))(
      'funds/mf/post-fund-entry',
      {
        entryId: 'e2',
        lines: repair(100),
        memo: '工程款',
        documentRef: '发票 1',
        authorisedBy: { proposalId: 'm1', itemId: 'roof' },
      },
      403,
    );
    expect(notTreasurer).toMatchObject({ code: 'not-authorised' });
    expect(await store.readStream(streams.fund('mn', 'mf'))).toHaveLength(before);

    await cashier('funds/mf/post-fund-entry', {
      entryId: 'e2',
      lines: repair(7_500_000),
      memo: '屋面防水工程款',
      documentRef: '发票 2026-17',
      authorisedBy: { proposalId: 'm1', itemId: 'roof' },
    });
    const posted = (await store.readStream(streams.fund('mn', 'mf'))).at(-1);
    expect(posted?.data).toMatchObject({
      entryId: 'e2',
      decision: {
        proposalId: 'm1',
        itemId: 'roof',
        outcome: 'adopted',
        matter: 'maintenance-fund-use',
        costFen: 8_000_000,
      },
      by: { personId: 't' },
    });
  });

  it('refuses an unbalanced entry naming its lines', async () => {
    const refused = await (await as('resident', 't'))(
      'funds/mf/post-fund-entry',
      {
        entryId: 'e3',
        lines: [
          { account: 'bank', side: 'debit', amountFen: 100 },
          { account: 'income:interest', side: 'credit', amountFen: 99 },
        ],
        memo: '利息',
        documentRef: '结息单',
      },
      422,
    );
    expect(refused).toMatchObject({ code: 'entry-unbalanced' });
  });
});

describe('crowdfunding over HTTP (#26.7)', () => {
  it('takes pledges from an owner and an organisation, and owes back what it received when the plan is not adopted', async () => {
    at('2026-04-02T08:00:00.000Z');
    await (await as('owner', 'a'))('proposals', {
      proposalId: 'yard',
      title: '院落改造',
      description: '—',
      procedure: 'owners-joint-decision',
      items: [
        {
          itemId: 'plan',
          title: '改造方案',
          kind: 'plans',
          matter: 'rebuild',
          options: [
            { optionId: 'A', title: '方案甲', cost: { basis: 'area', totalFen: 2_000_000 } },
            { optionId: 'B', title: '方案乙', cost: { basis: 'area', totalFen: 3_000_000 } },
          ],
        },
      ],
    });
    const convener = await as('convener', 'cv1');
    const campaign = {
      campaignId: 'yard-a',
      title: '院落改造众筹（方案甲）',
      proposalId: 'yard',
      itemId: 'plan',
      optionId: 'A',
      targetFen: 500_000,
      deadline: '2026-05-01T00:00:00.000Z',
    };
    const noPlan = await convener('crowdfunding', { ...campaign, optionId: 'Z' }, 404);
    expect(noPlan).toMatchObject({ code: 'not-found' });
    await convener('crowdfunding', campaign);
    await (await as('owner', 'b'))('crowdfunding/yard-a/pledge-to-crowdfunding', {
      pledgeId: 'b1',
      amountFen: 200_000,
    });
    await (await as('party_representative', 'r1', 'ngo'))(
      'crowdfunding/yard-a/pledge-to-crowdfunding',
      { pledgeId: 'ngo1', amountFen: 300_000 },
    );
    const cashier = await as('resident', 't');
    const tooMuch = await cashier(
      'crowdfunding/yard-a/record-pledge-receipt',
      { pledgeId: 'b1', amountFen: 200_001, documentRef: '收据 1' },
      409,
    );
    expect(tooMuch).toMatchObject({ code: 'receipt-above-pledge' });
    await cashier('crowdfunding/yard-a/record-pledge-receipt', {
      pledgeId: 'ngo1',
      amountFen: 300_000,
      documentRef: '收据 2',
    });
    // Still undecided and before the deadline: nothing settles it.
    const early = await convener('crowdfunding/yard-a/close-crowdfunding', {}, 409);
    expect(early).toMatchObject({ code: 'crowdfunding-open' });

    at('2026-05-01T00:00:00.000Z');
    const late = await (await as('owner', 'a'))(
      'crowdfunding/yard-a/pledge-to-crowdfunding',
      { pledgeId: 'a1', amountFen: 1_000 },
      409,
    );
    expect(late).toMatchObject({ code: 'crowdfunding-closed' });
    await (await as('owner', 'a'))('proposals/yard/withdraw-proposal', { reason: '另议' });
    await convener('crowdfunding/yard-a/close-crowdfunding', {});
    const closed = (await store.readStream(streams.crowdfunding('mn', 'yard-a'))).at(-1);
    expect(closed?.data).toMatchObject({
      outcome: 'refunding',
      reason: 'not-adopted',
      decision: { outcome: 'withdrawn' },
      refundsOwed: [
        { pledgeId: 'ngo1', pledger: { kind: 'party', partyId: 'ngo' }, amountFen: 300_000 },
      ],
    });
    const wrong = await cashier(
      'crowdfunding/yard-a/record-refund',
      { pledgeId: 'ngo1', amountFen: 200_000, documentRef: '退款 1' },
      409,
    );
    expect(wrong).toMatchObject({ code: 'refund-mismatch' });
    await cashier('crowdfunding/yard-a/record-refund', {
      pledgeId: 'ngo1',
      amountFen: 300_000,
      documentRef: '退款 1',
    });
  });
});
