import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  browserStack,
  keepScreenshot,
  newContext,
  seriousViolations,
  signIn,
} from './testing/browser.ts';
import { actor, type Stack } from './testing/stack.ts';

// The forms added for #23.2 and #26 in a real browser against the real services, one group
// each: a fund's entries (with the field error for 12.345 元), a crowdfunding campaign from the
// proposal page to a receipt, amending a proposal and correcting a paper ballot, a residents'
// meeting request and its signature, and moderation undone with an evaluation answered.

const env = browserStack();
const DAY = 24 * 60 * 60 * 1000;

/** A community with a clerk, a treasurer, a convener, two owners and two residents. */
async function community(stack: Stack, cid: string) {
  stack.clock.now = new Date('2026-05-01T02:00:00.000Z');
  const admin = await actor(stack, cid, { personId: 'adm', role: 'admin' });
  await admin('', { name: '和平里社区', kind: 'urban' });
  for (const [personId, name] of [
    ['k1', '书记员小周'],
    ['t1', '出纳老吴'],
    ['cv1', '居委会主任'],
    ['o1', '业主甲'],
    ['o2', '业主乙'],
    ['r1', '居民张三'],
    ['r2', '居民李四'],
  ] as const) {
    await admin('registry/register-person', { personId, name, adult: true });
  }
  await admin('registry/appoint-clerk', { personId: 'k1' });
  await admin('registry/appoint-treasurer', { personId: 't1' });
  await admin('registry/register-party', {
    partyId: 'jwh',
    kind: 'residents-committee',
    name: '居民委员会',
  });
  await admin('registry/appoint-party-representative', { partyId: 'jwh', personId: 'cv1' });
  for (const [householdId, personId] of [
    ['h1', 't1'],
    ['h2', 'r1'],
    ['h3', 'r2'],
  ] as const) {
    await admin('registry/create-household', { householdId });
    await admin('registry/add-resident', { personId, householdId });
  }
  const clerk = await actor(stack, cid, { personId: 'k1', role: 'clerk' });
  for (const [i, owner] of ['o1', 'o2'].entries()) {
    await clerk('registry/register-unit', {
      unitId: `u${i + 1}`,
      building: '1号楼',
      kind: 'home',
      areas: { registryCentiM2: 9_000 + i * 500 },
      developerUnsold: false,
      ownerIds: [owner],
    });
  }
  for (const id of ['k1', 't1', 'cv1', 'o1', 'o2', 'r1', 'r2']) await stack.link(cid, id);
  const convener = await actor(stack, cid, { personId: 'cv1', role: 'convener' });
  const submitted = await convener('proposals', {
    proposalId: 'yard',
    title: '改造中心花园',
    description: '中心花园改造，部分费用由居民众筹。',
    procedure: 'owners-joint-decision',
    items: [
      {
        itemId: 'i1',
        title: '同意改造中心花园',
        kind: 'motion',
        matter: 'other-major',
        options: [],
      },
    ],
  });
  await stack.settled(admin.token, cid, submitted.position);
  return { admin, clerk, convener };
}

/** A person signed in on a phone-sized browser, in the capacity named when they hold several. */
async function open(stack: Stack, cid: string, personId: string, capacity?: string) {
  const context = await newContext(env.browser, true);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await signIn(page, stack.webUrl, await stack.link(cid, personId), capacity);
  return page;
}

const done = (page: Page, action: string) =>
  page
    .getByRole('status')
    .filter({ hasText: `已记录：${action}` })
    .waitFor();
const unfold = (page: Page, label: string) =>
  page.locator('summary', { hasText: label }).first().click();
async function accessible(page: Page) {
  const violations = await seriousViolations(page);
  expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

describe.skipIf(!env.available)('the money forms in Chromium', () => {
  it('a clerk opens a fund; the treasurer posts an entry in 元, then reverses it', async () => {
    const { stack } = env;
    const cid = 'fm';
    await community(stack, cid);

    const clerk = await open(stack, cid, 'k1');
    await clerk.goto(`${stack.webUrl}/c/${cid}/funds`);
    await unfold(clerk, '设立基金账目');
    const openFund = clerk.locator('form#open-fund');
    await openFund.getByLabel('类型').selectOption('micro-fund');
    await openFund.getByLabel('名称').fill('社区微基金');
    await openFund.getByRole('button', { name: '设立基金账目' }).click();
    await done(clerk, '设立基金账目');
    await clerk.getByRole('heading', { name: /社区微基金/ }).waitFor();
    // The clerk is no treasurer: the page names the treasurer and offers the clerk no entry.
    expect(await clerk.locator('[data-treasurers]').textContent()).toContain('t1');
    expect(await clerk.locator('form[id^="post-"]').count()).toBe(0);
    await clerk.context().close();

    const treasurer = await open(stack, cid, 't1');
    await treasurer.goto(`${stack.webUrl}/c/${cid}/funds`);
    const post = treasurer.locator('form[id^="post-"]');
    await post.getByLabel('借方科目').selectOption('bank');
    await post.getByLabel('贷方科目').selectOption('income:donations');
    await post.getByLabel('金额（元）').fill('12.345');
    await post.getByLabel('摘要').fill('驻区单位捐赠');
    // A receipt may be photographed from the form instead (uploaded, then referenced).
    expect(await post.locator('input[type="file"][capture="environment"]').count()).toBe(1);
    await post.getByLabel('凭证').fill('银行回单 0501');
    await post.getByRole('button', { name: '记账' }).click();
    // Three decimals are not an amount of 元: the field says so, and nothing is recorded.
    const amount = treasurer.locator('form[id^="post-"] input[name="amount"]');
    await expect.poll(() => amount.getAttribute('aria-invalid')).toBe('true');
    expect(await treasurer.locator('form[id^="post-"] span.error').textContent()).toContain(
      'at most two decimals',
    );
    expect(await treasurer.locator('[data-figure="balance"]').textContent()).toBe('¥0.00');
    await accessible(treasurer);
    await amount.fill('1,000.50');
    await treasurer.locator('form[id^="post-"]').getByRole('button', { name: '记账' }).click();
    await done(treasurer, '记账');
    expect(await treasurer.locator('[data-figure="balance"]').textContent()).toBe('¥1,000.50');

    await unfold(treasurer, '冲销凭证');
    const reverse = treasurer.locator('form[id^="reverse-"]');
    await reverse.getByLabel('理由').fill('金额录错，按回单更正');
    await reverse.locator('input[name="documentRef"]').fill('更正说明 0502');
    await reverse.getByRole('button', { name: '冲销凭证' }).click();
    await done(treasurer, '冲销凭证');
    expect(await treasurer.locator('[data-figure="balance"]').textContent()).toBe('¥0.00');
    expect(await treasurer.locator('tr[data-entry]').count()).toBe(2);
    await accessible(treasurer);
    await keepScreenshot(treasurer, 'phone-funds-forms');
    await treasurer.context().close();
  });

  it('a convener opens crowdfunding from the proposal; a resident pledges; the treasurer records the receipt', async () => {
    const { stack } = env;
    const cid = 'cf';
    await community(stack, cid);

    const convener = await open(stack, cid, 'cv1', '以召集人身份');
    await convener.goto(`${stack.webUrl}/c/${cid}/proposals/yard`);
    await unfold(convener, '发起众筹');
    const form = convener.locator('form#open-crowdfunding');
    await form.getByLabel('目标金额（元）').fill('8000');
    await form.getByLabel('认捐截止时间').fill('2026-06-30T18:00');
    await form.getByRole('button', { name: '发起众筹' }).click();
    await done(convener, '发起众筹');
    await convener.getByRole('heading', { name: '改造中心花园', level: 1 }).waitFor();
    const campaignUrl = convener.url().split('?')[0]!;
    expect(campaignUrl).toContain(`/c/${cid}/crowdfunding/`);
    await convener.context().close();

    const resident = await open(stack, cid, 'r1');
    await resident.goto(campaignUrl);
    await resident.locator('form#pledge').getByLabel('金额（元）').fill('300');
    await resident.getByRole('button', { name: '认捐' }).click();
    await done(resident, '认捐');
    expect(await resident.locator('tr[data-pledge]').textContent()).toContain('¥300.00');
    // A resident who is no treasurer records no receipt, and is told who does.
    expect(await resident.locator('form#receipt').count()).toBe(0);
    expect(await resident.locator('[data-treasurers]').textContent()).toContain('t1');
    await resident.context().close();

    const treasurer = await open(stack, cid, 't1');
    await treasurer.goto(campaignUrl);
    const receipt = treasurer.locator('form#receipt');
    // The amount still to receive is filled in.
    expect(await receipt.getByLabel('金额（元）').inputValue()).toBe('300.00');
    await receipt.getByLabel('凭证').fill('收据 No.0001');
    await receipt.getByRole('button', { name: '登记收款' }).click();
    await done(treasurer, '登记收款');
    const row = treasurer.locator('tr[data-pledge]');
    expect(await row.locator('td').nth(3).textContent()).toBe('¥300.00');
    expect(await treasurer.locator('.campaign').textContent()).toContain('已收到 ¥300.00');
    // The campaign's accounts: the printed notice and the CSV, through the console.
    expect(await treasurer.locator('a[href*="/accounts.pdf"]').count()).toBe(1);
    const csvHref = await treasurer.locator('a[href$="/accounts.csv"]').getAttribute('href');
    const csv = await treasurer.request.get(`${stack.webUrl}${csvHref}`);
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain('收款,300.00,30000,收据 No.0001');
    await accessible(treasurer);
    await keepScreenshot(treasurer, 'phone-crowdfunding-campaign');
    await treasurer.goto(`${stack.webUrl}/c/${cid}/funds`);
    await treasurer.locator('[data-campaign]').first().waitFor();
    await keepScreenshot(treasurer, 'phone-funds-with-campaign');
    await treasurer.context().close();
  });
});

describe.skipIf(!env.available)('proposal and meeting forms in Chromium', () => {
  it('the convener amends a proposal; the clerk corrects a paper ballot', async () => {
    const { stack } = env;
    const cid = 'am';
    const { clerk, convener } = await community(stack, cid);

    const page = await open(stack, cid, 'cv1', '以召集人身份');
    await page.goto(`${stack.webUrl}/c/${cid}/proposals/yard`);
    await unfold(page, '修改议题');
    const amend = page.locator('form#amend-proposal');
    await amend.getByLabel('标题').fill('改造中心花园（含儿童游乐区）');
    await amend.getByLabel('理由').fill('居民建议增加儿童游乐区');
    await amend.getByRole('button', { name: '修改议题' }).click();
    await done(page, '修改议题');
    await page.getByRole('heading', { name: '改造中心花园（含儿童游乐区）', level: 1 }).waitFor();
    await accessible(page);
    await page.context().close();

    await convener('proposals/yard/give-notice', { text: '表决前公告' });
    stack.clock.now = new Date(stack.clock.now.getTime() + 16 * DAY);
    await convener('proposals/yard/open-voting', {
      rule: { kind: 'owners-278' },
      closesAt: new Date(stack.clock.now.getTime() + 7 * DAY).toISOString(),
    });
    await clerk('proposals/yard/enter-paper-ballot', {
      voterId: 'o1',
      choices: [{ itemId: 'i1', choice: 'yes' }],
      documentRef: '纸质票 001',
      signedBy: 'o1',
    });

    const desk = await open(stack, cid, 'k1');
    await desk.goto(`${stack.webUrl}/c/${cid}/proposals/yard`);
    await unfold(desk, '更正纸质表决票');
    const correct = desk.locator('form#correct-paper-ballot');
    await correct.getByLabel('纸质票的投票人').selectOption('o1');
    await correct.getByLabel('表决票编号').fill('纸质票 001');
    await correct.getByRole('radio', { name: '反对' }).check();
    await correct.getByLabel('理由').fill('录入时勾错，按原票更正');
    await correct.getByRole('button', { name: '更正纸质表决票' }).click();
    await done(desk, '更正纸质表决票');
    const ballots = await fetch(
      `${stack.projectionUrl}/v1/communities/${cid}/proposals/yard/ballots?voterId=o1`,
      { headers: { authorization: `Bearer ${clerk.token}` } },
    );
    expect(((await ballots.json()) as { items: { choice: string }[] }).items[0]?.choice).toBe('no');
    await accessible(desk);

    // The clerk establishes a standing body where the community's sessions are listed.
    await desk.goto(`${stack.webUrl}/c/${cid}`);
    await unfold(desk, '设立常设议事机构');
    const body = desk.locator('form#establish-standing-body');
    await body.getByLabel('名称').fill('和平里居民议事会');
    await body.getByRole('checkbox', { name: '居民委员会' }).check();
    await body.getByLabel('议事会成员编号').fill('r1, r2');
    await body.getByLabel('地点').fill('社区活动室');
    await body.getByRole('button', { name: '设立常设议事机构' }).click();
    await done(desk, '设立常设议事机构');
    await accessible(desk);
    await desk.context().close();
  });

  it('a resident requests a residents’ meeting and another signs it', async () => {
    const { stack } = env;
    const cid = 'rm';
    const { admin } = await community(stack, cid);
    // Nine adult residents in three households: one signature is not a fifth of them.
    for (const [i, householdId] of ['h1', 'h1', 'h2', 'h2', 'h3', 'h3'].entries()) {
      await admin('registry/register-person', { personId: `a${i}`, name: `居民${i}`, adult: true });
      await admin('registry/add-resident', { personId: `a${i}`, householdId });
    }

    const first = await open(stack, cid, 'r1');
    await first.getByRole('link', { name: '提议召开居民会议' }).click();
    await first.getByRole('heading', { name: '提议召开居民会议', level: 1 }).waitFor();
    await unfold(first, '提议召开居民会议');
    const request = first.locator('form#request-residents-meeting');
    await request.getByLabel('提议事项和理由').fill('讨论中心花园改造和停车收费');
    await request.getByLabel('以何种身份签名').selectOption('adult-resident');
    await request.getByRole('button', { name: '提议召开居民会议' }).click();
    await done(first, '提议召开居民会议');
    expect(await first.locator('[data-signatures="adults"]').textContent()).toContain('1 人');
    await first.context().close();

    const second = await open(stack, cid, 'r2');
    await second.goto(`${stack.webUrl}/c/${cid}/residents-meeting-requests`);
    const sign = second.locator('form[id^="sign-"]');
    await sign.getByLabel('以何种身份签名').selectOption('household');
    await sign.getByRole('button', { name: '联名提议' }).click();
    await done(second, '联名提议');
    // Three households, one fifth of them is one: the request now must be convened.
    expect(await second.locator('[data-signatures="households"]').textContent()).toContain('1 / 3');
    expect(await second.locator('[data-request]').textContent()).toContain('应当召集');
    await accessible(second);
    await second.context().close();
  });
});

describe.skipIf(!env.available)('discussion and evaluation forms in Chromium', () => {
  it('a comment is posted, hidden and shown again; a resident answers an evaluation', async () => {
    const { stack } = env;
    const cid = 'dm';
    const { clerk } = await community(stack, cid);

    const resident = await open(stack, cid, 'r1');
    await resident.goto(`${stack.webUrl}/c/${cid}/proposals/yard`);
    const post = resident.locator('form#post-comment');
    await post.getByLabel('留言内容').fill('建议保留老槐树');
    await post.getByRole('button', { name: '发表留言' }).click();
    await done(resident, '发表留言');
    await resident.locator('#comment-c1').getByText('建议保留老槐树').waitFor();

    const moderator = await open(stack, cid, 'k1');
    await moderator.goto(`${stack.webUrl}/c/${cid}/proposals/yard`);
    await unfold(moderator, '隐藏留言');
    const hide = moderator.locator('form#hide-comment');
    await hide.getByLabel('留言编号').selectOption('c1');
    await hide.getByLabel('理由').fill('待核实');
    await hide.getByRole('button', { name: '隐藏留言' }).click();
    await done(moderator, '隐藏留言');
    await moderator.locator('#comment-c1').getByText('此留言已被隐藏').waitFor();
    await unfold(moderator, '恢复留言');
    const unhide = moderator.locator('form#unhide-comment');
    await unhide.getByLabel('留言编号').selectOption('c1');
    await unhide.getByLabel('理由').fill('经核实无不当内容');
    await unhide.getByRole('button', { name: '恢复留言' }).click();
    await done(moderator, '恢复留言');
    expect(await moderator.locator('#comment-c1').textContent()).not.toContain('此留言已被隐藏');
    await accessible(moderator);
    await moderator.context().close();

    await resident.reload();
    expect(await resident.locator('#comment-c1').textContent()).toContain('建议保留老槐树');
    await accessible(resident);

    const opened = await clerk('evaluations', {
      evaluationId: 'ev1',
      title: '物业服务评估',
      closesAt: '2026-12-31T00:00:00.000Z',
      questions: [{ questionId: 'q1', text: '保洁是否满意', kind: 'scale' }],
    });
    await stack.settled(clerk.token, cid, opened.position);
    await resident.goto(`${stack.webUrl}/c/${cid}/evaluations/ev1`);
    await resident.getByLabel('保洁是否满意').selectOption('4');
    await resident.getByRole('button', { name: '提交' }).click();
    await done(resident, '提交');
    expect(await resident.locator('form#answer-evaluation').count()).toBe(0);
    await accessible(resident);
    await resident.context().close();
  });
});
