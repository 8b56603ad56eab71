import { AreaCentiM2, BirthDate, centiM2FromText, Id, type UnitAreas } from '@yishi/domain';
import { desiredRegistry } from '../../services/command/src/registry-import/desired.ts';
import {
  PersonRef,
  type RegistryImport,
  type ResidentRow,
  ResidentRow as ResidentRowSchema,
  type RowProblem,
  type UnitRow,
  UnitRow as UnitRowSchema,
} from '../../services/command/src/registry-import/rows.ts';
import { columnOf, type Layout, layoutOf, type SheetProblem } from './columns.ts';
import type { Cell, Table } from './read.ts';

// Cells to the rows the service takes, checking every cell on the way: each problem names
// the sheet, the row as the spreadsheet shows it, the column header, and what is wrong (in
// Chinese, then English). The rows are then checked against each other with the service's
// own check, so nothing that fails there is sent.

export type Problem = SheetProblem;

export interface Parsed {
  rows: Pick<RegistryImport, 'units' | 'residents'>;
  layouts: Layout[];
  /** Sheets that are neither units nor residents (e.g. 填表说明), skipped. */
  skipped: string[];
  problems: Problem[];
}

class CellError extends Error {}

/** Text of a cell: trimmed, `undefined` when empty. Numbers as JavaScript writes them. */
function textOf(cell: Cell | undefined): string | undefined {
  if (cell === null || cell === undefined) return undefined;
  if (cell instanceof Date) {
    throw new CellError(
      '单元格是日期格式，请把该列设为文本 / the cell is a date: format the column as text',
    );
  }
  const text = String(cell).trim();
  return text === '' ? undefined : text;
}

/** Identifiers and codes compare in half-width form: `３－１０１` is `3-101`. */
const plain = (text: string) => text.normalize('NFKC').replace(/\s+/g, '');

function idOf(cell: Cell | undefined, person = false): string | undefined {
  const text = textOf(cell);
  if (text === undefined) return undefined;
  const id = plain(text);
  const parsed = (person ? PersonRef : Id).safeParse(id);
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues[0]?.message ?? '';
  if (message.includes(' / ')) throw new CellError(message);
  throw new CellError(
    `编号只能由字母、数字、_ 或 - 组成，最多 64 个字符 / an id is letters, digits, _ or -, at most 64: “${text}”`,
  );
}

function textField(cell: Cell | undefined, max: number): string | undefined {
  const text = textOf(cell);
  if (text !== undefined && text.length > max) {
    throw new CellError(`最多 ${max} 个字 / at most ${max} characters`);
  }
  return text;
}

const kinds: Record<string, UnitRow['kind']> = {
  住宅: 'home',
  住房: 'home',
  home: 'home',
  商铺: 'shop',
  商业: 'shop',
  商服: 'shop',
  shop: 'shop',
  车位: 'parking',
  车库: 'parking',
  停车位: 'parking',
  parking: 'parking',
};

function kindOf(cell: Cell | undefined): UnitRow['kind'] | undefined {
  const text = textOf(cell);
  if (text === undefined) return undefined;
  const kind = kinds[plain(text).toLowerCase()];
  if (!kind) {
    throw new CellError(
      `类型须为 住宅、商铺 或 车位 / kind must be 住宅 (home), 商铺 (shop) or 车位 (parking): “${text}”`,
    );
  }
  return kind;
}

/** m² with at most 2 decimals to 0.01 m², parsed from the decimal text (no floating point). */
export function areaOf(cell: Cell | undefined): number | undefined {
  const text = textOf(cell);
  if (text === undefined) return undefined;
  const decimal = plain(text).replace(/(㎡|m2|m²|平方米|平米)$/i, '');
  let centi: number;
  try {
    centi = centiM2FromText(decimal);
  } catch {
    throw new CellError(
      `面积须为平方米数，最多两位小数 / area in m² with at most 2 decimals: “${text}”`,
    );
  }
  if (!AreaCentiM2.safeParse(centi).success) {
    throw new CellError(`面积须大于 0 且不超过 1000 万平方米 / area must be > 0: “${text}”`);
  }
  return centi;
}

const yes = new Set(['是', 'y', 'yes', 'true', '1', '√', '✓', '✔', '对']);
const no = new Set(['否', 'n', 'no', 'false', '0', '×', '✗', '不是']);

function booleanOf(cell: Cell | undefined): boolean | undefined {
  if (typeof cell === 'boolean') return cell;
  const text = textOf(cell);
  if (text === undefined) return undefined;
  const value = plain(text).toLowerCase();
  if (yes.has(value)) return true;
  if (no.has(value)) return false;
  throw new CellError(`请填“是”或“否” / write 是 (yes) or 否 (no): “${text}”`);
}

const DATE = /^(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))$/;

/** 1980-01-31, 1980/1/31, 1980.1.31, 1980年1月31日, 19800131, or a date cell. */
export function birthDateOf(cell: Cell | undefined, today: string): string | undefined {
  let iso: string | undefined;
  if (cell instanceof Date) {
    iso = cell.toISOString().slice(0, 10);
  } else {
    const text = textOf(cell);
    if (text === undefined) return undefined;
    const match = DATE.exec(plain(text));
    if (match) {
      const [, y, m, d, m2, d2] = match;
      iso = `${y}-${(m ?? m2)!.padStart(2, '0')}-${(d ?? d2)!.padStart(2, '0')}`;
    }
    if (!iso || !BirthDate.safeParse(iso).success || !isCalendarDate(iso)) {
      throw new CellError(`出生日期应写作 1980-01-31 / birth date as 1980-01-31: “${text}”`);
    }
  }
  if (iso > today) throw new CellError(`出生日期晚于今天 / birth date after today: ${iso}`);
  return iso;
}

function isCalendarDate(iso: string): boolean {
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === iso;
}

/** Several owners in one cell: `张伟、王芳`, `P001;P002`. */
const split = (text: string | undefined) =>
  text === undefined
    ? []
    : text
        .split(/[、;；,，\n]/)
        .map((part) => part.trim())
        .filter((part) => part !== '');

/** Parses every sheet; rows are sent only when `problems` is empty. */
export function parseTables(tables: readonly Table[], today: string): Parsed {
  const problems: Problem[] = [];
  const layouts: Layout[] = [];
  const skipped: string[] = [];
  const units: UnitRow[] = [];
  const residents: ResidentRow[] = [];

  for (const table of tables) {
    const { layout, problems: headerProblems } = layoutOf(table);
    problems.push(...headerProblems);
    if (!layout) {
      if (table.rows.length > 0) skipped.push(table.name);
      continue;
    }
    layouts.push(layout);
    if (headerProblems.length > 0) continue;
    for (const { row, cells } of table.rows) {
      if (row <= layout.headerRow || cells.every((c) => textOrEmpty(c) === '')) continue;
      const report = (field: string, message: string) =>
        problems.push({
          sheet: table.name,
          row,
          column: columnOf(layout, field)?.header ?? '',
          message,
        });
      const parsed =
        layout.kind === 'units'
          ? unitRow(layout, row, cells, report)
          : residentRow(layout, row, cells, report, today);
      if (parsed?.kind === 'units') units.push(parsed.row);
      else if (parsed?.kind === 'residents') residents.push(parsed.row);
    }
  }

  // Rows against each other (duplicates, one person with two names), as the service checks.
  const byName = new Map(layouts.map((l) => [l.sheet, l]));
  for (const p of desiredRegistry({ units, residents }).problems) {
    problems.push(located(byName, p));
  }
  const order = new Map(tables.map((t, i) => [t.name, i]));
  problems.sort((a, b) => (order.get(a.sheet) ?? 0) - (order.get(b.sheet) ?? 0) || a.row - b.row);
  return { rows: { units, residents }, layouts, skipped, problems };
}

/** A problem the service reports (a field of a row) as a sheet problem (a column of a row). */
export function located(layouts: ReadonlyMap<string, Layout>, p: RowProblem): Problem {
  const layout = p.sheet === undefined ? undefined : layouts.get(p.sheet);
  return {
    sheet: p.sheet ?? '',
    row: p.row,
    column: (layout && columnOf(layout, p.field)?.header) ?? p.field,
    message: p.message,
  };
}

const textOrEmpty = (cell: Cell): string =>
  cell === null ? '' : cell instanceof Date ? 'date' : String(cell).trim();

type Report = (field: string, message: string) => void;

/** Reads one field, reporting a bad cell; `undefined` when empty or bad. */
function read<T>(
  layout: Layout,
  cells: readonly Cell[],
  field: string,
  report: Report,
  parse: (cell: Cell | undefined) => T | undefined,
  requiredMessage?: string,
): { value: T | undefined; ok: boolean } {
  const column = layout.columns.get(field);
  if (!column) return { value: undefined, ok: true };
  try {
    const value = parse(cells[column.index]);
    if (value === undefined && requiredMessage) {
      report(field, requiredMessage);
      return { value, ok: false };
    }
    return { value, ok: true };
  } catch (error) {
    if (!(error instanceof CellError)) throw error;
    report(field, error.message);
    return { value: undefined, ok: false };
  }
}

const missing = (zh: string, en: string) => `${zh}不能为空 / ${en} is required`;

function unitRow(
  layout: Layout,
  row: number,
  cells: readonly Cell[],
  report: Report,
): { kind: 'units'; row: UnitRow } | undefined {
  const get = <T>(field: string, parse: (c: Cell | undefined) => T | undefined, req?: string) =>
    read(layout, cells, field, report, parse, req);
  const unitId = get('unitId', (c) => idOf(c), missing('单元编号', 'the unit id'));
  const building = get('building', (c) => textField(c, 100), missing('楼栋', 'the building'));
  const entrance = get('entrance', (c) => textField(c, 100));
  const label = get('label', (c) => textField(c, 100));
  const kind = get('kind', kindOf, missing('类型', 'the kind'));
  const registry = get('areas.registryCentiM2', areaOf);
  const surveyed = get('areas.surveyedCentiM2', areaOf);
  const contract = get('areas.contractCentiM2', areaOf);
  const unsold = get('developerUnsold', booleanOf);
  const ids = get('ownerIds', (c) => {
    const list = split(textOf(c));
    return list.map((id) => idOf(id, true)!);
  });
  const names = get('ownerNames', (c) => {
    const list = split(textOf(c));
    for (const name of list)
      if (name.length > 100)
        throw new CellError(`姓名最多 100 个字 / a name is at most 100 characters`);
    return list;
  });
  let ok = [
    unitId,
    building,
    entrance,
    label,
    kind,
    registry,
    surveyed,
    contract,
    unsold,
    ids,
    names,
  ].every((r) => r.ok);
  const areas: UnitAreas = {
    ...(registry.value === undefined ? {} : { registryCentiM2: registry.value }),
    ...(surveyed.value === undefined ? {} : { surveyedCentiM2: surveyed.value }),
    ...(contract.value === undefined ? {} : { contractCentiM2: contract.value }),
  };
  if (registry.ok && surveyed.ok && contract.ok && Object.keys(areas).length === 0) {
    report('areas', '面积不能为空 / the area is required');
    ok = false;
  }
  const ownerIds = ids.value ?? [];
  const ownerNames = names.value ?? [];
  if (ids.ok && names.ok && ownerIds.length !== ownerNames.length) {
    report(
      'owners.0.name',
      `业主编号 ${ownerIds.length} 个，业主姓名 ${ownerNames.length} 个，须一一对应 / ${ownerIds.length} owner ids but ${ownerNames.length} names`,
    );
    ok = false;
  }
  if (!ok) return undefined;
  const candidate = {
    sheet: layout.sheet,
    row,
    unitId: unitId.value,
    building: building.value,
    ...(entrance.value === undefined ? {} : { entrance: entrance.value }),
    ...(label.value === undefined ? {} : { label: label.value }),
    kind: kind.value,
    areas,
    developerUnsold: unsold.value ?? false,
    owners: ownerIds.map((personId, i) => ({ personId, name: ownerNames[i]! })),
  };
  const parsed = UnitRowSchema.safeParse(candidate);
  return parsed.success
    ? { kind: 'units', row: parsed.data }
    : reportIssues(parsed.error.issues, report);
}

function residentRow(
  layout: Layout,
  row: number,
  cells: readonly Cell[],
  report: Report,
  today: string,
): { kind: 'residents'; row: ResidentRow } | undefined {
  const get = <T>(field: string, parse: (c: Cell | undefined) => T | undefined, req?: string) =>
    read(layout, cells, field, report, parse, req);
  const personId = get('personId', (c) => idOf(c, true), missing('编号', 'the person id'));
  const name = get('name', (c) => textField(c, 100), missing('姓名', 'the name'));
  const birthDate = get('birthDate', (c) => birthDateOf(c, today));
  const adult = get('adult', booleanOf);
  const householdId = get('householdId', (c) => idOf(c), missing('户号', 'the household'));
  const unitId = get('unitId', (c) => idOf(c));
  const address = get('address', (c) => textField(c, 200));
  const groupId = get('groupId', (c) => idOf(c));
  const groupName = get('groupName', (c) => textField(c, 100));
  const all = [personId, name, birthDate, adult, householdId, unitId, address, groupId, groupName];
  if (!all.every((r) => r.ok)) return undefined;
  const optional = {
    birthDate: birthDate.value,
    adult: adult.value,
    unitId: unitId.value,
    address: address.value,
    groupId: groupId.value,
    groupName: groupName.value,
  };
  const candidate = {
    sheet: layout.sheet,
    row,
    personId: personId.value,
    name: name.value,
    householdId: householdId.value,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
  };
  const parsed = ResidentRowSchema.safeParse(candidate);
  return parsed.success
    ? { kind: 'residents', row: parsed.data }
    : reportIssues(parsed.error.issues, report);
}

/** The service's own schema comes last: what the cell checks missed is reported, not sent. */
function reportIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  report: Report,
): undefined {
  for (const issue of issues) report(issue.path.map(String).join('.'), issue.message);
  return undefined;
}
