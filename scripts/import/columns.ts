import type { Cell, Table } from './read.ts';

// Column headers (Chinese and English) to fields, and which sheet is which: a sheet is a
// units sheet (房屋) or a residents sheet (居民) by its headers, whatever its name.

export type SheetKind = 'units' | 'residents';

interface ColumnSpec {
  /** The row property the column fills (as the service names it in its reports). */
  field: string;
  /** Headers that mean this column, compared after `normaliseHeader`. */
  headers: readonly string[];
  label: string;
}

export const columnSpecs: Record<SheetKind, readonly ColumnSpec[]> = {
  units: [
    { field: 'building', label: '楼栋', headers: ['楼栋', '楼号', '楼栋号', '幢号', 'building'] },
    {
      field: 'unitId',
      label: '单元编号',
      headers: ['单元编号', '房屋编号', '房号', 'unit id', 'unit'],
    },
    { field: 'entrance', label: '单元', headers: ['单元', '单元号', '梯号', 'entrance'] },
    { field: 'label', label: '门牌', headers: ['门牌', '门牌号', '房屋名称', '坐落', 'label'] },
    { field: 'kind', label: '类型', headers: ['类型', '房屋类型', '用途', 'kind', 'type'] },
    {
      field: 'areas.registryCentiM2',
      label: '面积',
      headers: ['面积', '产权面积', '登记面积', '建筑面积', 'area', 'registry area'],
    },
    {
      field: 'areas.surveyedCentiM2',
      label: '测绘面积',
      headers: ['测绘面积', '实测面积', 'surveyed area'],
    },
    { field: 'areas.contractCentiM2', label: '合同面积', headers: ['合同面积', 'contract area'] },
    {
      field: 'ownerIds',
      label: '业主编号',
      headers: ['业主编号', 'owner id', 'owner ids'],
    },
    {
      field: 'ownerNames',
      label: '业主姓名',
      headers: ['业主姓名', '业主', 'owner name', 'owner names', 'owners'],
    },
    {
      field: 'developerUnsold',
      label: '开发商未售',
      headers: ['开发商未售', '未售', '开发商未售或未交付', 'developer unsold', 'unsold'],
    },
  ],
  residents: [
    {
      field: 'personId',
      label: '编号',
      headers: ['编号', '居民编号', '人员编号', 'person id', 'id'],
    },
    { field: 'name', label: '姓名', headers: ['姓名', 'name'] },
    {
      field: 'birthDate',
      label: '出生日期',
      headers: ['出生日期', '出生年月日', '生日', 'birth date', 'date of birth'],
    },
    { field: 'adult', label: '是否成年', headers: ['是否成年', '成年', 'adult'] },
    {
      field: 'householdId',
      label: '户号',
      headers: ['户号', '户编号', 'household', 'household id'],
    },
    {
      field: 'unitId',
      label: '房号',
      headers: ['房号', '单元编号', '房屋编号', 'unit', 'unit id'],
    },
    { field: 'address', label: '地址', headers: ['地址', '住址', 'address'] },
    {
      field: 'groupId',
      label: '居民小组',
      headers: ['居民小组', '村民小组', '居民小组编号', '村民小组编号', 'group', 'group id'],
    },
    {
      field: 'groupName',
      label: '居民小组名称',
      headers: ['居民小组名称', '村民小组名称', 'group name'],
    },
  ],
};

/** Columns a sheet of the kind must have. */
const required: Record<SheetKind, readonly string[]> = {
  units: ['building', 'unitId', 'kind', 'ownerIds', 'ownerNames'],
  residents: ['personId', 'name', 'householdId'],
};
const areaFields = ['areas.registryCentiM2', 'areas.surveyedCentiM2', 'areas.contractCentiM2'];

/**
 * Full-width to half-width (NFKC), lower case, without spaces, `*` marks and a trailing
 * note in brackets: `面积（㎡）`, `面积(m2)` and `Area` compare equal to `面积`/`area`.
 */
export function normaliseHeader(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s*]/g, '')
    .replace(/\([^()]*\)$/, '');
}

const lookup: Record<SheetKind, Map<string, ColumnSpec>> = {
  units: indexOf(columnSpecs.units),
  residents: indexOf(columnSpecs.residents),
};

function indexOf(specs: readonly ColumnSpec[]): Map<string, ColumnSpec> {
  const map = new Map<string, ColumnSpec>();
  for (const spec of specs) for (const h of spec.headers) map.set(normaliseHeader(h), spec);
  return map;
}

export interface Column {
  index: number;
  /** The header as the sheet writes it. */
  header: string;
}

export interface Layout {
  kind: SheetKind;
  sheet: string;
  headerRow: number;
  columns: Map<string, Column>;
  /** Headers the import does not use (e.g. 联系电话), for the user to see. */
  ignored: string[];
}

export interface SheetProblem {
  sheet: string;
  row: number;
  column: string;
  message: string;
}

const headerText = (cell: Cell | undefined): string =>
  cell === null || cell === undefined || cell instanceof Date ? '' : String(cell).trim();

/** Rows searched for the header row: councils often put a title above it. */
const HEADER_SEARCH = 10;

/**
 * Finds the header row and the kind of a sheet. A sheet whose headers match neither kind is
 * skipped (an instructions sheet); one that matches partly is reported with what it lacks.
 */
export function layoutOf(table: Table): { layout?: Layout; problems: SheetProblem[] } {
  let best: { kind: SheetKind; row: number; cells: Cell[]; score: number } | undefined;
  for (const { row, cells } of table.rows.slice(0, HEADER_SEARCH)) {
    for (const kind of ['residents', 'units'] as const) {
      const fields = new Set(
        cells.flatMap((c) => {
          const spec = lookup[kind].get(normaliseHeader(headerText(c)));
          return spec ? [spec.field] : [];
        }),
      );
      const score = required[kind].filter((f) => fields.has(f)).length;
      if (score >= 2 && (!best || score > best.score)) best = { kind, row, cells, score };
    }
  }
  if (!best) return { problems: [] };

  const { kind, row, cells } = best;
  const problems: SheetProblem[] = [];
  const columns = new Map<string, Column>();
  const ignored: string[] = [];
  cells.forEach((cell, index) => {
    const header = headerText(cell);
    if (header === '') return;
    const spec = lookup[kind].get(normaliseHeader(header));
    if (!spec) {
      ignored.push(header);
      return;
    }
    const earlier = columns.get(spec.field);
    if (earlier) {
      problems.push({
        sheet: table.name,
        row,
        column: header,
        message: `与“${earlier.header}”列重复（都表示${spec.label}） / same column as “${earlier.header}” (both mean ${spec.field})`,
      });
      return;
    }
    columns.set(spec.field, { index, header });
  });
  for (const field of required[kind]) {
    if (!columns.has(field)) {
      const spec = columnSpecs[kind].find((s) => s.field === field)!;
      problems.push({
        sheet: table.name,
        row,
        column: '',
        message: `缺少“${spec.label}”列 / missing column ${spec.label} (${spec.headers.at(-1)})`,
      });
    }
  }
  if (kind === 'units' && !areaFields.some((f) => columns.has(f))) {
    problems.push({
      sheet: table.name,
      row,
      column: '',
      message: '缺少“面积”列 / missing column 面积 (area, m²)',
    });
  }
  return { layout: { kind, sheet: table.name, headerRow: row, columns, ignored }, problems };
}

/**
 * The column a reported field belongs to: `owners.1.name` → 业主姓名, `areas` → the first
 * area column; `''` when the field has no column of its own.
 */
export function columnOf(layout: Layout, field: string): Column | undefined {
  if (field.startsWith('owners')) {
    return layout.columns.get(field.endsWith('.name') ? 'ownerNames' : 'ownerIds');
  }
  if (field === 'areas') {
    return areaFields.map((f) => layout.columns.get(f)).find((c) => c !== undefined);
  }
  return layout.columns.get(field) ?? layout.columns.get(field.split('.')[0]!);
}
