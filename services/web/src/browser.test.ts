import pg from 'pg';
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import {
  browserStack,
  keepScreenshot,
  newContext,
  seriousViolations,
  signIn,
} from './testing/browser.ts';
import { phoneOf } from './testing/identity.ts';
import { actor } from './testing/stack.ts';

// The console in a real browser against the real services: a clerk runs a joint session to
// signed minutes; an owner votes on a phone and reads the decision; an official verifies a
// history and sees a tampered one fail. Everyone signs in by phone with the development code,
// in a capacity the registry gives them. Each final screen is kept in test-artifacts/web/.

const env = browserStack();

/** Pages of the running test: on a failure each one's screen is kept, to see what went wrong. */
let watched: Page[] = [];
beforeEach(() => {
  watched = [];
  onTestFailed(async ({ task }) => {
    const name = task.name.split(' ').slice(0, 3).join('-');
    for (const [i, page] of watched.entries()) {
      if (!page.isClosed())
        await keepScreenshot(page, `failed-${name}-${i}`).catch(() => undefined);
    }
  });
});

function watch(page: Page): Page {
  page.setDefaultTimeout(10_000);
  watched.push(page);
  return page;
}

async function expectAccessible(page: Page, screen: string): Promise<void> {
  const violations = await seriousViolations(page);
  expect(
    violations.map(
      (v) =>
        `${screen}: ${v.id} (${v.impact}) ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`,
    ),
  ).toEqual([]);
}

const DAY = 24 * 60 * 60 * 1000;

describe.skipIf(!env.available)('web console in Chromium', () => {
  it('an owner votes on a phone, changes the vote, and reads the decision in words', async () => {
    const { stack, browser } = env;
    const cid = 'ov';
    stack.clock.now = new Date('2026-03-01T02:00:00.000Z');
    const admin = await actor(stack, cid, { personId: 'adm', role: 'admin' });
    await admin('', { name: '幸福里社区', kind: 'urban' });
    const owners: [string, string, number][] = [
      ['o1', '张一', 8_000],
      ['o2', '李二', 9_550],
      ['o3', '赵三', 6_025],
      ['o4', '钱四', 12_000],
      ['o5', '孙五', 7_200],
      ['o6', '周六', 8_800],
    ];
    for (const [personId, name] of owners) {
      await admin('registry/register-person', { personId, name, adult: true });
    }
    await admin('registry/register-person', { personId: 'k1', name: '王书记员', adult: true });
    await admin('registry/register-person', { personId: 'cv1', name: '召集人' });
    await admin('registry/appoint-clerk', { personId: 'k1' });
    const clerk = await actor(stack, cid, { personId: 'k1', role: 'clerk' });
    for (const [i, [personId, , area]] of owners.entries()) {
      await clerk('registry/register-unit', {
        unitId: `u${i + 1}`,
        building: '3号楼',
        kind: 'home',
        areas: { registryCentiM2: area },
        developerUnsold: false,
        ownerIds: [personId],
      });
    }
    const convener = await actor(stack, cid, { personId: 'cv1', role: 'convener' });
    await convener('proposals', {
      proposalId: 'lift',
      title: '3号楼加装电梯使用维修资金',
      description: '使用专项维修资金加装电梯，费用按面积分摊。',
      procedure: 'owners-joint-decision',
      items: [
        {
          itemId: 'i1',
          title: '同意使用维修资金加装电梯',
          kind: 'motion',
          matter: 'maintenance-fund-use',
          options: [],
          // 60万元 shared by area among the building's owners (#26.6).
          cost: { basis: 'area', totalFen: 60_000_000 },
        },
      ],
      // Every unit is in 3号楼: its owners decide (domain.md 3.1b), the same six.
      scope: { kind: 'building', building: '3号楼' },
    });
    await convener('proposals/lift/give-notice', { text: '表决前公告：3号楼加装电梯' });
    stack.clock.now = new Date(stack.clock.now.getTime() + 16 * DAY);
    await convener('proposals/lift/open-voting', {
      rule: { kind: 'owners-278', deemedConsent: false, countParking: false },
      closesAt: new Date(stack.clock.now.getTime() + 7 * DAY).toISOString(),
      allowBallotChange: true,
    });
    const yes = [{ itemId: 'i1', choice: 'yes' }];
    for (const id of ['o2', 'o3', 'o4']) {
      await (await actor(stack, cid, { personId: id, role: 'owner' }))(
        'proposals/lift/cast-ballot',
        { choices: yes },
      );
    }
    const last = await (await actor(stack, cid, { personId: 'o6', role: 'owner' }))(
      'proposals/lift/cast-ballot',
      {
        choices: [{ itemId: 'i1', choice: 'no' }],
      },
    );
    await stack.settled(admin.token, cid, last.position);

    const context = await newContext(browser, true);
    const page = watch(await context.newPage());
    // The sign-in pages, on a phone: the number, then the code (shown in development).
    await page.goto(`${stack.webUrl}/`);
    await expectAccessible(page, 'sign-in (phone)');
    await page.getByLabel('手机号').fill('130 0000 0000');
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page.locator('[data-dev-code]').waitFor();
    expect(await page.getByRole('status').textContent()).toContain('开发模式');
    await expectAccessible(page, 'sign-in code (phone)');
    await keepScreenshot(page, 'sign-in-development-code');
    await signIn(page, stack.webUrl, await stack.link(cid, 'o1'));
    // One capacity, in one community: straight to it, the open proposal marked as voting.
    await expect.poll(() => page.url()).toContain(`/c/${cid}`);
    await expectAccessible(page, 'community (phone)');
    const forYou = page.getByRole('region', { name: '与您相关' });
    await forYou.getByRole('link', { name: '3号楼加装电梯使用维修资金' }).click();
    await page.getByRole('heading', { name: '实时计票（暂定）' }).waitFor();
    expect(await page.getByText('4 / 6 位投票人已投票').isVisible()).toBe(true);
    await expectAccessible(page, 'proposal with live tally (phone)');
    // Before voting, the owner sees who decides and their share: 80.00 of 515.75 m² of
    // 600,000.00 元 by the largest remainder method is 93,068.35 元.
    expect(await page.getByText('决定范围：3号楼业主').isVisible()).toBe(true);
    const costs = page.getByRole('region', { name: '费用与分摊' });
    expect(await costs.textContent()).toContain('总额 ¥600,000.00，按专有部分面积分摊');
    expect(await costs.textContent()).toContain('您的分摊：¥93,068.35（面积 80.00 平方米，1 套）');
    await keepScreenshot(page, 'owner-phone-share');
    // PIPL Art. 45: the owner downloads their own data from the header, and no one else's.
    const own = await page.getByRole('link', { name: '下载我的个人信息' }).getAttribute('href');
    const mine = await page.request.get(`${stack.webUrl}${own}`);
    expect(mine.status()).toBe(200);
    expect(mine.headers()['content-disposition']).toContain('attachment');
    expect(await mine.json()).toMatchObject({ personId: 'o1' });
    const other = await page.request.get(`${stack.webUrl}${own!.replace('/o1/', '/o2/')}`);
    expect(other.status()).toBe(403);

    // Vote with the keyboard only: the radio group, an arrow key, then the submit button.
    const first = page.getByRole('radio', { name: '同意' });
    await first.focus();
    await page.keyboard.press('ArrowDown'); // 反对
    expect(await page.getByRole('radio', { name: '反对' }).isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: '已记录：投票' }).waitFor();
    await page.getByText('您已投票：同意使用维修资金加装电梯：反对').waitFor();
    expect(await page.getByText('5 / 6 位投票人已投票').isVisible()).toBe(true);

    // The rule allows a change until closing: the owner changes to yes.
    await page.getByRole('radio', { name: '同意' }).check();
    await page.getByRole('button', { name: '修改选票' }).click();
    await page.getByRole('status').filter({ hasText: '已记录：修改选票' }).waitFor();
    await page.getByText('您已投票：同意使用维修资金加装电梯：同意').waitFor();
    // The events record the capacity the owner signed in as.
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ type: string; actor: string; role: string }>(
        `SELECT type, metadata->>'actorId' AS actor, metadata->>'actorRole' AS role
           FROM es_events WHERE stream_id = $1 AND metadata->>'actorId' = 'o1'`,
        [`proposal-${cid}.lift`],
      );
      expect(rows.map((r) => [r.type, r.role])).toEqual([
        ['BallotCast', 'owner'],
        ['BallotChanged', 'owner'],
      ]);
    } finally {
      await db.end();
    }

    // Voting closes at its time; the decision is recorded with every figure.
    stack.clock.now = new Date(stack.clock.now.getTime() + 8 * DAY);
    const closed = await convener('proposals/lift/close-voting', {});
    await stack.settled(admin.token, cid, closed.position);
    await page.reload();
    await page.getByRole('heading', { name: '表决结果' }).waitFor();
    const decision = await page.locator('#vote').textContent();
    expect(decision).toContain('通过');
    // 5 of 6 owners took part: 443.75 of 515.75 m² is 86.0 %, at least two thirds.
    expect(decision).toContain('参与表决面积 86.0%（443.75 / 515.75 平方米），达到三分之二');
    expect(decision).toContain('参与表决人数 83.3%（5 / 6 人），达到三分之二');
    expect(decision).toContain('同意面积（占参与表决面积） 80.2%');
    expect(decision).toContain('超过半数');
    await expectAccessible(page, 'decision (phone)');
    await keepScreenshot(page, 'owner-phone-decision');

    // The English switch: the same decision in words.
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Decision' }).waitFor();
    expect(await page.locator('#vote').textContent()).toContain(
      'Participating area 86.0% (443.75 of 515.75 m²): reaches two thirds',
    );
    await keepScreenshot(page, 'owner-phone-decision-en');
    await context.close();
  });

  it('a clerk runs a joint session to minutes signed by every attending party', async () => {
    const { stack, browser } = env;
    const cid = 'js';
    stack.clock.now = new Date('2026-03-10T01:00:00.000Z');
    const admin = await actor(stack, cid, { personId: 'adm', role: 'admin' });
    await admin('', { name: '和平里社区', kind: 'urban' });
    const parties: [string, string, string, string][] = [
      ['dzb', 'party-organisation', '社区党支部', 'r1'],
      ['jwh', 'residents-committee', '居民委员会', 'r2'],
      ['ywh', 'owners-committee', '业主委员会', 'r3'],
      ['wy', 'property-company', '物业服务企业', 'r4'],
    ];
    for (const [personId, name] of [
      ['k1', '王书记员'],
      ['res1', '居民甲'],
      ['r1', '党支部代表'],
      ['r2', '居委会代表'],
      ['r3', '业委会代表'],
      ['r4', '物业代表'],
    ]) {
      await admin('registry/register-person', { personId, name, adult: true });
    }
    await admin('registry/register-person', { personId: 'cv1', name: '召集人' });
    await admin('registry/appoint-clerk', { personId: 'k1' });
    for (const [partyId, kind, name, rep] of parties) {
      await admin('registry/register-party', { partyId, kind, name });
      await admin('registry/appoint-party-representative', { partyId, personId: rep });
    }
    // The convener represents the residents' committee, a convening body, in the registry.
    await admin('registry/appoint-party-representative', { partyId: 'jwh', personId: 'cv1' });
    for (const id of ['k1', 'cv1', 'r1', 'r2', 'r3', 'r4']) await stack.link(cid, id);
    const resident = await actor(stack, cid, { personId: 'res1', role: 'resident' });
    await resident('proposals', {
      proposalId: 'parking',
      title: '地面停车收费标准',
      description: '小区地面停车位收费，收入用于车位维护。',
      procedure: 'joint-session',
    });
    const convenerApi = await actor(stack, cid, { personId: 'cv1', role: 'convener' });
    const accepted = await convenerApi('proposals/parking/accept-onto-agenda', {
      concernedPartyIds: ['ywh', 'wy'],
    });
    await stack.settled(admin.token, cid, accepted.position);

    const open = async (
      principal: {
        personId: string;
        role: 'convener' | 'clerk' | 'party_representative';
        partyId?: string;
      },
      phone = false,
    ) => {
      const context = await newContext(browser, phone);
      const page = watch(await context.newPage());
      await signIn(
        page,
        stack.webUrl,
        phoneOf(principal.personId, cid),
        capacities[principal.role],
      );
      return page;
    };
    // Representatives of the party organisation, the residents' and the owners' committee may
    // also convene: they choose the capacity they act in.
    const capacities = {
      convener: '以召集人身份',
      clerk: '以书记员身份',
      party_representative: '以协商主体代表身份',
    } as const;
    const done = (page: Page, action: string) =>
      page
        .getByRole('status')
        .filter({ hasText: `已记录：${action}` })
        .waitFor();

    // The convener convenes the session with the proposal on its agenda.
    const convener = await open({ personId: 'cv1', role: 'convener' });
    // The header names the capacity and offers the other one the registry gives.
    const switcher = convener.getByRole('combobox', { name: '身份' });
    expect(await switcher.locator('option:checked').textContent()).toContain('以召集人身份');
    expect(await switcher.locator('option').allTextContents()).toEqual([
      '以协商主体代表身份 · 居民委员会 · 和平里社区',
      '以召集人身份 · 和平里社区',
    ]);
    await convener.getByRole('link', { name: '召集会议' }).click();
    await convener.getByLabel('会议名称').fill('停车收费联席会议');
    await convener.getByLabel('会议时间（北京时间）').fill('2026-03-20T14:00');
    await convener.getByLabel('决议规则').selectOption('two-thirds');
    const item1 = convener.getByRole('group', { name: '议程项 1' });
    await item1.getByLabel('议程项标题').fill('地面停车收费标准');
    await item1.getByLabel('对应议题').selectOption('parking');
    await item1.getByLabel('业主委员会').check();
    await item1.getByLabel('物业服务企业').check();
    await expectAccessible(convener, 'convene form');
    await convener.getByRole('button', { name: '召集会议' }).click();
    await done(convener, '召集会议');
    const sessionUrl = convener.url().split('?')[0]!;
    expect(sessionUrl).toMatch(/\/c\/js\/sessions\/s-/);

    // The clerk gives notice, records attendance and a statement.
    const clerk = await open({ personId: 'k1', role: 'clerk' });
    await clerk.goto(sessionUrl);
    await clerk
      .getByLabel('公告内容')
      .fill('3月20日14时在社区会议室召开联席会议，议题：地面停车收费标准。');
    await clerk.getByRole('button', { name: '发出会议通知' }).click();
    await done(clerk, '发出会议通知');
    for (const [partyId, , , rep] of parties) {
      await clerk.getByLabel('出席人编号').fill(rep);
      await clerk.getByLabel('代表的协商主体').selectOption(partyId);
      await clerk.getByRole('button', { name: '记录出席' }).click();
      await done(clerk, '记录出席');
    }
    await clerk.getByLabel('发言内容').fill('收费用于车位维护，物业认为标准偏低。');
    await clerk.getByLabel('发言人编号（选填，默认本人）').fill('r4');
    await clerk.getByRole('button', { name: '记录发言' }).click();
    await done(clerk, '记录发言');

    // Each party's representative states its position from their own device.
    const reps: Page[] = [];
    const positions = ['支持', '支持', '支持', '反对'];
    for (const [i, [partyId, , , rep]] of parties.entries()) {
      const page = await open({ personId: rep, role: 'party_representative', partyId }, true);
      await page.goto(sessionUrl);
      await page.getByRole('radio', { name: positions[i]! }).check();
      if (positions[i] === '反对') await page.getByLabel('理由').fill('标准低于维护成本');
      await page.getByRole('button', { name: '表明本方意见' }).click();
      await done(page, '表明本方意见');
      reps.push(page);
    }

    // The convener resolves the item by the session's rule; the dissent is recorded.
    await convener.goto(sessionUrl);
    await convener.getByRole('button', { name: '对本项作出决议' }).click();
    await done(convener, '对本项作出决议');
    const resolution = await convener.locator('.result').first().textContent();
    expect(resolution).toContain('通过');
    expect(resolution).toContain('应出席的协商主体出席 100.0%（4 / 4 方），达到全部');
    expect(resolution).toContain('支持的协商主体（占出席方） 75.0%（3 / 4 方），达到三分之二');
    expect(await convener.getByText('持异议：物业服务企业').isVisible()).toBe(true);

    // The clerk drafts the minutes; every attending party signs; the clerk publishes them.
    await clerk.goto(sessionUrl);
    await clerk
      .getByLabel('纪要正文')
      .fill('会议纪要：通过地面停车收费标准（三分之二以上协商主体支持），物业服务企业持异议。');
    await clerk.getByRole('button', { name: '起草会议纪要' }).click();
    await done(clerk, '起草会议纪要');
    for (const page of reps) {
      await page.goto(sessionUrl);
      await page.getByRole('button', { name: '代表本方签署纪要' }).click();
      await done(page, '签署纪要');
    }
    await expectAccessible(reps[3]!, 'session on a representative’s phone');
    await keepScreenshot(reps[3]!, 'representative-phone-signed');
    await clerk.goto(sessionUrl);
    await clerk.getByRole('button', { name: '公开会议纪要' }).click();
    await done(clerk, '公开会议纪要');
    const minutes = await clerk.locator('section[aria-labelledby="minutes"]').textContent();
    // Signers by name to the clerk, with their ids.
    for (const [, , name, rep] of parties)
      expect(minutes).toMatch(new RegExp(`${name}：\\S*（${rep}） 于`));
    expect(minutes).toContain('定稿');
    expect(minutes).toContain('已于');
    await expectAccessible(clerk, 'session with signed minutes');
    await keepScreenshot(clerk, 'clerk-joint-session-minutes');

    // The convener records the session's resolution on the proposal: its decision, in words.
    await convener.goto(`${stack.webUrl}/c/${cid}/proposals/parking`);
    await convener.getByRole('button', { name: '记录联席会议决议' }).click();
    await done(convener, '记录联席会议决议');
    await convener.getByRole('heading', { name: '表决结果' }).waitFor();
    expect(await convener.locator('#vote').textContent()).toContain(
      '支持：社区党支部、居民委员会、业主委员会；反对：物业服务企业',
    );
    await keepScreenshot(convener, 'convener-joint-session-decision');
  });

  it('an official reads the register and a history as of a date, verifies it, and sees a tampered one fail', async () => {
    const { stack, browser } = env;
    const cid = 'vf';
    const start = new Date(Date.now() - 60 * DAY);
    stack.clock.now = start;
    const admin = await actor(stack, cid, { personId: 'adm', role: 'admin' });
    await admin('', { name: '光明村', kind: 'rural' });
    await admin('registry/register-person', { personId: 'k1', name: '书记员', adult: true });
    await admin('registry/register-person', { personId: 'cv1', name: '召集人' });
    await admin('registry/appoint-clerk', { personId: 'k1' });
    const clerk = await actor(stack, cid, { personId: 'k1', role: 'clerk' });
    for (const [i, area] of [9_000, 11_000, 10_000].entries()) {
      await admin('registry/register-person', {
        personId: `o${i + 1}`,
        name: `业主${i + 1}`,
        adult: true,
      });
      await clerk('registry/register-unit', {
        unitId: `u${i + 1}`,
        building: '1号楼',
        kind: 'home',
        areas: { registryCentiM2: area },
        developerUnsold: false,
        ownerIds: [`o${i + 1}`],
      });
    }
    const convener = await actor(stack, cid, { personId: 'cv1', role: 'convener' });
    await convener('proposals', {
      proposalId: 'roof',
      title: '屋面防水维修',
      description: '使用维修资金维修1号楼屋面防水。',
      procedure: 'owners-joint-decision',
      items: [
        {
          itemId: 'i1',
          title: '同意维修屋面',
          kind: 'motion',
          matter: 'maintenance-fund-use',
          options: [],
        },
      ],
    });
    await convener('proposals/roof/give-notice', { text: '表决前公告：屋面防水维修' });
    stack.clock.now = new Date(start.getTime() + 16 * DAY);
    await convener('proposals/roof/open-voting', {
      rule: { kind: 'owners-278', deemedConsent: false, countParking: false },
      closesAt: new Date(start.getTime() + 30 * DAY).toISOString(),
    });
    for (const [id, choice] of [
      ['o1', 'yes'],
      ['o2', 'yes'],
      ['o3', 'no'],
    ]) {
      await (await actor(stack, cid, { personId: id!, role: 'owner' }))(
        'proposals/roof/cast-ballot',
        {
          choices: [{ itemId: 'i1', choice }],
        },
      );
    }
    await convener('proposals/roof/close-voting', {});
    stack.clock.now = new Date(start.getTime() + 17 * DAY);
    const published = await convener('proposals/roof/publish', {
      text: '表决结果公告：同意维修屋面。',
      implementationDueAt: new Date(start.getTime() + 40 * DAY).toISOString(),
    });
    const official = await stack.token({ personId: 'gov1', role: 'official', communities: ['*'] });
    await stack.settled(official, cid, published.position);
    const officialPhone = await stack.appointOfficial('gov1', ['*'], '某区民政局');

    const context = await newContext(browser);
    const page = watch(await context.newPage());
    await signIn(page, stack.webUrl, officialPhone);
    await expectAccessible(page, 'communities');
    await page.getByRole('link', { name: '光明村' }).click();
    await page.getByRole('link', { name: '决议台账' }).first().click();

    // The register, filtered: this year, matter (5), overdue implementation.
    await page.getByLabel('年份').selectOption(String(start.getUTCFullYear()));
    await page.getByLabel('事项').selectOption('maintenance-fund-use');
    await page.getByLabel('仅看逾期未落实').check();
    await page.getByRole('button', { name: '筛选' }).click();
    await page.getByText('共 1 项决议').waitFor();
    const card = await page.locator('ul.cards').textContent();
    expect(card).toContain('屋面防水维修');
    expect(card).toContain('逾期');
    expect(card).toContain('参与表决面积 100.0%（300.00 / 300.00 平方米），达到三分之二');
    await expectAccessible(page, 'decision register');
    await page.getByLabel('事项').selectOption('rebuild');
    await page.getByRole('button', { name: '筛选' }).click();
    await page.getByText('没有符合条件的决议。').waitFor();

    // The full timeline, as of today, then the record as it stood right after the notice.
    await page.goto(`${stack.webUrl}/c/${cid}/proposals/roof/timeline`);
    const entries = page.locator('ol.timeline > li');
    expect(await entries.count()).toBeGreaterThanOrEqual(9);
    const today = new Date(Date.now() + 8 * 60 * 60 * 1000).toISOString().slice(0, 10);
    await page.getByLabel('日期').fill(today);
    await page.getByRole('button', { name: '查看' }).click();
    await page.getByText(`显示截至 ${today} 24:00 的记录`).waitFor();
    await expectAccessible(page, 'timeline as of a date');
    const notice = entries.filter({ hasText: '发布公告' });
    await notice.getByRole('link', { name: /查看此时的记录/ }).click();
    await page.getByText('显示截至 #').waitFor();
    expect(await page.locator('[aria-current="step"]').textContent()).toContain('表决前公告');
    expect(await page.getByRole('heading', { name: '表决结果' }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: '下一步' }).count()).toBe(0);

    // The 公示 to print (issue #24 item 4): the A4 print page, its PDF, and the verify page
    // its QR code opens, which finds the printed chain head still the latest.
    await page.goto(`${stack.webUrl}/c/${cid}/proposals/roof`);
    await page.getByRole('link', { name: '打印公示', exact: true }).click();
    await page.getByRole('heading', { name: '关于“屋面防水维修”表决结果的公示' }).waitFor();
    expect(await page.locator('main').textContent()).toContain(
      '参与表决面积 100.0%（300.00 / 300.00 平方米），达到三分之二',
    );
    await expectAccessible(page, 'print page of the notice');
    await keepScreenshot(page, 'official-print-notice');
    const code = await page.locator('[data-code]').textContent();
    const pdfHref = await page.getByRole('link', { name: '下载 PDF' }).getAttribute('href');
    const pdf = await page.request.get(new URL(pdfHref!, page.url()).href);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect(pdf.headers()['x-document-code']).toBe(code);
    // Without WEB_PUBLIC_URL the QR code leads to the console the page was printed from.
    const verifyUrl = (await page.locator('.verification .url').textContent())!;
    expect(new URL(verifyUrl).origin).toBe(new URL(stack.webUrl).origin);
    await page.goto(verifyUrl);
    await page.locator('#printed-head[data-matches="true"]').waitFor();
    expect(await page.locator('#printed-head').textContent()).toContain('仍是最新记录');
    await expectAccessible(page, 'printed head verified');
    await page.getByRole('link', { name: '查看该版本的在线文件，核对文件核验码' }).click();
    expect(await page.locator('[data-code]').textContent()).toBe(code);

    // Verification passes; then someone edits a stored ballot behind the system's back.
    await page.goto(`${stack.webUrl}/c/${cid}/verify`);
    await page.getByLabel('一个议题').check();
    await page.getByLabel('议题', { exact: true }).selectOption('roof');
    await page.getByRole('button', { name: '开始核验' }).click();
    await page.locator('#verification-result[data-ok="true"]').waitFor();
    expect(await page.locator('#verification-result').textContent()).toContain('核验通过');
    await expectAccessible(page, 'verification passed');
    await keepScreenshot(page, 'official-verification-pass');

    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      await db.query('BEGIN');
      await db.query('ALTER TABLE es_events DISABLE TRIGGER es_events_append_only');
      const changed = await db.query(
        `UPDATE es_events SET data = regexp_replace(data::text, '"no"', '"yes"')::json
          WHERE stream_id = $1 AND type = 'BallotCast' AND data::text LIKE '%"no"%'`,
        [`proposal-${cid}.roof`],
      );
      expect(changed.rowCount).toBe(1);
      await db.query('ALTER TABLE es_events ENABLE TRIGGER es_events_append_only');
      await db.query('COMMIT');
    } finally {
      await db.end();
    }
    await page.getByRole('button', { name: '开始核验' }).click();
    await page.locator('#verification-result[data-ok="false"]').waitFor();
    const failed = await page.locator('#verification-result').textContent();
    expect(failed).toContain('核验失败：记录被改动过');
    expect(failed).toContain(`proposal-${cid}.roof`);
    await expectAccessible(page, 'verification failed');
    await keepScreenshot(page, 'official-verification-tampered');
    await context.close();
  });
});
