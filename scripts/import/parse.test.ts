import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { areaOf, birthDateOf, parseTables } from './parse.ts';
import { readTables, tableFromCsv, tablesFromXlsx } from './read.ts';

const examples = join(import.meta.dirname, '..', 'examples');
const today = '2026-05-01';

const csv = (name: string, text: string) => tableFromCsv(name, new TextEncoder().encode(text));

/** Rows without their location, to compare what two files say. */
const content = <T extends { sheet?: string; row: number }>(rows: T[]) =>
  rows.map(({ sheet: _s, row: _r, ...rest }) => rest);

describe('reading the example register', () => {
  it('CSV: units with areas in 0.01 m², co-owners, unsold units; residents with ages', async () => {
    const tables = await readTables([join(examples, '房屋.csv'), join(examples, '居民.csv')]);
    const { rows, problems, skipped } = parseTables(tables, today);
    expect(problems).toEqual([]);
    expect(skipped).toEqual([]);
    expect(rows.units).toHaveLength(6);
    expect(rows.units[0]).toEqual({
      sheet: '房屋.csv',
      row: 2,
      unitId: '3-101',
      building: '3号楼',
      label: '3号楼1单元101室',
      kind: 'home',
      areas: { registryCentiM2: 8825 },
      developerUnsold: false,
      owners: [
        { personId: 'P001', name: '张伟' },
        { personId: 'P002', name: '王芳' },
      ],
    });
    expect(rows.units[3]).toMatchObject({ unitId: '3-202', developerUnsold: true, owners: [] });
    expect(rows.units.map((u) => [u.kind, u.areas.registryCentiM2])).toEqual([
      ['home', 8825],
      ['home', 9010],
      ['home', 8825],
      ['home', 9010],
      ['shop', 4550],
      ['parking', 1250],
    ]);
    expect(rows.residents.map((r) => [r.personId, r.birthDate, r.adult])).toEqual([
      ['P001', '1975-04-12', undefined],
      ['P002', '1978-09-03', undefined],
      ['P006', '2012-09-01', undefined],
      ['P003', undefined, true],
      ['P007', '1960-01-20', undefined],
    ]);
    expect(rows.residents[0]).toMatchObject({
      sheet: '居民.csv',
      row: 2,
      householdId: 'H3-101',
      unitId: '3-101',
      groupId: 'G1',
      groupName: '第一居民小组',
    });
  });

  it('XLSX: the same rows as the CSV files, numbered as the sheets show them', async () => {
    const fromCsv = parseTables(
      await readTables([join(examples, '房屋.csv'), join(examples, '居民.csv')]),
      today,
    );
    const { rows, problems, skipped, layouts } = parseTables(
      await readTables([join(examples, '业主名册.xlsx')]),
      today,
    );
    expect(problems).toEqual([]);
    // The instructions sheet is skipped; the title above the units' headers too.
    expect(skipped).toEqual(['填表说明']);
    expect(layouts.map((l) => [l.sheet, l.kind, l.headerRow, l.ignored])).toEqual([
      ['房屋', 'units', 2, []],
      ['居民', 'residents', 1, ['备注']],
    ]);
    expect(rows.units.map((u) => [u.sheet, u.row])[0]).toEqual(['房屋', 3]);
    expect(rows.residents.map((r) => r.row)).toEqual([2, 3, 4, 5, 6]);
    expect(content(rows.units)).toEqual(content(fromCsv.rows.units));
    expect(content(rows.residents)).toEqual(content(fromCsv.rows.residents));
  });
});

describe('areas: decimal text to 0.01 m², never through floating point', () => {
  it.each([
    ['88.25', 8825],
    ['88.2', 8820],
    ['88', 8800],
    ['０.５', 50],
    ['120.5㎡', 12050],
    ['0.01', 1],
  ])('%s → %i', (text, centi) => {
    expect(areaOf(text)).toBe(centi);
  });

  it('a numeric cell is read as the decimal it shows', () => {
    expect(areaOf(88.25)).toBe(8825);
    expect(areaOf(90.1)).toBe(9010);
  });

  it.each(['88.255', '1,088.25', '-3', '0', '0.00', 'abc', '8.8e1', '88.'])(
    'refuses %s',
    (text) => {
      expect(() => areaOf(text)).toThrow(/面积/);
    },
  );

  it('refuses a number with more than 2 decimals (88.255, or a formula’s 88.24999…)', () => {
    expect(() => areaOf(88.255)).toThrow(/最多两位小数/);
    expect(() => areaOf(0.1 + 0.2)).toThrow(/最多两位小数/);
  });
});

describe('birth dates', () => {
  it.each([
    ['1980-01-31', '1980-01-31'],
    ['1980/1/31', '1980-01-31'],
    ['1980.1.31', '1980-01-31'],
    ['1980年1月31日', '1980-01-31'],
    ['19800131', '1980-01-31'],
  ])('%s → %s', (text, iso) => {
    expect(birthDateOf(text, today)).toBe(iso);
  });

  it('refuses impossible and future dates', () => {
    expect(() => birthDateOf('1980-02-30', today)).toThrow(/出生日期/);
    expect(() => birthDateOf('2030-01-01', today)).toThrow(/晚于今天/);
    expect(() => birthDateOf('三十年前', today)).toThrow(/出生日期/);
  });
});

describe('bad cells: a report with sheet, row and column, and no rows sent', () => {
  it('reads the entrance (单元) of a unit when the sheet has the column', () => {
    const units = csv(
      'units.csv',
      [
        '楼栋,单元,单元编号,类型,面积(㎡),业主编号,业主姓名',
        '3号楼,2单元,3-2-101,住宅,88.25,P001,张伟',
        '3号楼,,3-1-101,住宅,90,P002,王芳',
      ].join('\n'),
    );
    const { rows, problems } = parseTables([units], today);
    expect(problems).toEqual([]);
    expect(rows.units.map((u) => [u.unitId, u.entrance])).toEqual([
      ['3-2-101', '2单元'],
      ['3-1-101', undefined],
    ]);
  });

  it('reports every bad cell of a CSV', () => {
    const units = csv(
      'units.csv',
      [
        '楼栋,单元编号,类型,面积(㎡),业主编号,业主姓名,开发商未售',
        '3号楼,3-101,住宅,88.25,P001,张伟,否',
        '3号楼,3号楼101,别墅,90,P002,王芳,否',
        '3号楼,3-103,住宅,,P003、P004,李娜,否',
        '3号楼,3-104,住宅,70,,,',
        ',3-105,车位,12,110101199003071234,赵六,也许',
        '3号楼,3-101,住宅,88.25,P009,张三,否',
        '3号楼,3-107,住宅,88.25,P001,张三,否',
        '3号楼,3-108,住宅,88.255,P010,孙七,否',
      ].join('\n'),
    );
    const { problems, rows } = parseTables([units], today);
    expect(problems.map(({ row, column }) => [row, column])).toEqual([
      [3, '单元编号'],
      [3, '类型'],
      [4, '面积(㎡)'],
      [4, '业主姓名'],
      [5, '业主编号'],
      [6, '楼栋'],
      [6, '开发商未售'],
      [6, '业主编号'],
      [7, '单元编号'],
      [8, '业主姓名'],
      [9, '面积(㎡)'],
    ]);
    const byRow = (row: number) => problems.filter((p) => p.row === row).map((p) => p.message);
    expect(byRow(9)[0]).toBe(
      '面积须为平方米数，最多两位小数 / area in m² with at most 2 decimals: “88.255”',
    );
    expect(byRow(3).join()).toContain('letters, digits, _ or -');
    expect(byRow(3).join()).toContain('住宅');
    expect(byRow(4).join()).toContain('2 owner ids but 1 names');
    expect(byRow(5)[0]).toContain('已售房屋须填写业主');
    expect(byRow(6).join()).toContain('身份证号');
    expect(byRow(7)[0]).toContain('first on units.csv row 2');
    expect(byRow(8)[0]).toContain('person P001 is named “张伟” on units.csv row 2');
    expect(problems.every((p) => p.sheet === 'units.csv' && / \/ /.test(p.message))).toBe(true);
    // Rows whose cells are good are parsed; the CLI sends none while any problem stands.
    expect(rows.units.map((u) => [u.row, u.unitId])).toEqual([
      [2, '3-101'],
      [5, '3-104'],
      [7, '3-101'],
      [8, '3-107'],
    ]);
  });

  it('reports residents without age, with an unknown date and households that disagree', () => {
    const residents = csv(
      '居民.csv',
      [
        '编号,姓名,出生日期,是否成年,户号,房号',
        'P001,张伟,,,H1,3-101',
        'P002,王芳,1980-02-30,,H1,3-101',
        'P003,李娜,1990-05-05,,H1,3-102',
        'P003,李娜,1990-05-05,,H2,',
      ].join('\n'),
    );
    const { problems } = parseTables([residents], today);
    expect(problems.map(({ row, column }) => [row, column])).toEqual([
      [2, '出生日期'],
      [3, '出生日期'],
      [4, '房号'],
      [5, '编号'],
    ]);
    expect(problems[2]!.message).toContain('household H1 has unit 3-101 on 居民.csv row 2');
  });

  it('reports missing and doubled columns on the header row', () => {
    const { problems } = parseTables(
      [
        csv('a.csv', '楼栋,单元编号,业主编号,业主姓名\n3号楼,3-101,P1,张伟'),
        csv('b.csv', '编号,姓名,户号,户编号\nP1,张伟,H1,H1'),
      ],
      today,
    );
    expect(problems).toEqual([
      expect.objectContaining({ sheet: 'a.csv', row: 1, message: expect.stringContaining('类型') }),
      expect.objectContaining({ sheet: 'a.csv', row: 1, message: expect.stringContaining('面积') }),
      expect.objectContaining({ sheet: 'b.csv', row: 1, column: '户编号' }),
    ]);
  });

  it('reads bad cells of an XLSX: a 3-decimal number, a date where an id belongs', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('3号楼');
    sheet.addRow(['Building', 'Unit ID', 'Kind', 'Area (m²)', 'Owner IDs', 'Owner names']);
    sheet.addRow(['3', '3-101', 'home', 88.255, 'P1', 'Zhang Wei']);
    sheet.addRow(['3', new Date('2026-03-01T00:00:00Z'), 'shop', 40, 'P2', 'Wang Fang']);
    sheet.addRow(['3', '3-103', 'parking', 12.5, 'P3', 'Li Na']);
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
    const { problems, rows } = parseTables(await tablesFromXlsx(buffer), today);
    expect(problems.map(({ sheet, row, column }) => [sheet, row, column])).toEqual([
      ['3号楼', 2, 'Area (m²)'],
      ['3号楼', 3, 'Unit ID'],
    ]);
    expect(problems[1]!.message).toContain('format the column as text');
    expect(rows.units.map((u) => [u.unitId, u.kind, u.areas.registryCentiM2])).toEqual([
      ['3-103', 'parking', 1250],
    ]);
  });

  it('reads a CSV saved by Excel on Chinese Windows (GB18030)', async () => {
    const utf8 = await readFile(join(examples, '房屋.csv'), 'utf8');
    // GB18030 bytes of the example, as Excel saves "CSV (逗号分隔)" on Chinese Windows.
    const gb = gb18030(utf8);
    const { rows, problems } = parseTables([tableFromCsv('房屋.csv', gb)], today);
    expect(problems).toEqual([]);
    expect(rows.units[0]).toMatchObject({
      building: '3号楼',
      owners: [{ name: '张伟' }, { name: '王芳' }],
    });
  });
});

/** Encodes text as GB18030 (TextEncoder writes only UTF-8): a table of the needed characters. */
function gb18030(text: string): Uint8Array {
  const decoder = new TextDecoder('gb18030');
  const table = new Map<string, number[]>();
  for (let hi = 0x81; hi <= 0xfe; hi++) {
    for (let lo = 0x40; lo <= 0xfe; lo++) {
      if (lo === 0x7f) continue;
      const char = decoder.decode(new Uint8Array([hi, lo]));
      if (char.length === 1 && !table.has(char)) table.set(char, [hi, lo]);
    }
  }
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) bytes.push(code);
    else bytes.push(...table.get(char)!);
  }
  return new Uint8Array(bytes);
}
