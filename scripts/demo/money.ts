import { hundredths } from '@yishi/presentation';
import { type Actor, type Api, inPool } from './client.ts';
import type { DemoCommunity } from './community.ts';
import type { DemoLog } from './scenarios.ts';

// The money behind the decisions (#26.7–9): the maintenance fund's accounts after the raise
// the owners decided (the deposits as income, a roof repair paid on the owners' decision to
// use the fund), and a courtyard renovation crowdfunded by residents and a social
// organisation (方案由居民选取、费用由居民众筹), its money then held in a micro-fund. 晒账.

const DAY_MS = 86_400_000;

async function nowOf(api: Api, admin: Actor): Promise<Date> {
  const body = (await api.commandGet(admin, '/v1/clock')) as { now: string };
  return new Date(body.now);
}

const lines = (debit: string, credit: string, amountFen: number) => [
  { account: debit, side: 'debit', amountFen },
  { account: credit, side: 'credit', amountFen },
];

/** The maintenance fund: the raise's deposits, then a roof repair the owners of 3号楼 decided. */
async function maintenanceFund(
  api: Api,
  c: DemoCommunity,
  treasurer: Actor,
  log: DemoLog,
): Promise<void> {
  const admin = api.as('admin', 'demo-admin');
  const convener = api.as('convener', c.conveners[0]!);
  const clerk = api.as('clerk', c.clerkId);
  await clerk.post('funds', {
    fundId: 'maintenance',
    kind: 'maintenance-fund',
    name: '幸福里小区专项维修资金',
    description: '专户存储，使用须经业主共同决定（民法典第二百七十八条）',
  });
  // The raise decided today: 30 元/m² of every home's area, in fen (area 0.01 m² × 3000 / 100).
  const homes = c.units.filter((u) => u.kind === 'home');
  const depositsFen = homes.reduce((sum, u) => sum + u.areaCentiM2 * 30, 0);
  await treasurer.post('funds/maintenance/post-fund-entry', {
    entryId: 'deposit-2026-1',
    lines: lines('bank', 'income:owner-deposits', depositsFen),
    memo: `续筹专项维修资金：${homes.length} 户按每平方米30元交存（议题 fund）`,
    documentRef: '专户银行回单 2026-0412',
  });
  await treasurer.post('funds/maintenance/post-fund-entry', {
    entryId: 'interest-2026-q2',
    lines: lines('bank', 'income:interest', 318_642),
    memo: '专户第二季度结息',
    documentRef: '结息单 2026Q2',
  });

  // The owners of 3号楼 decide to pay its roof repair from the fund (Art. 278 (5), one building).
  const building = '3号楼';
  await convener.post('proposals', {
    proposalId: 'roof3',
    title: '3号楼屋面防水维修使用专项维修资金',
    description: '3号楼顶层多户渗水，经检测需整体更换防水层，费用18.6万元由专项维修资金列支。',
    procedure: 'owners-joint-decision',
    scope: { kind: 'building', building },
    items: [
      {
        itemId: 'use',
        title: '同意使用专项维修资金18.6万元维修3号楼屋面',
        kind: 'motion',
        matter: 'maintenance-fund-use',
        options: [],
        cost: { basis: 'fund', totalFen: 18_600_000 },
      },
    ],
  });
  await convener.post('proposals/roof3/give-notice', { text: '3号楼业主表决公告：屋面防水维修' });
  await admin.post('/v1/admin/clock/advance', { days: 16 });
  const now = await nowOf(api, admin);
  await convener.post('proposals/roof3/open-voting', {
    rule: { kind: 'owners-278' },
    closesAt: new Date(now.getTime() + 7 * DAY_MS).toISOString(),
  });
  const owners = [
    ...new Set(homes.filter((u) => u.building === building).flatMap((u) => u.ownerIds)),
  ];
  // Co-owners vote once for their unit: the second one's ballot is refused (409).
  await inPool(owners, 16, (ownerId, i) =>
    api
      .as('owner', ownerId)
      .post(
        'proposals/roof3/cast-ballot',
        { choices: [{ itemId: 'use', choice: i % 13 === 6 ? 'no' : 'yes' }] },
        [201, 409],
      ),
  );
  // The scheduler closes the vote once the clock passes its closing time (#24).
  await admin.post('/v1/admin/clock/advance', { days: 8 });
  await treasurer.post('funds/maintenance/post-fund-entry', {
    entryId: 'roof3-works',
    lines: lines('spending:repairs', 'bank', 17_850_000),
    memo: '3号楼屋面防水工程款（按合同结算）',
    documentRef: '增值税发票 No.04417826',
    authorisedBy: { proposalId: 'roof3', itemId: 'use' },
  });
  log(
    `  (5) 专项维修资金：续筹交存 ${hundredths(depositsFen)} 元入账，3号楼业主表决通过后支付屋面维修 ${hundredths(17_850_000)} 元（凭证注明决定）`,
  );
}

/** The courtyard renovation: the chosen plan crowdfunded, then held in a micro-fund. */
async function courtyard(
  api: Api,
  c: DemoCommunity,
  treasurer: Actor,
  position: string,
  log: DemoLog,
): Promise<void> {
  const admin = api.as('admin', 'demo-admin');
  const convener = api.as('convener', c.conveners[0]!);
  const clerk = api.as('clerk', c.clerkId);
  // The plan the residents chose (方案由居民选取), as the decision register holds it.
  const decision = await api.read(
    convener,
    `/v1/communities/${c.communityId}/proposals/renovation/decision?minPosition=${position}`,
  );
  const body = decision.body as { outcome?: string; items?: { result?: { chosen?: string } }[] };
  const chosen = body.items?.[0]?.result?.chosen;
  if (decision.status !== 200 || body.outcome !== 'adopted' || !chosen) {
    log(`  (6) 院落改造众筹：改造方案未选定（${decision.status}），不发起众筹`);
    return;
  }
  await admin.post('registry/register-person', { personId: 'sg-rep', name: '林社工', adult: true });
  await clerk.post('registry/register-party', {
    partyId: 'sgs',
    kind: 'social-organisation',
    name: '邻里互助社会工作服务中心',
  });
  await clerk.post('registry/appoint-party-representative', { partyId: 'sgs', personId: 'sg-rep' });
  const now = await nowOf(api, admin);
  await convener.post('crowdfunding', {
    campaignId: 'courtyard',
    title: `院落改造众筹（方案${chosen}）`,
    description: '费用由居民众筹：改造院落的公共部分，社会组织配捐。',
    proposalId: 'renovation',
    itemId: 'plan',
    optionId: chosen,
    targetFen: 5_000_000,
    deadline: new Date(now.getTime() + 20 * DAY_MS).toISOString(),
  });
  const households = c.households.slice(0, 30);
  await inPool(households, 8, async (h, i) => {
    const resident = api.as('resident', h.representativeId);
    await resident.post('crowdfunding/courtyard/pledge-to-crowdfunding', {
      pledgeId: `hh-${h.householdId}`,
      amountFen: 100_000,
    });
    await treasurer.post('crowdfunding/courtyard/record-pledge-receipt', {
      pledgeId: `hh-${h.householdId}`,
      amountFen: 100_000,
      documentRef: `众筹收据 No.${String(i + 1).padStart(3, '0')}`,
    });
  });
  await api
    .as('party_representative', 'sg-rep', 'sgs')
    .post('crowdfunding/courtyard/pledge-to-crowdfunding', {
      pledgeId: 'sgs-match',
      amountFen: 2_000_000,
    });
  await treasurer.post('crowdfunding/courtyard/record-pledge-receipt', {
    pledgeId: 'sgs-match',
    amountFen: 2_000_000,
    documentRef: '社会组织配捐转账凭证',
  });
  await convener.post('crowdfunding/courtyard/close-crowdfunding', {
    note: '方案已选定，众筹达到目标',
  });
  await clerk.post('funds', {
    fundId: 'courtyard',
    kind: 'micro-fund',
    name: '院落改造微基金',
    description: '众筹所得，专款用于院落改造',
  });
  await treasurer.post('funds/courtyard/post-fund-entry', {
    entryId: 'crowdfunding-in',
    lines: lines('bank', 'income:crowdfunding', 5_000_000),
    memo: '院落改造众筹款转入（30户居民、邻里互助社会工作服务中心）',
    documentRef: '众筹汇总表 courtyard',
  });
  log(
    `  (6) 院落改造众筹：${households.length} 户居民与社会组织认捐 50000.00 元，方案${chosen}已选定，众筹成功转入微基金`,
  );
}

export async function moneyScenario(api: Api, c: DemoCommunity, log: DemoLog): Promise<void> {
  const admin = api.as('admin', 'demo-admin');
  // The residents' committee member who keeps the money (出纳): a registry appointment.
  const treasurerId = c.parties.find((p) => p.partyId === 'jwh')!.representativeId;
  const appointed = await admin.post('registry/appoint-treasurer', { personId: treasurerId });
  const treasurer = api.as('resident', treasurerId);
  await maintenanceFund(api, c, treasurer, log);
  await courtyard(api, c, treasurer, String(appointed.position), log);
}
