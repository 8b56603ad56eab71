import { textHashOf } from '@yishi/domain';
import type { TablePhoneDirectory } from '@yishi/identity';
import { type Actor, type Api, inPool } from './client.ts';
import type { DemoCommunity } from './community.ts';
import { liftVote } from './lift.ts';
import { moneyScenario } from './money.ts';
import { linkPhones, type SignedIn, signInDemoPeople } from './sign-in.ts';

export type DemoLog = (line: string) => void;

export interface DemoResult {
  communityId: string;
  /** Who signed in to the console at the end, and what they saw. */
  signedIn: SignedIn[];
  proposals: { renovation: string; fund: string; lift: string };
  sessionId: string;
  counts: { persons: number; units: number; households: number; requests: number };
  ballots: { renovation: number; fundOnline: number; fundProxy: number; fundPaper: number };
  lift: { owners: number; ballots: number };
}

const CONCURRENCY = 24;
const day = 24;

async function advance(admin: Actor, days: number): Promise<void> {
  await admin.post('/v1/admin/clock/advance', { days });
}

async function clockNow(api: Api, admin: Actor): Promise<Date> {
  const body = (await api.commandGet(admin, '/v1/clock')) as { now: string; simulated: boolean };
  if (!body.simulated) {
    throw new Error(
      'the command service runs on the system clock: start it with DEMO_CLOCK=1 (notice periods of 15 days cannot be waited out in a demo)',
    );
  }
  return new Date(body.now);
}

const iso = (d: Date, days: number) => new Date(d.getTime() + days * day * 3_600_000).toISOString();

/** Registers the compound through the public API: persons, units, households, groups, parties. */
export async function seedRegistry(api: Api, c: DemoCommunity, log: DemoLog): Promise<void> {
  const admin = api.as('admin', 'demo-admin');
  await admin.post('', { name: c.name, kind: 'urban' });
  await admin.post('registry/register-person', {
    personId: c.clerkId,
    name: '居委会书记员',
    adult: true,
  });
  await admin.post('registry/appoint-clerk', { personId: c.clerkId });
  const clerk = api.as('clerk', c.clerkId);
  const persons = c.persons.filter((p) => p.personId !== c.clerkId);
  await inPool(persons, CONCURRENCY, (p) => clerk.post('registry/register-person', p));
  log(`  登记居民/业主 ${c.persons.length} 人 (persons)`);
  await inPool(c.groups, CONCURRENCY, (g) =>
    clerk.post('registry/create-resident-group', { groupId: g.groupId, name: g.name }),
  );
  await inPool(c.units, CONCURRENCY, (u) =>
    clerk.post('registry/register-unit', {
      unitId: u.unitId,
      building: u.building,
      ...(u.entrance === undefined ? {} : { entrance: u.entrance }),
      label: u.label,
      kind: u.kind,
      areas: { registryCentiM2: u.areaCentiM2 },
      developerUnsold: u.developerUnsold,
      ownerIds: u.ownerIds,
    }),
  );
  const unsold = c.units.filter((u) => u.developerUnsold).length;
  log(`  登记专有部分 ${c.units.length} 个（住宅、底商、车位；开发商未售 ${unsold} 个）(units)`);
  await inPool(c.households, CONCURRENCY, async (h) => {
    await clerk.post('registry/create-household', {
      householdId: h.householdId,
      residentGroupId: h.groupId,
      unitId: h.unitId,
      address: h.address,
    });
    for (const personId of h.residentIds) {
      await clerk.post('registry/add-resident', { personId, householdId: h.householdId });
    }
    await clerk.post('registry/designate-household-representative', {
      householdId: h.householdId,
      personId: h.representativeId,
    });
  });
  log(`  登记住户 ${c.households.length} 户 (households)`);
  for (const g of c.groups) {
    for (const personId of g.representativeIds) {
      await clerk.post('registry/elect-group-representative', {
        groupId: g.groupId,
        personId,
        documentRef: `${g.name}选举记录`,
      });
    }
  }
  for (const party of c.parties) {
    await clerk.post('registry/register-party', {
      partyId: party.partyId,
      kind: party.kind,
      name: party.name,
    });
    await clerk.post('registry/appoint-party-representative', {
      partyId: party.partyId,
      personId: party.representativeId,
    });
  }
  // The convener acts for the residents' committee: a representative of a convening body.
  await clerk.post('registry/appoint-party-representative', {
    partyId: 'jwh',
    personId: c.conveners[0],
  });
  log(
    `  登记协商主体 ${c.parties.length} 个 (parties): ${c.parties.map((p) => p.name).join('、')}`,
  );
}

/** (1) 老旧小区改造: residents choose among three plans at a residents' meeting. */
async function renovation(api: Api, c: DemoCommunity, log: DemoLog): Promise<number> {
  const admin = api.as('admin', 'demo-admin');
  const convener = api.as('convener', c.conveners[0]!);
  const proposer = api.as('resident', c.households[0]!.representativeId);
  const now = await clockNow(api, admin);
  await proposer.post('proposals', {
    proposalId: 'renovation',
    title: '老旧小区综合改造方案选择',
    description:
      '小区建成于2001年，管线老化、外墙渗水、无障碍设施缺失。现征集居民意见，在三个改造方案中选择其一。',
    procedure: 'community-consultation',
    items: [
      {
        itemId: 'plan',
        title: '改造方案',
        kind: 'plans',
        options: [
          {
            optionId: 'A',
            title: '方案A：管网改造＋外墙保温',
            description: '优先解决渗水与管线问题',
          },
          {
            optionId: 'B',
            title: '方案B：加装电梯＋无障碍通道',
            description: '优先方便老年居民出行',
          },
          {
            optionId: 'C',
            title: '方案C：停车位扩容＋绿化提升',
            description: '优先改善停车与环境',
          },
        ],
      },
    ],
  });
  await convener.post('proposals/renovation/accept-onto-agenda', {
    concernedPartyIds: ['jwh', 'ywh', 'wy'],
    note: '列入本季度议事清单',
  });
  await convener.post('proposals/renovation/give-notice', {
    text: '居民会议通知：以户代表形式对改造方案进行表决',
  });
  await convener.post('proposals/renovation/record-deliberation', {
    summary: '居民议事会听取三个方案介绍，物业、业委会发表意见，同意提交居民会议表决（排序投票）。',
  });
  await convener.post('proposals/renovation/open-voting', {
    rule: { kind: 'residents-meeting', form: 'household-representatives' },
    closesAt: iso(now, 3),
    planMethod: 'instant-runoff',
  });
  const orders = [
    ['B', 'A', 'C'],
    ['A', 'B', 'C'],
    ['B', 'C', 'A'],
    ['C', 'B', 'A'],
    ['A', 'C', 'B'],
    ['B', 'A'],
  ];
  const voting = c.households.filter((_, i) => i % 8 !== 3 && i % 8 !== 6);
  await inPool(voting, CONCURRENCY, (h, i) =>
    api.as('resident', h.representativeId).post('proposals/renovation/cast-ballot', {
      voterId: h.householdId,
      choices: [{ itemId: 'plan', ranking: orders[i % orders.length] }],
    }),
  );
  // The scheduler closes the vote at its closing time (自动), as the clock passes it.
  await advance(admin, 3);
  log(`  (1) 老旧小区改造：${voting.length}/${c.households.length} 户代表排序投票，即时决选计票`);
  await convener.post('proposals/renovation/publish', {
    text: '公示：居民会议选定改造方案，公示期7天。',
    implementationDueAt: iso(now, 90),
  });
  return voting.length;
}

/** (2) 续筹维修资金: owners' e-vote under Art. 278 (special matter), proxies, paper ballots. */
async function fund(api: Api, c: DemoCommunity, log: DemoLog) {
  const admin = api.as('admin', 'demo-admin');
  const convener = api.as('convener', c.conveners[0]!);
  const clerk = api.as('clerk', c.clerkId);
  const ywh = c.parties.find((p) => p.partyId === 'ywh')!;
  const proposer = api.as('owner', ywh.representativeId);
  await proposer.post('proposals', {
    proposalId: 'fund',
    title: '续筹专项维修资金',
    description:
      '小区专项维修资金余额已低于首期交存额的30%，拟按每平方米30元续筹，用于电梯、屋面等共用部位维修。',
    procedure: 'owners-joint-decision',
    items: [
      {
        itemId: 'raise',
        title: '同意按每平方米30元续筹专项维修资金',
        kind: 'motion',
        matter: 'maintenance-fund-raise',
        options: [],
      },
    ],
  });
  // Owners who own alone (no co-owner) are their own voter: they can authorise a proxy or sign paper.
  const coOwned = new Set(c.units.filter((u) => u.ownerIds.length > 1).flatMap((u) => u.ownerIds));
  const solo = c.owners.filter((o) => !coOwned.has(o) && o !== ywh.representativeId);
  const proxies = c.persons.filter((p) => p.adult && !c.owners.includes(p.personId)).slice(0, 3);
  const proxied = solo.slice(0, 9);
  await inPool(proxied, 4, (ownerId, i) =>
    api.as('owner', ownerId).post('registry/grant-proxy', {
      authorisationId: `wt-${ownerId}`,
      ownerId,
      proxyId: proxies[i % 3]!.personId,
      proposalId: 'fund',
      itemId: 'raise',
      instructions: '同意',
    }),
  );
  await convener.post('proposals/fund/give-notice', {
    text: '业主大会表决公告：续筹专项维修资金，15日后开始电子表决',
  });
  await advance(admin, 16);
  const now = await clockNow(api, admin);
  await convener.post('proposals/fund/open-voting', {
    rule: { kind: 'owners-278', deemedConsent: false, countParking: false },
    closesAt: iso(now, 10),
  });
  const paper = solo.slice(9, 40);
  const online = c.owners.filter(
    (o, i) => !proxied.includes(o) && !paper.includes(o) && i % 9 !== 4 && i % 9 !== 8,
  );
  const choice = (i: number) => (i % 11 === 5 ? 'no' : i % 17 === 3 ? 'abstain' : 'yes');
  let onlineCount = 0;
  await inPool(online, CONCURRENCY, async (ownerId, i) => {
    const res = await api
      .as('owner', ownerId)
      .post(
        'proposals/fund/cast-ballot',
        { choices: [{ itemId: 'raise', choice: choice(i) }] },
        [201, 409],
      );
    if (res.code === undefined) onlineCount += 1;
  });
  await inPool(proxied, 4, (ownerId, i) =>
    api.as('proxy', proxies[i % 3]!.personId).post('proposals/fund/cast-proxy-ballot', {
      voterId: ownerId,
      choices: [{ itemId: 'raise', choice: 'yes' }],
    }),
  );
  await inPool(paper, 4, (ownerId, i) =>
    clerk.post('proposals/fund/enter-paper-ballot', {
      voterId: ownerId,
      choices: [{ itemId: 'raise', choice: i % 10 === 7 ? 'no' : 'yes' }],
      documentRef: `纸质表决票 No.${String(i + 1).padStart(4, '0')}`,
      signedBy: ownerId,
    }),
  );
  // Two days before closing the scheduler reminds the owners who have not voted (提醒); at
  // closing it closes the vote and tallies by the frozen rule. No one presses a button.
  await advance(admin, 8);
  await advance(admin, 2);
  log(
    `  (2) 续筹维修资金（特别事项）：电子表决 ${onlineCount}，委托代理 ${proxied.length}，书记员录入纸质票 ${paper.length}；截止前提醒未表决业主，到期自动结束表决`,
  );
  return { online: onlineCount, proxy: proxied.length, paper: paper.length, objector: online[0]! };
}

/** (3) 停车收费联席会议: minutes signed by every attending party, one dissent recorded. */
async function parkingSession(api: Api, c: DemoCommunity, log: DemoLog): Promise<void> {
  const admin = api.as('admin', 'demo-admin');
  const convener = api.as('convener', c.conveners[0]!);
  const clerk = api.as('clerk', c.clerkId);
  const now = await clockNow(api, admin);
  await convener.post('sessions', {
    sessionId: 'parking',
    kind: 'joint-session',
    title: '地面停车收费标准联席会议',
    scheduledAt: iso(now, 1),
    agenda: [
      { itemId: 'fee', title: '地面停车位月租费调整为每月150元', concernedPartyIds: ['ywh', 'wy'] },
    ],
    resolutionRule: {
      kind: 'qualified-majority',
      threshold: { numerator: 2, denominator: 3, inclusive: true },
    },
  });
  await convener.post('sessions/parking/give-session-notice', {
    text: '定于明日下午两点在社区议事厅召开联席会议',
  });
  const reps = c.parties.map((p) => ({
    party: p,
    actor: api.as('party_representative', p.representativeId, p.partyId),
  }));
  for (const { party, actor } of reps) {
    await actor.post('sessions/parking/record-attendance', {
      personId: party.representativeId,
      partyId: party.partyId,
    });
  }
  const say: Record<string, [string, string]> = {
    dw: ['support', '兼顾停车秩序与居民负担，同意。'],
    jwh: ['support', '收入纳入公共收益账户，按季度公示。'],
    ywh: ['support', '业委会同意，收益用于车位划线与监控维护。'],
    wy: ['oppose', '物业成本测算每月180元方能覆盖管理成本，不同意150元。'],
    wsz: ['support', '同意，请为就医车辆预留临时车位。'],
  };
  for (const { party, actor } of reps) {
    const [position, reason] = say[party.partyId]!;
    await actor.post('sessions/parking/record-statement', { itemId: 'fee', text: reason });
    await actor.post('sessions/parking/state-position', {
      itemId: 'fee',
      partyId: party.partyId,
      position,
      reason,
    });
  }
  await convener.post('sessions/parking/resolve-item', { itemId: 'fee' });
  await clerk.post('sessions/parking/draft-minutes', {
    text: '联席会议纪要：会议以五分之四的协商主体同意，通过地面停车位月租费每月150元的方案；安居物业服务有限公司持异议（成本测算需每月180元），记录在案。',
  });
  const ywh = reps.find((r) => r.party.partyId === 'ywh')!;
  const amended =
    '联席会议纪要：会议以五分之四的协商主体同意，通过地面停车位月租费每月150元的方案，收益纳入业主共有资金账户；安居物业服务有限公司持异议（成本测算需每月180元），记录在案。';
  await ywh.actor.post('sessions/parking/amend-minutes', { text: amended, reason: '补充收益归属' });
  // Each party signs the text it read: the signature names its hash.
  const textHash = textHashOf(amended);
  for (const { party, actor } of reps) {
    await actor.post('sessions/parking/sign-minutes', { partyId: party.partyId, textHash });
  }
  await convener.post('sessions/parking/publish-minutes', { documentRef: '幸福里联席〔2026〕3号' });
  log(`  (3) 停车收费联席会议：${reps.length} 方出席，物业服务企业持异议，纪要经各方签字后公开`);
}

/** (4) Publication, an objection answered, implementation reports, satisfaction feedback. */
async function followThrough(
  api: Api,
  c: DemoCommunity,
  objector: string,
  log: DemoLog,
): Promise<void> {
  const admin = api.as('admin', 'demo-admin');
  const convener = api.as('convener', c.conveners[0]!);
  const clerk = api.as('clerk', c.clerkId);
  const now = await clockNow(api, admin);
  await convener.post('proposals/fund/publish', {
    text: '表决结果公告：续筹专项维修资金事项经业主共同决定通过，公示期7天。',
    implementationDueAt: iso(now, 60),
  });
  await api.as('owner', objector).post('proposals/fund/raise-objection', {
    objectionId: 'obj-1',
    text: '请说明续筹资金的使用计划与公示方式。',
  });
  await convener.post('proposals/fund/answer-objection', {
    objectionId: 'obj-1',
    answer: '续筹资金专户存储，使用前另行表决；每季度在公告栏和小程序公示收支。',
  });
  await advance(admin, 8);
  await clerk.post('proposals/fund/report-implementation', {
    progressPercent: 40,
    text: '已向住建部门备案，开始分户通知交存。',
  });
  await clerk.post('proposals/fund/report-implementation', {
    progressPercent: 100,
    text: '续筹资金已全部归集至专户。',
  });
  await convener.post('proposals/fund/report-feedback', {
    text: '续筹工作完成，向全体业主反馈办理结果。',
  });
  await inPool(c.owners.slice(0, 20), 8, (ownerId, i) =>
    api.as('owner', ownerId).post('proposals/fund/rate-satisfaction', {
      rating: [5, 4, 5, 3, 4][i % 5]!,
      comment: i % 4 === 0 ? '公开透明' : undefined,
    }),
  );
  await clerk.post('proposals/renovation/report-implementation', {
    progressPercent: 35,
    text: '施工单位已进场，完成3栋楼外墙脚手架搭设。',
  });
  log('  (4) 公示、异议答复、落实进度与满意度评议已完成');
}

export interface DemoOptions {
  /** Where the demo's people get their phone numbers (the sign-in's directory). */
  phones?: TablePhoneDirectory;
  /** The console: some of the demo's people sign in to it at the end. */
  webUrl?: string;
}

export async function runDemo(
  api: Api,
  community: DemoCommunity,
  log: DemoLog,
  options: DemoOptions = {},
): Promise<DemoResult> {
  log(`社区 ${community.name}（${community.communityId}）`);
  await seedRegistry(api, community, log);
  if (options.phones) await linkPhones(api, community, options.phones, log);
  const renovationBallots = await renovation(api, community, log);
  const fundBallots = await fund(api, community, log);
  await parkingSession(api, community, log);
  await followThrough(api, community, fundBallots.objector, log);
  await regularMeeting(api, community, log);
  const admin = api.as('admin', 'demo-admin');
  const lift = await liftVote(
    api,
    community,
    (days) => advance(admin, days),
    () => clockNow(api, admin),
    log,
  );
  await moneyScenario(api, community, log);
  const signedIn = options.webUrl ? await signInDemoPeople(options.webUrl, community, log) : [];
  return {
    signedIn,
    communityId: community.communityId,
    proposals: { renovation: 'renovation', fund: 'fund', lift: lift.proposalId },
    lift: { owners: lift.owners, ballots: lift.ballots },
    sessionId: 'parking',
    counts: {
      persons: community.persons.length,
      units: community.units.length,
      households: community.households.length,
      requests: api.requests,
    },
    ballots: {
      renovation: renovationBallots,
      fundOnline: fundBallots.online,
      fundProxy: fundBallots.proxy,
      fundPaper: fundBallots.paper,
    },
  };
}

/** The standing residents' council of the demo, and its regular meeting. */
export const DEMO_COUNCIL = 'yishihui';

/**
 * (5) 逢四说事: a standing residents' council meets on the 4th, 14th and 24th at 19:00; the
 * scheduler convenes each meeting with the items accepted onto the agenda since the last one.
 */
async function regularMeeting(api: Api, c: DemoCommunity, log: DemoLog): Promise<void> {
  const admin = api.as('admin', 'demo-admin');
  const convener = api.as('convener', c.conveners[0]!);
  const clerk = api.as('clerk', c.clerkId);
  await clerk.post('registry/establish-standing-body', {
    bodyId: DEMO_COUNCIL,
    name: '幸福里居民议事会（逢四说事）',
    kind: 'residents-council',
    partyIds: ['dw', 'jwh'],
    memberIds: c.households.slice(0, 7).map((h) => h.representativeId),
    venue: '社区议事厅',
    schedule: { kind: 'days-of-month', days: [4, 14, 24], time: '19:00' },
  });
  const proposer = api.as('resident', c.households[10]!.representativeId);
  for (const [proposalId, title] of [
    ['corridor', '楼道堆放杂物集中清理'],
    ['charging', '增设电动自行车集中充电点'],
  ] as const) {
    await proposer.post('proposals', {
      proposalId,
      title,
      description: `${title}：居民在“逢四说事”中提出。`,
      procedure: 'community-consultation',
    });
    await convener.post(`proposals/${proposalId}/accept-onto-agenda`, {
      concernedPartyIds: ['jwh', 'wy'],
    });
  }
  // At most eleven days to the next 4th, 14th or 24th: the scheduler convenes it on the way.
  await advance(admin, 11);
  log('  (5) 逢四说事：居民议事会例会由定时器按期召开，议程为上次会后列入议事清单的 2 项');
}

/** The query API's pages the demo points to when it is done (each answers 200 to an official). */
export function demoLinks(
  communityId: string,
  sessionId: string,
): { label: string; path: string }[] {
  const c = `/v1/communities/${communityId}`;
  return [
    { label: '提案 proposals', path: `${c}/proposals` },
    { label: '决定登记 decisions', path: `${c}/decisions` },
    { label: '联席会议 session', path: `${c}/sessions/${sessionId}` },
    { label: '议题历史 history', path: `${c}/proposals/fund/history` },
    { label: '核验 verification', path: `${c}/verification` },
    { label: '维修资金账目 fund accounts', path: `${c}/funds/maintenance` },
    { label: '院落改造众筹 crowdfunding', path: `${c}/crowdfunding/courtyard` },
    {
      label: '院落改造众筹账目 crowdfunding accounts (CSV)',
      path: `${c}/crowdfunding/courtyard/accounts.csv`,
    },
  ];
}
