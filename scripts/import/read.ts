import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { MAX_IMPORT_ROWS } from '../../services/command/src/registry-import/rows.ts';
import { checkZip, ZipProblem } from './zip.ts';

// Spreadsheets to tables of cells, each row with the number the spreadsheet shows for it.

export type Cell = string | number | boolean | Date | null;

export interface Table {
  /** The sheet name (xlsx) or file name (csv), as reports name it. */
  name: string;
  rows: { row: number; cells: Cell[] }[];
}

export class ReadError extends Error {}

/**
 * A register of 20,000 units and 20,000 residents is ~3 MB as CSV and less as .xlsx; the
 * service takes at most 8 MiB of rows as JSON. 16 MiB leaves room for a workbook's pictures.
 */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;
/** Rows of one sheet or CSV file: the service's rows per kind, and a title and notes around them. */
export const MAX_TABLE_ROWS = MAX_IMPORT_ROWS + 100;

/** Reads each file; an .xlsx gives one table per worksheet, a .csv one table. */
export async function readTables(paths: readonly string[]): Promise<Table[]> {
  const tables: Table[] = [];
  const workbooks = paths.filter((p) => extname(p).toLowerCase() === '.xlsx').length;
  for (const path of paths) {
    const extension = extname(path).toLowerCase();
    let bytes: Buffer;
    try {
      // The size before the bytes: a file too large is never read into memory.
      const { size } = await stat(path);
      if (size > MAX_FILE_BYTES) {
        throw new ReadError(
          `文件太大：${size} 字节，最多 ${MAX_FILE_BYTES} 字节，请拆分 / ${path} is too large: ${size} bytes, at most ${MAX_FILE_BYTES}; split it`,
        );
      }
      bytes = await readFile(path);
    } catch (error) {
      if (error instanceof ReadError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new ReadError(`无法读取 / cannot read ${path}: ${reason}`);
    }
    if (extension === '.csv') {
      tables.push(tableFromCsv(basename(path), bytes));
    } else if (extension === '.xlsx') {
      // Several workbooks may have sheets of the same name: then the file names them too.
      const prefix = workbooks > 1 ? `${basename(path)}/` : '';
      for (const table of await tablesFromXlsx(bytes, basename(path))) {
        tables.push({ ...table, name: `${prefix}${table.name}`.slice(0, 100) });
      }
    } else {
      throw new ReadError(
        `只支持 .xlsx 和 .csv（.xls 请另存为 .xlsx） / only .xlsx and .csv are read (save an .xls as .xlsx): ${path}`,
      );
    }
  }
  return tables;
}

/** UTF-8 (with or without BOM); otherwise GB18030, as Excel on Chinese Windows saves CSV. */
export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

export function tableFromCsv(name: string, bytes: Uint8Array): Table {
  let records: { record: string[]; info: { records: number } }[];
  try {
    records = parse(decodeText(bytes), {
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      info: true,
    }) as unknown as { record: string[]; info: { records: number } }[];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ReadError(`CSV 格式错误 / not a valid CSV file ${name}: ${reason}`);
  }
  tooManyRows(name, records.length);
  // A record's number is the row a spreadsheet shows for it (empty lines are rows too).
  return {
    name: name.slice(0, 100),
    rows: records.map(({ record, info }) => ({ row: info.records, cells: record })),
  };
}

function tooManyRows(name: string, rows: number): void {
  if (rows > MAX_TABLE_ROWS) {
    throw new ReadError(
      `行数过多：${name} 有 ${rows} 行，最多 ${MAX_TABLE_ROWS} 行，请拆分 / too many rows: ${name} has ${rows}, at most ${MAX_TABLE_ROWS}; split it`,
    );
  }
}

export async function tablesFromXlsx(bytes: Buffer, file = '.xlsx'): Promise<Table[]> {
  // The zip's directory first: a zip bomb is refused before exceljs inflates anything.
  try {
    checkZip(bytes);
  } catch (error) {
    if (!(error instanceof ZipProblem)) throw error;
    throw new ReadError(`${file}: ${error.message}`);
  }
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ReadError(`不是有效的 .xlsx 文件 / not a valid .xlsx file: ${reason}`);
  }
  return workbook.worksheets.map((sheet) => {
    tooManyRows(sheet.name, sheet.actualRowCount);
    const rows: Table['rows'] = [];
    sheet.eachRow({ includeEmpty: false }, (row, number) => {
      const cells: Cell[] = [];
      for (let i = 1; i <= row.cellCount; i++) cells.push(cellOf(row.getCell(i).value));
      rows.push({ row: number, cells });
    });
    return { name: sheet.name, rows };
  });
}

/** exceljs values to plain cells: formulas give their result, rich text its text. */
function cellOf(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null;
  if (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value instanceof Date
  ) {
    return value;
  }
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('error' in value) return String(value.error);
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as ExcelJS.CellFormulaValue).result;
    return result === undefined ? null : cellOf(result);
  }
  if ('text' in value) return cellOf((value as ExcelJS.CellHyperlinkValue).text);
  return null;
}
