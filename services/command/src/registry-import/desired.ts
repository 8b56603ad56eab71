import type { RegistryImport, ResidentRow, RowProblem, UnitRow } from './rows.ts';

// The registry the rows describe, merged across rows: a person may own several units and
// live in one of them; a household has several residents. Rows that contradict each other
// (a unit listed twice, one person id with two names, a household with two units) are
// problems on the later row. Shared by the CLI (checked before sending) and the service.

export interface Where {
  sheet?: string;
  row: number;
}

export interface DesiredPerson {
  personId: string;
  name: string;
  birthDate?: string;
  adult?: boolean;
  /** The first row naming the person, and the field there. */
  where: Where;
  field: string;
}

export interface DesiredHousehold {
  householdId: string;
  unitId?: string;
  address?: string;
  groupId?: string;
  where: Where;
}

export interface DesiredGroup {
  groupId: string;
  name?: string;
  where: Where;
}

export interface DesiredRegistry {
  persons: Map<string, DesiredPerson>;
  /** Units in row order, each unit once. */
  units: UnitRow[];
  /** Residents in row order, each person once. */
  residents: ResidentRow[];
  groups: Map<string, DesiredGroup>;
  households: Map<string, DesiredHousehold>;
  problems: RowProblem[];
}

export function whereOf(row: { sheet?: string | undefined; row: number }): Where {
  return row.sheet === undefined ? { row: row.row } : { sheet: row.sheet, row: row.row };
}

/** `房屋 第 3 行 / 房屋 row 3`, in each language. */
function place(where: Where): { zh: string; en: string } {
  const sheet = where.sheet ? `${where.sheet} ` : '';
  return { zh: `${sheet}第 ${where.row} 行`, en: `${sheet}row ${where.row}` };
}

export function desiredRegistry(
  request: Pick<RegistryImport, 'units' | 'residents'>,
): DesiredRegistry {
  const problems: RowProblem[] = [];
  const report = (where: Where, field: string, code: string, message: string) =>
    problems.push({ ...where, field, code, message });

  const persons = new Map<string, DesiredPerson>();
  const person = (candidate: DesiredPerson): boolean => {
    const known = persons.get(candidate.personId);
    if (!known) {
      persons.set(candidate.personId, candidate);
      return true;
    }
    if (known.name !== candidate.name) {
      const at = place(known.where);
      report(
        candidate.where,
        candidate.field,
        'name-conflict',
        `编号 ${candidate.personId} 在${at.zh}的姓名是“${known.name}” / person ${candidate.personId} is named “${known.name}” on ${at.en}`,
      );
      return false;
    }
    return true;
  };

  const units: UnitRow[] = [];
  const unitRows = new Map<string, Where>();
  for (const unit of request.units) {
    const where = whereOf(unit);
    const first = unitRows.get(unit.unitId);
    if (first) {
      const at = place(first);
      report(
        where,
        'unitId',
        'duplicate-unit',
        `单元编号 ${unit.unitId} 重复（首次见于${at.zh}） / unit ${unit.unitId} is listed twice (first on ${at.en})`,
      );
      continue;
    }
    unitRows.set(unit.unitId, where);
    let ok = true;
    const ids = unit.owners.map((o) => o.personId);
    if (new Set(ids).size !== ids.length) {
      report(where, 'owners', 'duplicate-owner', '同一业主列了两次 / an owner is listed twice');
      ok = false;
    }
    if (unit.owners.length === 0 && !unit.developerUnsold) {
      report(
        where,
        'owners',
        'owner-required',
        '已售房屋须填写业主；开发商未售的房屋请在“开发商未售”填“是” / a sold unit needs an owner; mark units the developer has not sold',
      );
      ok = false;
    }
    unit.owners.forEach((owner, i) => {
      ok =
        person({
          personId: owner.personId,
          name: owner.name,
          where,
          field: `owners.${i}.name`,
        }) && ok;
    });
    if (ok) units.push(unit);
  }

  const residents: ResidentRow[] = [];
  const residentRows = new Map<string, Where>();
  const households = new Map<string, DesiredHousehold>();
  const groups = new Map<string, DesiredGroup>();
  for (const resident of request.residents) {
    const where = whereOf(resident);
    const first = residentRows.get(resident.personId);
    if (first) {
      const at = place(first);
      report(
        where,
        'personId',
        'duplicate-resident',
        `居民 ${resident.personId} 重复（首次见于${at.zh}） / resident ${resident.personId} is listed twice (first on ${at.en})`,
      );
      continue;
    }
    residentRows.set(resident.personId, where);
    let ok = true;
    if (resident.birthDate === undefined && resident.adult === undefined) {
      report(
        where,
        'birthDate',
        'age-required',
        '出生日期与是否成年至少填一项 / give the birth date or whether the resident is an adult',
      );
      ok = false;
    }
    // The person may already be known as an owner: same name, and the age is added.
    const known = persons.get(resident.personId);
    if (
      person({
        personId: resident.personId,
        name: resident.name,
        where,
        field: 'name',
      })
    ) {
      const merged = persons.get(resident.personId)!;
      if (resident.birthDate !== undefined) merged.birthDate = resident.birthDate;
      if (resident.adult !== undefined) merged.adult = resident.adult;
      if (known === undefined) merged.field = 'personId';
    } else {
      ok = false;
    }
    ok = household(resident, where) && ok;
    if (ok) residents.push(resident);
  }

  function household(resident: ResidentRow, where: Where): boolean {
    let ok = true;
    if (resident.groupId !== undefined) {
      const group = groups.get(resident.groupId);
      if (!group) {
        groups.set(resident.groupId, {
          groupId: resident.groupId,
          ...(resident.groupName === undefined ? {} : { name: resident.groupName }),
          where,
        });
      } else if (resident.groupName !== undefined) {
        if (group.name === undefined) group.name = resident.groupName;
        else if (group.name !== resident.groupName) {
          const at = place(group.where);
          report(
            where,
            'groupName',
            'group-conflict',
            `居民小组 ${group.groupId} 在${at.zh}的名称是“${group.name}” / group ${group.groupId} is named “${group.name}” on ${at.en}`,
          );
          ok = false;
        }
      }
    }
    const known = households.get(resident.householdId);
    if (!known) {
      households.set(resident.householdId, {
        householdId: resident.householdId,
        ...(resident.unitId === undefined ? {} : { unitId: resident.unitId }),
        ...(resident.address === undefined ? {} : { address: resident.address }),
        ...(resident.groupId === undefined ? {} : { groupId: resident.groupId }),
        where,
      });
      return ok;
    }
    const fields = [
      ['unitId', '房号', 'unit'],
      ['address', '地址', 'address'],
      ['groupId', '居民小组', 'resident group'],
    ] as const;
    for (const [field, zh, en] of fields) {
      const stated = resident[field];
      if (stated === undefined) continue;
      const before = known[field];
      if (before === undefined) {
        known[field] = stated;
      } else if (before !== stated) {
        const at = place(known.where);
        report(
          where,
          field,
          'household-conflict',
          `户 ${known.householdId} 在${at.zh}的${zh}是 ${before} / household ${known.householdId} has ${en} ${before} on ${at.en}`,
        );
        ok = false;
      }
    }
    return ok;
  }

  return { persons, units, residents, groups, households, problems };
}
