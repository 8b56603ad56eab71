import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { issueToken, loadConfig, localSecret } from '@yishi/platform';
import {
  type ChangeKind,
  type ImportResult,
  MAX_IMPORT_ROWS,
  type RegistryImportInput,
  type RowProblem,
} from '../../services/command/src/registry-import/rows.ts';
import { located, type Parsed, type Problem, parseTables } from './parse.ts';
import { ReadError, readTables } from './read.ts';

export const usage = `用法 / usage:
  pnpm import-registry --community <社区编号> (--clerk <书记员编号> | --token <JWT>) [选项] 文件…

把社区的业主名册（.xlsx 或 .csv）导入登记簿：人员、房屋（面积、业主）、户和居民。
先逐行检查；任何一行有问题就列出（行号、列名、问题）并退出，什么都不写入。
再次导入同一份文件不会产生任何变更。
Imports the council's register (.xlsx or .csv) into the registry: persons, units (area,
owners), households and residents. Every row is checked first; if any row is bad, each
problem is listed (row, column, problem) and nothing is written. Importing the same file
again changes nothing.

选项 / options:
  --community <id>   社区编号 / the community (required)
  --clerk <id>       以该书记员身份签发令牌（本地密钥） / mint a clerk token (local secret)
  --token <jwt>      使用已有令牌 / use this bearer token instead
  --url <url>        命令服务地址 / command service (default http://HOST:COMMAND_PORT)
  --document <ref>   来源文件编号，记入更正 / document reference kept on corrections
                     (default: the file names)
  --dry-run          只计算将要发生的变更，不写入 / show what would change, write nothing
  -h, --help         显示本说明 / this help

表格 / spreadsheets (表头可用中文或英文；标题行可在表头之上；其他列忽略):
  房屋表 units — one row per unit (专有部分):
    楼栋 building | 单元编号 (或 房号) unit id | 门牌 label (选填) | 类型 kind: 住宅/商铺/车位
    | 面积(㎡) area, ≤ 2 decimals [测绘面积, 合同面积 optional] | 业主编号 owner ids
    | 业主姓名 owner names (共有人用 、 或 ; 分隔, same order) | 开发商未售 developer unsold: 是/否
  居民表 residents — one row per resident:
    编号 person id | 姓名 name | 出生日期 birth date (1980-01-31) 或/or 是否成年 adult: 是/否
    | 户号 household | 房号 unit (选填) | 地址 address (选填)
    | 居民小组 group id (选填) | 居民小组名称 group name (新建小组时填 / to create a group)
  .xlsx: 每张工作表按表头识别 / each sheet is recognised by its headers (a workbook may
  hold both, and several sheets of each). .csv: one table per file, UTF-8 or GB18030.
  编号用社区自编号（字母、数字、_、-），不要用身份证号 / ids are the council's own numbers
  (letters, digits, _ and -), never ID card numbers.
  例 / examples: scripts/examples/业主名册.xlsx, scripts/examples/房屋.csv, scripts/examples/居民.csv`;

export interface CliIo {
  fetch: typeof fetch;
  out: (line: string) => void;
  err: (line: string) => void;
  env?: Record<string, string | undefined>;
  /** Today's date (YYYY-MM-DD) for birth-date checks. */
  today?: string;
}

const changeLabels: Record<ChangeKind, string> = {
  personsRegistered: '新登记人员 / persons registered',
  personsCorrected: '更正人员信息 / persons corrected',
  unitsRegistered: '新登记房屋 / units registered',
  unitAreasCorrected: '更正面积 / unit areas corrected',
  unitsTransferred: '业主变更 / units transferred',
  residentGroupsCreated: '新建居民小组 / resident groups created',
  householdsCreated: '新建户 / households created',
  residentsAdded: '新增居民 / residents added',
  residentsMoved: '居民迁户 / residents moved',
};
/** Changes worth a line each; registrations are many and only counted. */
const listed: readonly ChangeKind[] = [
  'personsCorrected',
  'unitAreasCorrected',
  'unitsTransferred',
  'residentsMoved',
];
const MAX_LISTED = 100;

/** What to do about the service's refusals that are not about rows. */
const hints: Record<string, string> = {
  'role-not-registered':
    '请管理员先任命该书记员（appoint-clerk），或用 --token 传入管理员令牌 / have an admin appoint the clerk first, or pass an admin token with --token',
  'invalid-token':
    '令牌无效：本地签发的令牌须与服务使用同一 JWT_SECRET / DATA_DIR / the token is not valid: a minted token needs the same JWT_SECRET or DATA_DIR as the service',
  'community-not-found': '社区尚未登记 / the community is not registered yet',
  'import-too-large':
    '请拆分文件：先导入房屋，再分楼栋导入居民 / split the file: units first, then residents building by building',
  'payload-too-large':
    '请拆分文件：先导入房屋，再分楼栋导入居民 / split the file: units first, then residents building by building',
};

/** Runs the import; resolves to the exit code (0 done, 1 problems, 2 usage). */
export async function runImport(argv: readonly string[], io: CliIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let files: string[];
  try {
    ({ values, positionals: files } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        community: { type: 'string' },
        clerk: { type: 'string' },
        token: { type: 'string' },
        url: { type: 'string' },
        document: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : error}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    io.out(usage);
    return 0;
  }
  const community = values.community as string | undefined;
  if (!community || files.length === 0 || (!values.clerk && !values.token)) {
    io.err(usage);
    return 2;
  }

  let parsed: Parsed;
  try {
    const today = io.today ?? new Date().toISOString().slice(0, 10);
    parsed = parseTables(await readTables(files), today);
  } catch (error) {
    if (!(error instanceof ReadError)) throw error;
    io.err(error.message);
    return 1;
  }
  for (const sheet of parsed.skipped) {
    io.out(`跳过（不是房屋表或居民表） / skipped (neither units nor residents): ${sheet}`);
  }
  for (const layout of parsed.layouts) {
    if (layout.ignored.length > 0) {
      io.out(`${layout.sheet}: 忽略的列 / ignored columns: ${layout.ignored.join('、')}`);
    }
  }
  if (parsed.problems.length > 0) {
    printProblems(io, parsed.problems);
    return 1;
  }
  const { units, residents } = parsed.rows;
  const most = Math.max(units.length, residents.length);
  if (most > MAX_IMPORT_ROWS) {
    io.err(
      `行数过多：${most} 行，每次最多导入 ${MAX_IMPORT_ROWS} 行房屋和 ${MAX_IMPORT_ROWS} 行居民，请拆分文件 / too many rows: ${most}, at most ${MAX_IMPORT_ROWS} units and ${MAX_IMPORT_ROWS} residents per import; split the files`,
    );
    return 1;
  }
  if (units.length + residents.length === 0) {
    io.err('没有找到房屋表或居民表的数据行 / no rows of units or residents found');
    return 1;
  }
  io.out(
    `已检查 / checked: ${units.length} 套房屋 units, ${residents.length} 名居民 residents — 无问题 / no problems`,
  );

  const config = loadConfig(io.env ?? process.env);
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  const base = (values.url as string | undefined) ?? `http://${host}:${config.COMMAND_PORT}`;
  let token = values.token as string | undefined;
  if (!token) {
    if (config.JWT_JWKS_URL) {
      io.err('JWT_JWKS_URL 已设置：请用 --token / JWT_JWKS_URL is set: pass --token');
      return 2;
    }
    token = await issueToken(
      {
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        secret: localSecret(config.DATA_DIR, config.JWT_SECRET),
      },
      { personId: values.clerk as string, role: 'clerk', communities: [community] },
      '1h',
    );
  }
  const body: RegistryImportInput = {
    documentRef: (
      (values.document as string | undefined) ?? files.map((f) => basename(f)).join(', ')
    ).slice(0, 200),
    units,
    residents,
  };
  const dryRun = values['dry-run'] === true;
  const url = `${base.replace(/\/$/, '')}/v1/communities/${encodeURIComponent(community)}/registry/import${dryRun ? '?dryRun=true' : ''}`;
  let res: Response;
  try {
    res = await io.fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': `import-${randomUUID()}`,
      },
      body: JSON.stringify(body),
    });
  } catch (error) {
    io.err(
      `无法连接命令服务 / cannot reach the command service at ${base} (${error instanceof Error ? error.message : error}): 先运行 / run \`pnpm start\``,
    );
    return 1;
  }
  const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.status === 422 && Array.isArray(answer.rows)) {
    const layouts = new Map(parsed.layouts.map((l) => [l.sheet, l]));
    printProblems(
      io,
      (answer.rows as RowProblem[]).map((p) => located(layouts, p)),
    );
    return 1;
  }
  if (res.status !== 200 && res.status !== 201) {
    const detail = [answer.code, answer.detail ?? answer.title].filter(Boolean).join(': ');
    io.err(`导入失败 / import failed: HTTP ${res.status} ${detail}`);
    const hint = hints[String(answer.code)];
    if (hint) io.err(hint);
    return 1;
  }
  printResult(io, community, answer as unknown as ImportResult);
  return 0;
}

function printProblems(io: CliIo, problems: readonly Problem[]): void {
  const rows = new Set(problems.map((p) => `${p.sheet}\u0000${p.row}`)).size;
  io.err(
    `发现 ${problems.length} 处问题（${rows} 行），未写入任何数据 / ${problems.length} problem(s) on ${rows} row(s); nothing was written:`,
  );
  for (const p of problems) {
    const column = p.column === '' ? '' : ` · ${p.column}`;
    io.err(`  ${p.sheet} 第 ${p.row} 行 / row ${p.row}${column}: ${p.message}`);
  }
}

function printResult(io: CliIo, community: string, result: ImportResult): void {
  const total = Object.values(result.changes).reduce((a, b) => a + b, 0);
  if (result.dryRun) {
    io.out(`试运行，未写入 / dry run, nothing written (${community}):`);
  } else if (total === 0) {
    io.out(
      `登记簿已与文件一致，无需变更 / the registry already matches the file: nothing to change (${community})`,
    );
    return;
  } else {
    io.out(
      `已导入 / imported into ${community}${result.duplicate ? '（重复请求 / repeated request）' : ''}: ` +
        `version ${result.version}${result.position ? `, position ${result.position}` : ''}`,
    );
  }
  for (const [kind, label] of Object.entries(changeLabels) as [ChangeKind, string][]) {
    const n = result.changes[kind];
    if (n > 0) io.out(`  ${label}: ${n}`);
  }
  const lines = result.details.filter((d) => listed.includes(d.change));
  for (const d of lines.slice(0, MAX_LISTED)) {
    const where = d.row === undefined ? '' : ` (${d.sheet ?? ''} 第 ${d.row} 行 / row ${d.row})`;
    io.out(`  - ${changeLabels[d.change].split(' / ')[0]} ${d.id}${where}`);
  }
  if (lines.length > MAX_LISTED) io.out(`  … ${lines.length - MAX_LISTED} more`);
}
