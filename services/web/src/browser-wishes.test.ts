import { describe, expect, it } from 'vitest';
import {
  browserStack,
  keepScreenshot,
  newContext,
  seriousViolations,
  signIn,
} from './testing/browser.ts';
import { actor } from './testing/stack.ts';

// 微心愿 in a real browser against the real services: a resident posts a wish on a phone,
// follows it as a volunteer claims and completes it, and rates the help.

const env = browserStack();

describe.skipIf(!env.available)('micro-wishes in Chromium', () => {
  it('a resident posts and tracks a micro-wish to its rating', async () => {
    const { stack, browser } = env;
    const cid = 'mw';
    stack.clock.now = new Date('2026-04-01T02:00:00.000Z');
    const admin = await actor(stack, cid, { personId: 'adm', role: 'admin' });
    await admin('', { name: '向阳社区', kind: 'urban' });
    await admin('registry/register-person', { personId: 'gm', name: '刘奶奶', adult: true });
    // A resident of a household: the capacity she signs in with.
    await admin('registry/create-household', { householdId: 'h1' });
    await admin('registry/add-resident', { personId: 'gm', householdId: 'h1' });
    const settled = await admin('registry/register-person', {
      personId: 'vol',
      name: '志愿者小陈',
      adult: true,
    });
    await stack.settled(admin.token, cid, settled.position);

    const context = await newContext(browser, true);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await signIn(page, stack.webUrl, await stack.link(cid, 'gm'));
    await expect.poll(() => page.url()).toContain(`/c/${cid}`);
    await page.getByRole('link', { name: '微心愿' }).click();
    await page.getByRole('heading', { name: '微心愿', level: 1 }).waitFor();
    await page.getByLabel('类别').selectOption('elderly-care');
    await page.getByLabel('标题').fill('想要一副老花镜');
    await page.getByLabel('具体说明').fill('独居，看报吃力，度数约 200 度');
    await page.getByRole('button', { name: '发布心愿' }).click();
    await page.getByRole('status').filter({ hasText: '已记录：发布心愿' }).waitFor();
    await page.getByRole('heading', { name: '想要一副老花镜' }).waitFor();
    expect(await page.locator('#wish-status').textContent()).toContain('待认领');
    const violations = await seriousViolations(page);
    expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

    // A volunteer claims it and brings the glasses, with a photo.
    const wishId = page.url().split('/wishes/')[1]!.split(/[?#]/)[0]!;
    const volunteer = await actor(stack, cid, { personId: 'vol', role: 'resident' });
    await volunteer(`wishes/${wishId}/claim-wish`, { note: '周六上午送到' });
    const done = await volunteer(`wishes/${wishId}/complete-wish`, {
      photo: 'https://img.example.cn/glasses.jpg',
      note: '已送到并试戴',
    });
    await stack.settled(admin.token, cid, done.position);

    // She finds it done on the list, opens it, and rates the help.
    await page.getByRole('link', { name: '微心愿' }).first().click();
    expect(await page.locator('#wish-counts').textContent()).toContain('已完成 1');
    await page.getByRole('link', { name: '想要一副老花镜' }).click();
    expect(await page.locator('#wish-status').textContent()).toContain('已完成');
    expect(await page.getByText('https://img.example.cn/glasses.jpg').isVisible()).toBe(true);
    await page.getByLabel('评分（1–5）').selectOption('5');
    await page.getByLabel('评价（选填）').fill('谢谢小陈');
    await page.getByRole('button', { name: '评价' }).click();
    await page.getByRole('status').filter({ hasText: '已记录：评价' }).waitFor();
    await page.getByText('评分 5/5').waitFor();
    await keepScreenshot(page, 'resident-phone-wish-rated');
    await context.close();
  });
});
