import { BirthDate, DocumentRef, Id, Text, UnitAreas, UnitKind } from '@yishi/domain';
import { z } from 'zod';

// The wire format of a registry import (业主名册导入): the registry as the council's
// spreadsheet states it, one row per unit and one per resident, each row carrying where it
// came from (sheet and spreadsheet row) so that every problem can be reported on its row.
// The CLI (scripts/import-registry.ts) reads spreadsheets into this shape; the service
// reconciles it with the registry.

/** Rows per kind: ~20,000 units or residents; the event store's per-append limit binds first. */
export const MAX_IMPORT_ROWS = 20_000;
const TOO_MANY_ROWS = `每次最多导入 ${MAX_IMPORT_ROWS} 行，请拆分文件 / at most ${MAX_IMPORT_ROWS} rows of each kind per import: split the file`;

/** A mainland resident ID card number (身份证号): 17 digits and a digit or X. */
const ID_CARD = /^\d{17}[\dXx]$/;

/** A person's id in the registry: the council's own number, never an ID card number. */
export const PersonRef = Id.refine((id) => !ID_CARD.test(id), {
  message:
    '像身份证号：请用社区自编的人员编号 / looks like an ID card number: use the council’s own person number',
});

const Where = {
  /** The sheet (or CSV file) the row is on, for reports. */
  sheet: Text(100).optional(),
  /** The row number as the spreadsheet shows it (the header is usually row 1). */
  row: z.number().int().min(1).max(1_048_576),
};

export const OwnerRef = z.object({ personId: PersonRef, name: Text(100) });

export const UnitRow = z.object({
  ...Where,
  unitId: Id,
  building: Text(100),
  /** The entrance (单元) of the building, where its owners decide apart (domain.md 3.1b). */
  entrance: Text(100).optional(),
  label: Text(100).optional(),
  kind: UnitKind,
  areas: UnitAreas,
  /** 开发商未售: not sold or not delivered; counted with the developer. */
  developerUnsold: z.boolean(),
  /** Registered owners (共有人 when several); empty only for a developer-unsold unit. */
  owners: z.array(OwnerRef).max(20),
});
export type UnitRow = z.infer<typeof UnitRow>;

export const ResidentRow = z.object({
  ...Where,
  personId: PersonRef,
  name: Text(100),
  birthDate: BirthDate.optional(),
  adult: z.boolean().optional(),
  /** 户号: the household the resident lives in. */
  householdId: Id,
  /** The unit the household lives in, when stated. */
  unitId: Id.optional(),
  address: Text(200).optional(),
  /** 居民小组 / 村民小组 the household belongs to, when stated. */
  groupId: Id.optional(),
  /** The group's name: needed only to create a group the registry does not have yet. */
  groupName: Text(100).optional(),
});
export type ResidentRow = z.infer<typeof ResidentRow>;

export const RegistryImport = z.object({
  /** The document the rows come from (file name, register number): kept on corrections. */
  documentRef: DocumentRef,
  units: z.array(UnitRow).max(MAX_IMPORT_ROWS, TOO_MANY_ROWS).default([]),
  residents: z.array(ResidentRow).max(MAX_IMPORT_ROWS, TOO_MANY_ROWS).default([]),
});
export type RegistryImport = z.infer<typeof RegistryImport>;
export type RegistryImportInput = z.input<typeof RegistryImport>;

/** One problem on one row: the field is a row property path (`areas.registryCentiM2`). */
export const RowProblem = z.object({
  sheet: z.string().optional(),
  row: z.number().int(),
  field: z.string(),
  code: z.string(),
  /** Chinese first, then English: `面积最多两位小数 / at most 2 decimals`. */
  message: z.string(),
});
export type RowProblem = z.infer<typeof RowProblem>;

/** What an import changes, by kind of change. */
export const changeKinds = [
  'personsRegistered',
  'personsCorrected',
  'unitsRegistered',
  'unitAreasCorrected',
  'unitsTransferred',
  'residentGroupsCreated',
  'householdsCreated',
  'residentsAdded',
  'residentsMoved',
] as const;
export type ChangeKind = (typeof changeKinds)[number];
export type Changes = Record<ChangeKind, number>;

export const Change = z.object({
  change: z.enum(changeKinds),
  /** The person, unit, group or household changed. */
  id: z.string(),
  sheet: z.string().optional(),
  row: z.number().int().optional(),
});
export type Change = z.infer<typeof Change>;

export const ImportResult = z.object({
  streamId: z.string(),
  /** The registry stream's version after the import (unchanged when nothing changed). */
  version: z.number().int(),
  /** Global position of the append, for `?minPosition=` on queries; absent when nothing was written. */
  position: z.string().optional(),
  duplicate: z.boolean(),
  dryRun: z.boolean(),
  changes: z.record(z.enum(changeKinds), z.number().int()),
  details: z.array(Change),
});
export type ImportResult = z.infer<typeof ImportResult>;

export function noChanges(): Changes {
  return Object.fromEntries(changeKinds.map((k) => [k, 0])) as Changes;
}
