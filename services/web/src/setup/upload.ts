import { extname } from 'node:path';
import type { Problem } from '@yishi/platform';
import {
  located,
  parseTables,
  type Problem as SheetProblem,
} from '../../../../scripts/import/parse.ts';
import {
  MAX_FILE_BYTES,
  ReadError,
  type Table,
  tableFromCsv,
  tablesFromXlsx,
} from '../../../../scripts/import/read.ts';
import type {
  ImportResult,
  RegistryImportInput,
  RowProblem,
} from '../../../command/src/registry-import/rows.ts';
import type { ApiClient } from '../api.ts';

// The registry by spreadsheet in the browser: the files uploaded are read and checked as the
// CLI (`pnpm import-registry`) reads and checks them, then sent to the command service's
// import route as the viewer; its answer, or the first problems found, row by row.

/** What an upload came to: the problems per row, or the service's result, or a refusal. */
export type UploadOutcome =
  | { kind: 'rows'; problems: SheetProblem[] }
  | { kind: 'imported'; result: ImportResult }
  | { kind: 'refused'; problem: Problem };

/** A file as the browser posted it. */
export interface Upload {
  name: string;
  bytes: Uint8Array;
}

/** The files of one upload: a workbook and a CSV or two, within the reader's limit. */
export const MAX_UPLOAD_BYTES = MAX_FILE_BYTES + 64 * 1024;

/** The uploaded files of a parsed multipart body. */
export async function uploadsOf(body: Record<string, unknown>): Promise<Upload[]> {
  const value = body.files;
  const list = Array.isArray(value) ? value : [value];
  const files = list.filter((v): v is File => v instanceof File && v.size > 0);
  return Promise.all(
    files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
  );
}

const readProblem = (message: string): Problem => ({
  type: 'about:blank',
  title: message,
  status: 400,
  code: 'invalid-file',
  detail: message,
});

async function tablesOf(files: readonly Upload[]): Promise<Table[]> {
  const tables: Table[] = [];
  for (const file of files) {
    if (file.bytes.byteLength > MAX_FILE_BYTES) {
      throw new ReadError(
        `文件太大，最多 ${MAX_FILE_BYTES} 字节，请拆分 / ${file.name} is too large: at most ${MAX_FILE_BYTES} bytes; split it`,
      );
    }
    const extension = extname(file.name).toLowerCase();
    if (extension === '.csv') tables.push(tableFromCsv(file.name, file.bytes));
    else if (extension === '.xlsx') {
      tables.push(...(await tablesFromXlsx(Buffer.from(file.bytes), file.name)));
    } else {
      throw new ReadError(
        `只支持 .xlsx 和 .csv（.xls 请另存为 .xlsx） / only .xlsx and .csv are read: ${file.name}`,
      );
    }
  }
  return tables;
}

/** Reads, checks and imports the uploaded register into `communityId`. */
export async function uploadRegistry(
  api: ApiClient,
  communityId: string,
  files: readonly Upload[],
  options: { dryRun: boolean; today: string; idempotencyKey?: string },
): Promise<UploadOutcome> {
  if (files.length === 0) {
    return {
      kind: 'refused',
      problem: readProblem('请选择 .csv 或 .xlsx 文件 / choose a .csv or .xlsx file'),
    };
  }
  let parsed: ReturnType<typeof parseTables>;
  try {
    parsed = parseTables(await tablesOf(files), options.today);
  } catch (error) {
    if (!(error instanceof ReadError)) throw error;
    return { kind: 'refused', problem: readProblem(error.message) };
  }
  if (parsed.problems.length > 0) return { kind: 'rows', problems: parsed.problems };
  const { units, residents } = parsed.rows;
  if (units.length + residents.length === 0) {
    return {
      kind: 'refused',
      problem: readProblem('没有找到房屋表或居民表的数据行 / no rows of units or residents found'),
    };
  }
  const body: RegistryImportInput = {
    documentRef: files
      .map((f) => f.name)
      .join(', ')
      .slice(0, 200),
    units,
    residents,
  };
  const path = `/v1/communities/${encodeURIComponent(communityId)}/registry/import${options.dryRun ? '?dryRun=true' : ''}`;
  const answer = await api.command<ImportResult>(path, body, {
    idempotencyKey: options.idempotencyKey,
  });
  if (answer.ok) return { kind: 'imported', result: answer.data };
  const rows = (answer.problem as Problem & { rows?: RowProblem[] }).rows;
  if (answer.problem.status === 422 && Array.isArray(rows)) {
    const layouts = new Map(parsed.layouts.map((l) => [l.sheet, l]));
    return { kind: 'rows', problems: rows.map((p) => located(layouts, p)) };
  }
  return { kind: 'refused', problem: answer.problem };
}
