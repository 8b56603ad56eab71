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

// 晒账 in a real browser (#26.9): an owner opens the community's accounts and sees the
// spending line linked to the decision that authorised it, with the CSV and the PDF at hand.

const env = browserStack();

const DAY = 24 * 60 * 60 * 1000;

describe.skipIf(!env.available)('published accounts in Chromium', () => {
  it('an owner sees each spending line linked to its decision, and the CSV and PDF links', async () => {
    const { stack, browser } = env;
    const cid = 'acc';
    stack.clock.now = new Date('2026-03-01T02:00:00.000Z');
    const admin = await actor(stack, cid, { personId: 'adm', role: 'admin' });
    await admin('', { name: '和美社区', kind: 'urban' });
    for (const personId of ['o1', 'o2', 'k1', 'cv1', 't1', 'r1']) {
      await admin('registry/register-person', { personId, name: `居民${personId}`, adult: true });
    }
    await admin('registry/appoint-clerk', { personId: 'k1' });
    await admin('registry/appoint-treasurer', { personId: 't1' });
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
    const convener = await actor(stack, cid, { personId: 'cv1', role: 'convener' });
    await convener('proposals', {
      proposalId: 'roof',
      title: '使用维修资金维修屋面',
      description: '屋面防水，费用由专项维修资金支付。',
      procedure: 'owners-joint-decision',
      items: [
        {
          itemId: 'i1',
          title: '同意使用维修资金维修屋面',
          kind: 'motion',
          matter: 'maintenance-fund-use',
          options: [],
          cost: { basis: 'fund', totalFen: 8_000_000 },
        },
      ],
    });
    await convener('proposals/roof/give-notice', { text: '表决前公告' });
    stack.clock.now = new Date(stack.clock.now.getTime() + 16 * DAY);
    await convener('proposals/roof/open-voting', {
      rule: { kind: 'owners-278' },
      closesAt: new Date(stack.clock.now.getTime() + 7 * DAY).toISOString(),
    });
    for (const id of ['o1', 'o2']) {
      await (await actor(stack, cid, { personId: id, role: 'owner' }))(
        'proposals/roof/cast-ballot',
        {
          choices: [{ itemId: 'i1', choice: 'yes' }],
        },
      );
    }
    stack.clock.now = new Date(stack.clock.now.getTime() + 8 * DAY);
    await convener('proposals/roof/close-voting', {});
    await clerk('funds', { fundId: 'mf', kind: 'maintenance-fund', name: '专项维修资金' });
    const treasurer = await actor(stack, cid, { personId: 't1', role: 'resident' });
    // The invoice photographed and the bank's slip scanned, uploaded as the console's form does.
    const upload = async (bytes: Uint8Array, name: string, type: string) => {
      const form = new FormData();
      form.set('file', new File([bytes], name, { type }));
      const token = await stack.token({ personId: 't1', role: 'resident', communities: [cid] });
      const res = await fetch(`${stack.commandUrl}/v1/communities/${cid}/attachments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { ref: string }).ref;
    };
    const invoice = await upload(pngOf(800, 600, [230, 230, 210]), '屋面发票.png', 'image/png');
    const slip = await upload(
      new TextEncoder().encode('%PDF-1.4\n% 银行回单\n'),
      '银行回单.pdf',
      'application/pdf',
    );
    await treasurer('funds/mf/post-fund-entry', {
      entryId: 'd1',
      lines: [
        { account: 'bank', side: 'debit', amountFen: 10_000_000 },
        { account: 'income:owner-deposits', side: 'credit', amountFen: 10_000_000 },
      ],
      memo: '业主缴存维修资金',
      documentRef: slip,
    });
    const spent = await treasurer('funds/mf/post-fund-entry', {
      entryId: 's1',
      lines: [
        { account: 'spending:repairs', side: 'debit', amountFen: 7_650_000 },
        { account: 'bank', side: 'credit', amountFen: 7_650_000 },
      ],
      memo: '屋面防水工程款',
      documentRef: invoice,
      authorisedBy: { proposalId: 'roof', itemId: 'i1' },
    });
    const resident = await stack.token({ personId: 'r1', role: 'resident', communities: [cid] });
    const ready = await fetch(
      `${stack.projectionUrl}/v1/communities/${cid}/funds?minPosition=${spent.position}`,
      { headers: { authorization: `Bearer ${resident}` } },
    );
    expect(ready.status).toBe(200);

    const context = await newContext(browser);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    // An owner signs in by phone, as people do.
    await signIn(page, stack.webUrl, await stack.link(cid, 'o1'));
    await page.goto(`${stack.webUrl}/c/${cid}/funds`);
    await page.getByRole('heading', { name: /专项维修资金/ }).waitFor();
    expect(await page.locator('[data-figure="balance"]').textContent()).toBe('¥23,500.00');
    const row = page.locator('tr[data-entry="s1"]');
    expect(await row.textContent()).toContain('¥76,500.00');
    const link = row.getByRole('link', { name: '使用维修资金维修屋面' });
    expect(await link.getAttribute('href')).toBe(`/c/${cid}/proposals/roof`);
    // The invoice is shown by its preview, loaded through the console; the slip is a PDF link.
    const thumb = row.locator('a.thumb img');
    expect(await thumb.getAttribute('alt')).toBe('屋面发票.png');
    await expect.poll(async () => await pictureSize(thumb)).toEqual({ width: 320, height: 240 });
    const slipLink = page
      .locator('tr[data-entry="d1"]')
      .getByRole('link', { name: '银行回单.pdf' });
    expect(await slipLink.getAttribute('href')).toMatch(/\/attachments\/[0-9a-f]{64}$/);
    expect(await page.locator('tr[data-entry="d1"]').textContent()).toContain('(PDF)');
    // The income line names no decision; the CSV and the printed notice are one click away.
    expect(await page.locator('tr[data-entry="d1"] a.decision').count()).toBe(0);
    const csv = await page.getByRole('link', { name: '下载 CSV' }).getAttribute('href');
    const csvAnswer = await page.request.get(`${stack.webUrl}${csv}`);
    expect(csvAnswer.status()).toBe(200);
    expect(await csvAnswer.text()).toContain('使用维修资金维修屋面');
    expect(
      await page
        .getByRole('link', { name: /账目公示.*PDF|PDF/ })
        .first()
        .getAttribute('href'),
    ).toContain(`/funds/mf/accounts.pdf`);
    expect(await seriousViolations(page)).toEqual([]);
    await keepScreenshot(page, 'funds-accounts');
    await link.click();
    await expect.poll(() => page.url()).toContain(`/c/${cid}/proposals/roof`);
    await context.close();
  });
});
