import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  browserStack,
  keepScreenshot,
  newContext,
  seriousViolations,
  signIn,
} from './testing/browser.ts';
import { actor } from './testing/stack.ts';

// The first visit in a real browser (#23.1): a fresh installation's first administrator records
// themselves with the printed code, registers the community and lands on its setup checklist;
// the registry arrives by spreadsheet upload, a bad row reported on its row; and one form of
// each group of the registry page records what it says.

const env = browserStack();

const ADMIN_PHONE = '13911112222';
let bootstrapped: Promise<void> | undefined;

/** Records the first administrator through the bootstrap page (once per installation). */
function firstAdmin(page: Page): Promise<void> {
  bootstrapped ??= (async () => {
    await page.goto(`${env.stack.webUrl}/`);
    await page.getByRole('link', { name: '首次使用：设立管理员' }).click();
    await page.getByLabel('一次性代码').fill(env.stack.bootstrapCode ?? '');
    await page.getByLabel('您的编号').fill('adm1');
    await page.getByLabel('手机号').fill(ADMIN_PHONE);
    await page.getByRole('button', { name: '设立管理员' }).click();
    await page.waitForURL(/\/installation$/);
  })();
  return bootstrapped;
}

/** A page signed in as the first administrator. */
async function asAdmin(phone = false): Promise<Page> {
  const page = await (await newContext(env.browser, phone)).newPage();
  if (bootstrapped) await signIn(page, env.stack.webUrl, ADMIN_PHONE);
  else await firstAdmin(page);
  return page;
}

/** Registers a community as the administrator, and waits for the read side to show it. */
async function registered(communityId: string, name: string): Promise<void> {
  const admin = await actor(env.stack, communityId, { personId: 'adm1', role: 'admin' });
  const answer = await admin('', { name, kind: 'urban' });
  await env.stack.settled(admin.token, communityId, answer.position);
}

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
}

describe.skipIf(!env.available)('the first visit in Chromium', () => {
  it('leads a fresh installation’s first administrator to a registered community’s checklist', async () => {
    const page = await asAdmin(true);
    // From the installation page to the registration form.
    await page.getByRole('link', { name: '登记新社区' }).click();
    await page.waitForURL(/\/setup$/);
    await expectAccessible(page);
    await page.getByLabel('社区编号').fill('hexie');
    await page.getByLabel('社区名称').fill('和谐社区');
    await page.getByRole('button', { name: '登记社区' }).click();
    await page.waitForURL(/\/c\/hexie\/setup/);
    await expect(page.getByRole('heading', { name: '设置清单', level: 1 }).count()).resolves.toBe(
      1,
    );
    const steps = page.locator('ol.checklist > li');
    await expect(steps.count()).resolves.toBe(6);
    // The registry is the next step; nothing is done yet.
    await expect(page.locator('li[aria-current="step"] a').textContent()).resolves.toContain(
      '导入名册',
    );
    await expect(page.getByText('已完成').count()).resolves.toBe(0);
    // The administrator submits no proposal: the step says who does.
    await expect(page.getByText('由召集人、协商主体代表、业主或居民').count()).resolves.toBe(1);
    await expectAccessible(page);
    await keepScreenshot(page, 'setup-checklist-phone');

    // An address of a community nobody registered: the form that registers it, not a dead end.
    await page.goto(`${env.stack.webUrl}/c/newplace`);
    await expect(page.getByText('社区“newplace”尚未登记').count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: '登记社区' }).count()).resolves.toBe(1);
    await page.context().close();
  });

  it('imports the registry from an uploaded spreadsheet and reports a bad row on its row', async () => {
    const { stack } = env;
    const page = await asAdmin();
    await registered('upl', '上传社区');
    const dir = await mkdtemp(join(tmpdir(), 'yishi-upload-'));
    const bad = join(dir, '房屋.csv');
    writeFileSync(
      bad,
      [
        '楼栋,单元编号,门牌,类型,面积(㎡),业主编号,业主姓名,开发商未售',
        '1号楼,1-101,1号楼101室,住宅,88.25,P001,张伟,否',
        '1号楼,1-102,1号楼102室,住宅,九十,P002,李娜,否',
      ].join('\n'),
    );
    await page.goto(`${stack.webUrl}/c/upl/setup`);
    await page.getByLabel('名册文件').setInputFiles(bad);
    await page.getByRole('button', { name: '上传并导入' }).click();
    await page.getByRole('heading', { name: '名册导入结果' }).waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('1 行有问题');
    const row = page.locator('tbody tr');
    await expect(row.count()).resolves.toBe(1);
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 3)).toEqual(['房屋.csv', '3', '面积(㎡)']);
    await expectAccessible(page);

    // Corrected, the same file imports, and the checklist ticks the registry.
    const good = join(dir, '房屋2.csv');
    writeFileSync(
      good,
      [
        '楼栋,单元编号,门牌,类型,面积(㎡),业主编号,业主姓名,开发商未售',
        '1号楼,1-101,1号楼101室,住宅,88.25,P001,张伟,否',
        '1号楼,1-102,1号楼102室,住宅,90.10,P002,李娜,否',
      ].join('\n'),
    );
    await page.goto(`${stack.webUrl}/c/upl/setup`);
    await page.getByLabel('名册文件').setInputFiles(good);
    await page.getByRole('button', { name: '上传并导入' }).click();
    await page.getByRole('heading', { name: '名册导入结果' }).waitFor();
    await expect(page.getByRole('status').textContent()).resolves.toContain('已导入');
    const changes = await page.locator('tbody tr').allTextContents();
    expect(changes.join('|')).toContain('登记专有部分2');
    expect(changes.join('|')).toContain('登记人员2');
    await page.getByRole('link', { name: '返回设置清单' }).click();
    await expect(page.locator('ol.checklist > li').first().textContent()).resolves.toContain(
      '已完成',
    );
    await page.context().close();
  });

  it('records one form of each group of the registry page', async () => {
    const { stack } = env;
    const page = await asAdmin();
    await registered('reg', '登记社区');
    await page.goto(`${stack.webUrl}/c/reg/registry`);
    await expectAccessible(page);
    await keepScreenshot(page, 'setup-registry');
    const form = (id: string) => page.locator(`form#${id}`);
    const submit = async (id: string) => {
      await form(id).getByRole('button').click();
      await page.waitForLoadState('domcontentloaded');
      await expect(page.locator('.banner.ok').count(), id).resolves.toBe(1);
    };
    // persons
    for (const [id, name] of [
      ['p1', '张一'],
      ['p2', '李二'],
    ] as const) {
      await form('register-person').getByLabel('人员编号').fill(id);
      await form('register-person').getByLabel('姓名').fill(name);
      await form('register-person').getByLabel('是否成年').selectOption('yes');
      await submit('register-person');
    }
    // units: the owner chosen from the registered persons
    await form('register-unit').getByLabel('专有部分编号').fill('u1');
    await form('register-unit').getByLabel('楼栋').fill('1号楼');
    await form('register-unit').getByLabel('面积（㎡）').fill('88.5');
    await form('register-unit').getByLabel('业主').selectOption(['p1']);
    await submit('register-unit');
    // households
    await form('create-household').getByLabel('户号').fill('h1');
    await form('create-household').getByLabel('专有部分').selectOption('u1');
    await submit('create-household');
    // resident groups
    await form('create-resident-group').getByLabel('居民小组编号').fill('g1');
    await form('create-resident-group').getByLabel('小组名称').fill('第一小组');
    await submit('create-resident-group');
    // parties, then its representative chosen from the registry
    await form('register-party').getByLabel('协商主体编号').fill('ywh');
    await form('register-party').getByLabel('类别').selectOption('owners-committee');
    await form('register-party').getByLabel('名称').fill('业主委员会');
    await submit('register-party');
    await form('appoint-party-representative').getByLabel('协商主体').selectOption('ywh');
    await form('appoint-party-representative').getByLabel('人员').selectOption('p2');
    await submit('appoint-party-representative');
    // officers
    await form('appoint-clerk').getByLabel('人员').selectOption('p2');
    await submit('appoint-clerk');
    // settings, with the statute provision
    await form('change-community-settings').getByLabel('未表决视为同意多数').check();
    await form('change-community-settings').getByLabel('管理规约依据').fill('管理规约第十二条');
    await submit('change-community-settings');
    // webhooks
    await form('configure-webhook').getByLabel('网关编号').fill('sms');
    await form('configure-webhook').getByLabel('地址').fill('https://gateway.example.cn/hook');
    await form('configure-webhook').getByLabel('会议通知').check();
    await submit('configure-webhook');
    // procedures: the current stages, as filled in
    await form('define-procedure').getByLabel('程序名称').fill('本社区协商程序');
    await submit('define-procedure');
    // proxies: revoking one that does not exist is refused, with the service's reason
    await page.locator('details:has(form#revoke-proxy) > summary').click();
    await form('revoke-proxy').getByLabel('委托编号').fill('nope');
    await form('revoke-proxy').getByRole('button').click();
    await page.waitForLoadState('domcontentloaded');
    await expect(page.locator('.banner.bad').count()).resolves.toBe(1);

    // The read side shows what was recorded.
    const reader = await stack.token({ personId: 'adm1', role: 'admin', communities: ['*'] });
    const community = (await (
      await fetch(`${stack.projectionUrl}/v1/communities/reg`, {
        headers: { authorization: `Bearer ${reader}` },
      })
    ).json()) as {
      clerkIds: string[];
      counts: { units: number; households: number; residentGroups: number };
      parties: { partyId: string; representativeIds: string[] }[];
      settings: { deemedConsent: boolean; deemedConsentStatuteRef?: string };
      procedures: { name: string }[];
    };
    expect(community.clerkIds).toEqual(['p2']);
    expect(community.counts).toMatchObject({ units: 1, households: 1, residentGroups: 1 });
    expect(community.parties).toMatchObject([{ partyId: 'ywh', representativeIds: ['p2'] }]);
    expect(community.settings).toMatchObject({
      deemedConsent: true,
      deemedConsentStatuteRef: '管理规约第十二条',
    });
    expect(community.procedures.map((p) => p.name)).toEqual(['本社区协商程序']);
    await page.context().close();
  });
});
