import { pngOf } from '@yishi/attachments/testing';
import { describe, expect, it } from 'vitest';
import {
  browserStack,
  keepScreenshot,
  newContext,
  pictureSize,
  seriousViolations,
  signIn,
} from './testing/browser.ts';
import { actor } from './testing/stack.ts';

// A scan attached to a paper ballot in a real browser (#24.5): the clerk picks the photo in
// the paper-ballot form, the console uploads it at once and shows its preview, fills the
// document field with the attachment's reference, and the ballot is recorded with it.

const env = browserStack();
const DAY = 24 * 60 * 60 * 1000;

describe.skipIf(!env.available)('attachments in Chromium', () => {
  it('a clerk attaches the photo of a paper ballot and sees its preview', async () => {
    const { stack, browser } = env;
    const cid = 'scan';
    stack.clock.now = new Date('2026-03-01T02:00:00.000Z');
    const admin = await actor(stack, cid, { personId: 'adm', role: 'admin' });
    await admin('', { name: '附件社区', kind: 'urban' });
    for (const personId of ['o1', 'o2', 'k1', 'cv1']) {
      await admin('registry/register-person', { personId, name: `居民${personId}`, adult: true });
    }
    await admin('registry/appoint-clerk', { personId: 'k1' });
    const clerk = await actor(stack, cid, { personId: 'k1', role: 'clerk' });
    for (const [i, owner] of ['o1', 'o2'].entries()) {
      await clerk('registry/register-unit', {
        unitId: `u${i + 1}`,
        building: '1号楼',
        kind: 'home',
        areas: { registryCentiM2: 9_000 },
        developerUnsold: false,
        ownerIds: [owner],
      });
    }
    const convener = await actor(stack, cid, { personId: 'cv1', role: 'convener' });
    await convener('proposals', {
      proposalId: 'gate',
      title: '更换小区大门',
      description: '大门老化，更换为电动门。',
      procedure: 'owners-joint-decision',
      items: [
        { itemId: 'i1', title: '同意更换大门', kind: 'motion', matter: 'other-major', options: [] },
      ],
    });
    await convener('proposals/gate/give-notice', { text: '表决前公告' });
    stack.clock.now = new Date(stack.clock.now.getTime() + 16 * DAY);
    await convener('proposals/gate/open-voting', {
      rule: { kind: 'owners-278' },
      closesAt: new Date(stack.clock.now.getTime() + 7 * DAY).toISOString(),
    });

    const context = await newContext(browser, true);
    const page = await context.newPage();
    await signIn(page, stack.webUrl, await stack.link(cid, 'k1'), '书记员');
    await page.goto(`${stack.webUrl}/c/${cid}/proposals/gate`);
    const form = page.locator('form#paper-ballot');
    await form.getByLabel('投票人编号（业主/住户）').fill('o2');
    const scan = pngOf(1200, 1600, [230, 230, 220]);
    await form
      .getByLabel('拍照或选择文件（照片或 PDF，20 MB 以内）')
      .setInputFiles({ name: '纸质票-o2.png', mimeType: 'image/png', buffer: Buffer.from(scan) });
    const preview = form.locator('img.attach-preview');
    await preview.waitFor();
    expect(await form.getByRole('status').textContent()).toContain('已上传附件');
    const ref = await form.getByLabel('表决票编号').inputValue();
    expect(ref).toMatch(/^attachment:[0-9a-f]{64}$/);
    // The preview is the photo, made small by the query service and passed through the console.
    await expect.poll(async () => (await pictureSize(preview)).width).toBeGreaterThan(0);
    expect((await pictureSize(preview)).height).toBe(320);
    const original = await page.request.get(
      `${stack.webUrl}${await form.locator('.attach-status a').getAttribute('href')}`,
    );
    expect(original.headers()['content-type']).toBe('image/png');
    expect(new Uint8Array(await original.body())).toEqual(scan);
    expect(await seriousViolations(page)).toEqual([]);
    await keepScreenshot(page, 'paper-ballot-attachment');

    await form.getByRole('radio', { name: '同意' }).first().check();
    await form.getByRole('button', { name: '录入纸质表决票' }).click();
    await page.waitForLoadState('domcontentloaded');
    expect(await page.getByRole('status').first().textContent()).toContain('录入纸质表决票');
    await context.close();
  });
});
