import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient, textOf } from './testing/http-client.ts';
import { phoneOf } from './testing/identity.ts';
import { actor, type Stack, startStack } from './testing/stack.ts';

// 常设议事机构 in the console over HTTP: the community page lists each standing body with its
// schedule and next meeting (read from the query service), and the change and dissolve forms
// pick the body from the active ones instead of asking for its id.

let stack: Stack;
const cid = 'sbc';

beforeAll(async () => {
  stack = await startStack(await testDatabaseUrl());
  const admin = await actor(stack, cid, { personId: 'adm', role: 'admin' });
  await admin('', { name: '和平里社区', kind: 'urban' });
  for (const id of ['k1', 'm1', 'm2']) {
    await admin('registry/register-person', { personId: id, name: `居民${id}`, adult: true });
  }
  await admin('registry/appoint-clerk', { personId: 'k1' });
  await admin('registry/register-party', {
    partyId: 'jwh',
    kind: 'residents-committee',
    name: '居民委员会',
  });
  await stack.link(cid, 'k1');
});
afterAll(() => stack?.stop());

const done = (client: ConsoleClient, action: string) => {
  const text = textOf(client.last!.html);
  expect(text, text.slice(0, 1500)).toContain(`已记录：${action}`);
};
/** The `<option>` values of the select named `name` in form `formId`. */
function optionsOf(html: string, formId: string, name: string): string[] {
  const form = html.slice(html.indexOf(`id="${formId}"`));
  const select = form.slice(form.indexOf(`name="${name}"`), form.indexOf('</select>'));
  return [...select.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]!);
}

describe('standing bodies in the console', () => {
  it('lists each body with its next meeting; change and dissolve pick it from a list', async () => {
    const clerk = new ConsoleClient(stack.webUrl);
    await clerk.signIn(phoneOf('k1', cid), '以书记员身份');
    await clerk.get(`/c/${cid}`);
    expect(textOf(clerk.last!.html)).toContain('尚未设立常设议事机构。');
    // Nothing to change or dissolve yet: those forms are not offered.
    expect(clerk.last!.html).not.toContain('id="change-standing-body"');
    await clerk.submit('establish-standing-body', {
      name: '和平里居民议事会',
      kind: 'residents-council',
      partyIds: ['jwh'],
      memberIds: 'm1, m2',
      venue: '社区活动室',
      schedule: 'days-of-month',
      days: '4, 14, 24',
      time: '19:00',
    });
    done(clerk, '设立常设议事机构');
    await clerk.get(`/c/${cid}`);
    const bodyId = /data-body="([^"]+)"/.exec(clerk.last!.html)?.[1];
    expect(bodyId).toBeDefined();
    const listed = textOf(clerk.last!.html);
    expect(listed).toContain('和平里居民议事会');
    expect(listed).toContain('每月 4、14、24 日 19:00');
    expect(listed).toMatch(/下次例会：\d{4}/);
    // The clerk reads the members' names, each with the registry id.
    expect(listed).toContain('成员：居民m1（m1）、居民m2（m2）');
    expect(optionsOf(clerk.last!.html, 'change-standing-body', 'bodyId')).toEqual([bodyId]);
    expect(optionsOf(clerk.last!.html, 'dissolve-standing-body', 'bodyId')).toEqual([bodyId]);

    await clerk.submit('change-standing-body', {
      bodyId: bodyId!,
      name: '和平里居民议事会',
      partyIds: ['jwh'],
      memberIds: 'm1',
      venue: '党群服务中心',
      schedule: 'weekday-of-month',
      nth: '1',
      weekday: '1',
      time: '09:30',
      reason: '换届',
    });
    done(clerk, '调整常设议事机构（换届、地点、日程）');
    await clerk.get(`/c/${cid}`);
    expect(textOf(clerk.last!.html)).toContain('每月第 1 个星期一 09:30');

    await clerk.submit('dissolve-standing-body', { bodyId: bodyId!, reason: '并入联席会议' });
    done(clerk, '撤销常设议事机构');
    await clerk.get(`/c/${cid}`);
    const after = textOf(clerk.last!.html);
    expect(after).toContain('已撤销');
    expect(after).not.toContain('下次例会');
    expect(clerk.last!.html).not.toContain('id="dissolve-standing-body"');
  });
});
