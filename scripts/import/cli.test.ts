import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '@yishi/command';
import { PostgresEventStore, START } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from './cli.ts';

// The CLI against the command service in-process: its fetch goes to `app.request`.

const examples = join(import.meta.dirname, '..', 'examples');
const auth = testAuth();
let store: PostgresEventStore;
let app: ReturnType<typeof createApp>;
let clerk: string;
let dir: string;
let requests = 0;

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runImport(
    ['--community', 'c1', '--token', clerk, '--url', 'http://command', ...args],
    {
      fetch: async (input, init) => {
        requests += 1;
        const url = new URL(String(input));
        return app.request(`${url.pathname}${url.search}`, init);
      },
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      env: {},
      today: '2026-05-01',
    },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const eventCount = async () => (await store.readAll(START, 10_000)).events.length;

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yishi-import-'));
  store = new PostgresEventStore({ connectionString: await testDatabaseUrl() });
  await store.init();
  app = createApp({ store, verify: auth.verify, clock: () => new Date('2026-05-01T08:00:00Z') });
  const admin = await auth.token({ personId: 'adm', role: 'admin', communities: ['c1'] });
  for (const [method, path, body] of [
    ['PUT', '/v1/communities/c1', { name: '幸福里社区', kind: 'urban' }],
    ['POST', '/v1/communities/c1/registry/register-person', { personId: 'k1', name: '王书记员' }],
    ['POST', '/v1/communities/c1/registry/appoint-clerk', { personId: 'k1' }],
  ] as const) {
    const res = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
  }
  clerk = await auth.token({ personId: 'k1', role: 'clerk', communities: ['c1'] });
});
afterAll(() => store.close());

describe('pnpm import-registry', () => {
  it('explains itself, and refuses to run without a community, a file or a token', async () => {
    const help = await runImport(['--help'], {
      fetch,
      out: (line) => expect(line).toContain('业主姓名'),
      err: () => {},
    });
    expect(help).toBe(0);
    const lines: string[] = [];
    const code = await runImport(['scripts/examples/房屋.csv'], {
      fetch,
      out: () => {},
      err: (line) => lines.push(line),
    });
    expect(code).toBe(2);
    expect(lines.join()).toContain('用法 / usage');
  });

  it('imports the example workbook and says what changed', async () => {
    const { code, out, err } = await run(join(examples, '业主名册.xlsx'));
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain(
      '跳过（不是房屋表或居民表） / skipped (neither units nor residents): 填表说明',
    );
    expect(out).toContain('已检查 / checked: 6 套房屋 units, 5 名居民 residents');
    expect(out).toMatch(/新登记房屋 \/ units registered: 6/);
    expect(out).toMatch(/新登记人员 \/ persons registered: 7/);
    expect(out).toMatch(/新增居民 \/ residents added: 5/);
    expect(out).toMatch(/新建户 \/ households created: 3/);
    expect(out).toMatch(/新建居民小组 \/ resident groups created: 1/);
  });

  it('importing the same register again (as CSV files) changes nothing', async () => {
    const before = await eventCount();
    const { code, out } = await run(join(examples, '房屋.csv'), join(examples, '居民.csv'));
    expect(code).toBe(0);
    expect(out).toContain('登记簿已与文件一致，无需变更 / the registry already matches the file');
    expect(await eventCount()).toBe(before);
  });

  it('a bad cell: the report names sheet, row and column; nothing is sent', async () => {
    const units = await readFile(join(examples, '房屋.csv'), 'utf8');
    const bad = await file('房屋-bad.csv', units.replace('88.25,P004', '88.255,P004'));
    const sent = requests;
    const { code, err } = await run(bad);
    expect(code).toBe(1);
    expect(requests).toBe(sent);
    expect(err).toContain(
      '发现 1 处问题（1 行），未写入任何数据 / 1 problem(s) on 1 row(s); nothing was written:',
    );
    expect(err).toContain(
      '房屋-bad.csv 第 4 行 / row 4 · 面积(㎡): 面积须为平方米数，最多两位小数 / area in m² with at most 2 decimals: “88.255”',
    );
  });

  it('more units than one import takes (over two files): refused, nothing is sent', async () => {
    const header = '楼栋,单元编号,类型,面积(㎡),业主编号,业主姓名,开发商未售';
    const half = (from: number) =>
      [
        header,
        ...Array.from({ length: 10_001 }, (_, i) => `9号楼,N${from + i},车位,12.5,,,是`),
      ].join('\n');
    const sent = requests;
    const { code, err } = await run(
      await file('车位1.csv', half(0)),
      await file('车位2.csv', half(20_000)),
    );
    expect(code).toBe(1);
    expect(requests).toBe(sent);
    expect(err).toContain('too many rows: 20002, at most 20000 units');
  });

  it('a row the registry refuses is reported on its row and column; nothing is written', async () => {
    const before = await eventCount();
    const residents = await file(
      '新居民.csv',
      '编号,姓名,是否成年,户号,房号\nP020,吴迪,是,H9-901,9-901\n',
    );
    const { code, err } = await run(residents);
    expect(code).toBe(1);
    expect(err).toContain(
      '新居民.csv 第 2 行 / row 2 · 户号: 登记中没有 / unit 9-901 is not registered',
    );
    expect(await eventCount()).toBe(before);
  });

  it('a dry run shows a corrected area and a transfer; the import then makes them', async () => {
    const units = await readFile(join(examples, '房屋.csv'), 'utf8');
    const changed = await file(
      '房屋-2026-06.csv',
      units.replace('90.10,P003,李娜', '90.15,P003,李娜').replace('P004,刘洋', 'P008,孙悦'),
    );
    const before = await eventCount();
    const dry = await run('--dry-run', changed);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('试运行，未写入 / dry run, nothing written');
    expect(dry.out).toMatch(/更正面积 \/ unit areas corrected: 1/);
    expect(dry.out).toContain('- 更正面积 3-102 (房屋-2026-06.csv 第 3 行 / row 3)');
    expect(await eventCount()).toBe(before);

    const real = await run('--document', '业主名册 2026-06', changed);
    expect(real.code).toBe(0);
    expect(real.out).toMatch(/业主变更 \/ units transferred: 1/);
    expect(real.out).toContain('- 业主变更 3-201 (房屋-2026-06.csv 第 4 行 / row 4)');
    const events = await store.readStream('community-c1');
    expect(events.find((e) => e.type === 'UnitAreaCorrected')?.data).toMatchObject({
      unitId: '3-102',
      areas: { registryCentiM2: 9015 },
      documentRef: '业主名册 2026-06',
    });
  });
});
