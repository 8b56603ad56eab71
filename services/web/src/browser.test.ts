import { existsSync } from 'node:fs';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM,
  keepScreenshot,
  launchBrowser,
  newContext,
  seriousViolations,
  signIn,
} from './testing/browser.ts';
import { actor, type Stack, startStack } from './testing/stack.ts';

// The console in a real browser against the real services: a clerk runs a joint session to
// signed minutes; an owner votes on a phone and reads the decision; an official verifies a
// history and sees a tampered one fail. Each final screen is kept in test-artifacts/web/.

const hasChromium = existsSync(CHROMIUM);
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  if (!hasChromium) return;
  stack = await startStack(await testDatabaseUrl());
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

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

describe.skipIf(!hasChromium)('web console in Chromium', () => {
  it('an owner votes on a phone, changes the vote, and reads the decision in words', async () => {
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
        },
      ],
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
    const page = await context.newPage();
    const o1 = await stack.token({ personId: 'o1', role: 'owner', communities: [cid] });
    await signIn(page, stack.webUrl, o1);
    // One community in the token: straight to it, the open proposal marked as voting.
    await expect.poll(() => page.url()).toContain(`/c/${cid}`);
    await expectAccessible(page, 'community (phone)');
    await page.getByRole('link', { name: '3号楼加装电梯使用维修资金' }).click();
    await page.getByRole('heading', { name: '实时计票（暂定）' }).waitFor();
    expect(await page.getByText('4 / 6 位投票人已投票').isVisible()).toBe(true);
    await expectAccessible(page, 'proposal with live tally (phone)');

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
});
