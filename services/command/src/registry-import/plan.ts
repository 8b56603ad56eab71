import {
  type Actor,
  type CommunityCommand,
  type CommunityEvent,
  type CommunityRegistry,
  type CommunityState,
  commandCatalog,
  communityDecider,
  type DomainErrorCode,
  isDomainError,
  pget,
  type UnitAreas,
} from '@yishi/domain';
import { type DesiredRegistry, type Where, whereOf } from './desired.ts';
import type { ChangeKind, RowProblem } from './rows.ts';

// From the desired registry to registry commands: only what differs becomes a command, so
// importing the same rows again plans nothing. The commands are then decided in order by the
// domain's decider against the evolving state; the decider, not this file, judges them.

type ImportCommandType =
  | 'RegisterPerson'
  | 'CorrectPerson'
  | 'CreateResidentGroup'
  | 'RegisterUnit'
  | 'CorrectUnitArea'
  | 'TransferUnit'
  | 'CreateHousehold'
  | 'AddResident'
  | 'MoveResident';

type DataOf<T extends ImportCommandType> = Extract<CommunityCommand, { type: T }>['data'];

/** A command the import needs, with the row and field it answers for. */
export type PlannedCommand = {
  [T in ImportCommandType]: {
    type: T;
    data: DataOf<T>;
    where: Where;
    field: string;
    change: ChangeKind;
    /** The person, unit, group or household it changes. */
    id: string;
  };
}[ImportCommandType];

export interface Plan {
  commands: PlannedCommand[];
  /** Differences no registry command can make (e.g. a unit's building). */
  problems: RowProblem[];
}

const kindZh = { home: '住宅', shop: '商铺', parking: '车位' } as const;

const sameAreas = (a: UnitAreas, b: UnitAreas) =>
  a.registryCentiM2 === b.registryCentiM2 &&
  a.surveyedCentiM2 === b.surveyedCentiM2 &&
  a.contractCentiM2 === b.contractCentiM2;

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((id) => b.includes(id));

export function planImport(
  registry: CommunityRegistry,
  desired: DesiredRegistry,
  documentRef: string,
): Plan {
  const commands: PlannedCommand[] = [];
  const problems: RowProblem[] = [];
  const cannotChange = (where: Where, field: string, zh: string, en: string, value: string) =>
    problems.push({
      ...where,
      field,
      code: 'cannot-change',
      message: `登记的${zh}是 ${value}，名册导入不能修改 / the registry has ${en} ${value}; an import cannot change it`,
    });
  const reason = `名册导入 registry import: ${documentRef}`.slice(0, 500);

  for (const p of desired.persons.values()) {
    const known = pget(registry.persons, p.personId);
    const base = { where: p.where, field: p.field, id: p.personId };
    if (!known) {
      commands.push({
        ...base,
        type: 'RegisterPerson',
        change: 'personsRegistered',
        data: {
          personId: p.personId,
          name: p.name,
          ...(p.birthDate === undefined ? {} : { birthDate: p.birthDate }),
          ...(p.adult === undefined ? {} : { adult: p.adult }),
        },
      });
      continue;
    }
    const correction = {
      ...(known.name === p.name ? {} : { name: p.name }),
      ...(p.birthDate === undefined || p.birthDate === known.birthDate
        ? {}
        : { birthDate: p.birthDate }),
      ...(p.adult === undefined || p.adult === known.adult ? {} : { adult: p.adult }),
    };
    if (Object.keys(correction).length > 0) {
      commands.push({
        ...base,
        type: 'CorrectPerson',
        change: 'personsCorrected',
        data: { personId: p.personId, ...correction, reason },
      });
    }
  }

  for (const g of desired.groups.values()) {
    const known = registry.groups[g.groupId];
    if (known) {
      if (g.name !== undefined && g.name !== known.name) {
        cannotChange(g.where, 'groupName', '居民小组名称', 'group name', known.name);
      }
      continue;
    }
    if (g.name === undefined) {
      problems.push({
        ...g.where,
        field: 'groupId',
        code: 'unknown-group',
        message: `居民小组 ${g.groupId} 未登记；填写居民小组名称即可新建 / resident group ${g.groupId} is not registered; give its name to create it`,
      });
      continue;
    }
    commands.push({
      type: 'CreateResidentGroup',
      change: 'residentGroupsCreated',
      data: { groupId: g.groupId, name: g.name },
      where: g.where,
      field: 'groupId',
      id: g.groupId,
    });
  }

  for (const u of desired.units) {
    const where = whereOf(u);
    const ownerIds = u.owners.map((o) => o.personId);
    const known = pget(registry.units, u.unitId);
    const base = { where, id: u.unitId };
    if (!known) {
      commands.push({
        ...base,
        type: 'RegisterUnit',
        change: 'unitsRegistered',
        field: 'unitId',
        data: {
          unitId: u.unitId,
          building: u.building,
          ...(u.entrance === undefined ? {} : { entrance: u.entrance }),
          ...(u.label === undefined ? {} : { label: u.label }),
          kind: u.kind,
          areas: u.areas,
          developerUnsold: u.developerUnsold,
          ownerIds,
        },
      });
      continue;
    }
    if (known.building !== u.building) {
      cannotChange(where, 'building', '楼栋', 'building', known.building);
    }
    if (u.entrance !== undefined && known.entrance !== u.entrance) {
      cannotChange(where, 'entrance', '单元', 'entrance', known.entrance ?? '（空 / none）');
    }
    if (u.label !== undefined && known.label !== u.label) {
      cannotChange(where, 'label', '门牌', 'label', known.label ?? '（空 / none）');
    }
    if (known.kind !== u.kind) {
      cannotChange(where, 'kind', '类型', 'kind', `${kindZh[known.kind]} (${known.kind})`);
    }
    if (!sameAreas(known.areas, u.areas)) {
      commands.push({
        ...base,
        type: 'CorrectUnitArea',
        change: 'unitAreasCorrected',
        field: 'areas',
        data: { unitId: u.unitId, areas: u.areas, documentRef },
      });
    }
    if (u.developerUnsold) {
      if (!known.developerUnsold) {
        problems.push({
          ...where,
          field: 'developerUnsold',
          code: 'cannot-change',
          message:
            '登记中该房屋已售出，不能改回开发商未售 / the registry records the unit as sold; it cannot return to the developer',
        });
      } else if (!sameSet(known.ownerIds, ownerIds)) {
        problems.push({
          ...where,
          field: 'owners',
          code: 'cannot-change',
          message:
            '开发商未售房屋的买受人不能由导入更改 / the buyer on record of an unsold unit cannot be changed by an import',
        });
      }
    } else if (known.developerUnsold || !sameSet(known.ownerIds, ownerIds)) {
      commands.push({
        ...base,
        type: 'TransferUnit',
        change: 'unitsTransferred',
        field: 'owners',
        data: {
          unitId: u.unitId,
          ownerIds,
          // The import does not know why the owners changed: handing over an unsold unit is
          // a delivery, any other difference a correction of the record.
          reason: known.developerUnsold ? 'delivery' : 'correction',
          documentRef,
        },
      });
    }
  }

  for (const h of desired.households.values()) {
    const known = pget(registry.households, h.householdId);
    if (!known) {
      commands.push({
        type: 'CreateHousehold',
        change: 'householdsCreated',
        data: {
          householdId: h.householdId,
          ...(h.groupId === undefined ? {} : { residentGroupId: h.groupId }),
          ...(h.unitId === undefined ? {} : { unitId: h.unitId }),
          ...(h.address === undefined ? {} : { address: h.address }),
        },
        where: h.where,
        field: 'householdId',
        id: h.householdId,
      });
      continue;
    }
    const none = '（空 / none）';
    if (h.unitId !== undefined && h.unitId !== known.unitId) {
      cannotChange(h.where, 'unitId', '户所在房号', 'household unit', known.unitId ?? none);
    }
    if (h.groupId !== undefined && h.groupId !== known.residentGroupId) {
      cannotChange(
        h.where,
        'groupId',
        '户所属居民小组',
        'household group',
        known.residentGroupId ?? none,
      );
    }
    if (h.address !== undefined && h.address !== known.address) {
      cannotChange(h.where, 'address', '户的地址', 'household address', known.address ?? none);
    }
  }

  for (const r of desired.residents) {
    const where = whereOf(r);
    const current = pget(registry.persons, r.personId)?.householdId;
    if (current === r.householdId) continue;
    const data = { personId: r.personId, householdId: r.householdId };
    const base = { where, field: 'householdId', id: r.personId, data };
    commands.push(
      current === undefined
        ? { ...base, type: 'AddResident', change: 'residentsAdded' }
        : { ...base, type: 'MoveResident', change: 'residentsMoved' },
    );
  }

  return { commands, problems };
}

export interface Decided {
  state: CommunityRegistry;
  events: { event: CommunityEvent; command: PlannedCommand }[];
  problems: RowProblem[];
}

const refusalZh: Partial<Record<DomainErrorCode, string>> = {
  'not-found': '登记中没有',
  'already-exists': '登记中已有',
  'not-authorised': '无权登记',
  'not-eligible': '不符合条件',
  'invalid-command': '不符合登记规则',
  'community-not-registered': '社区未登记',
};

/**
 * Decides the planned commands in order against the evolving registry, as one clerk at one
 * time. A refused command is reported on its row and the rest still decided, so one answer
 * lists every problem; any problem means nothing is appended.
 */
export function decideImport(
  registry: CommunityRegistry,
  commands: readonly PlannedCommand[],
  actor: Actor,
  at: string,
): Decided {
  let state: CommunityState = registry;
  const events: Decided['events'] = [];
  const problems: RowProblem[] = [];
  for (const planned of commands) {
    const parsed = commandCatalog[planned.type].schema.safeParse(planned.data);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push({
          ...planned.where,
          field: planned.field,
          code: 'invalid-command',
          message: `不符合登记规则 / ${planned.type}: ${issue.path.join('.')} ${issue.message}`,
        });
      }
      continue;
    }
    const command = { type: planned.type, data: parsed.data, actor, at } as CommunityCommand;
    const result = communityDecider.decide(command, state);
    if (isDomainError(result)) {
      problems.push({
        ...planned.where,
        field: planned.field,
        code: result.code,
        message: `${refusalZh[result.code] ?? '登记被拒绝'} / ${result.message}`,
      });
      continue;
    }
    for (const event of result) {
      state = communityDecider.evolve(state, event);
      events.push({ event, command: planned });
    }
  }
  return { state: state as CommunityRegistry, events, problems };
}
