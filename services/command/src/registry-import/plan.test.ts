import {
  type CommunityCommand,
  type CommunityRegistry,
  type CommunityState,
  communityDecider,
  isDomainError,
} from '@yishi/domain';
import { describe, expect, it } from 'vitest';
import { desiredRegistry } from './desired.ts';
import { decideImport, planImport } from './plan.ts';
import type { RegistryImportInput, ResidentRow, UnitRow } from './rows.ts';

// Planning against a registry: only differences become commands, and differences no registry
// command can make are problems on their row. Given these registry commands, when these
// rows, then these commands (or problems).

const admin = { personId: 'adm', role: 'admin' } as const;
const at = '2026-05-01T08:00:00.000Z';

type Given = Omit<CommunityCommand, 'actor' | 'at'>;

function registryOf(...commands: Given[]): CommunityRegistry {
  let state: CommunityState = communityDecider.initialState();
  const all = [
    { type: 'RegisterCommunity', data: { communityId: 'c1', name: '幸福里', kind: 'urban' } },
    ...commands,
  ] as Given[];
  for (const command of all) {
    const events = communityDecider.decide(
      { ...command, actor: admin, at } as CommunityCommand,
      state,
    );
    if (isDomainError(events)) throw events;
    for (const event of events) state = communityDecider.evolve(state, event);
  }
  return state as CommunityRegistry;
}

const person = (personId: string, name: string, extra: object = {}): Given =>
  ({ type: 'RegisterPerson', data: { personId, name, ...extra } }) as Given;

const unit = (over: Partial<UnitRow> = {}): UnitRow => ({
  sheet: '房屋',
  row: 2,
  unitId: 'u1',
  building: '3号楼',
  kind: 'home',
  areas: { registryCentiM2: 8825 },
  developerUnsold: false,
  owners: [{ personId: 'p1', name: '张伟' }],
  ...over,
});

const resident = (over: Partial<ResidentRow> = {}): ResidentRow => ({
  sheet: '居民',
  row: 2,
  personId: 'p1',
  name: '张伟',
  adult: true,
  householdId: 'h1',
  ...over,
});

function plan(registry: CommunityRegistry, rows: Pick<RegistryImportInput, 'units' | 'residents'>) {
  const desired = desiredRegistry({ units: rows.units ?? [], residents: rows.residents ?? [] });
  expect(desired.problems).toEqual([]);
  return planImport(registry, desired, '名册.xlsx');
}

const registered = registryOf(
  person('p1', '张伟', { birthDate: '1975-04-12' }),
  person('p2', '王芳'),
  {
    type: 'RegisterUnit',
    data: {
      unitId: 'u1',
      building: '3号楼',
      kind: 'home',
      areas: { registryCentiM2: 8825 },
      developerUnsold: false,
      ownerIds: ['p1'],
    },
  } as Given,
  {
    type: 'RegisterUnit',
    data: {
      unitId: 'u2',
      building: '3号楼',
      kind: 'home',
      areas: { registryCentiM2: 9010 },
      developerUnsold: true,
      ownerIds: ['p2'],
    },
  } as Given,
  { type: 'CreateResidentGroup', data: { groupId: 'g1', name: '第一居民小组' } } as Given,
  {
    type: 'CreateHousehold',
    data: { householdId: 'h1', unitId: 'u1', residentGroupId: 'g1' },
  } as Given,
  { type: 'AddResident', data: { personId: 'p1', householdId: 'h1' } } as Given,
);

describe('planning an import against the registry', () => {
  it('rows that match the registry plan nothing', () => {
    const result = plan(registered, {
      units: [
        unit(),
        unit({
          row: 3,
          unitId: 'u2',
          areas: { registryCentiM2: 9010 },
          developerUnsold: true,
          owners: [{ personId: 'p2', name: '王芳' }],
        }),
      ],
      residents: [
        resident({ birthDate: '1975-04-12', adult: undefined, groupId: 'g1', unitId: 'u1' }),
      ],
    });
    expect(result).toEqual({ commands: [], problems: [] });
  });

  it('corrects only the fields the rows state and that differ', () => {
    const { commands } = plan(registered, {
      residents: [resident({ name: '张 伟', adult: true })],
    });
    expect(commands.map((c) => [c.type, c.data])).toEqual([
      [
        'CorrectPerson',
        {
          personId: 'p1',
          name: '张 伟',
          adult: true,
          reason: '名册导入 registry import: 名册.xlsx',
        },
      ],
    ]);
  });

  it('an unsold unit handed to its buyer is a delivery; other owner changes are corrections', () => {
    const { commands } = plan(registered, {
      units: [
        unit({ owners: [{ personId: 'p2', name: '王芳' }] }),
        unit({
          row: 3,
          unitId: 'u2',
          areas: { registryCentiM2: 9010 },
          owners: [{ personId: 'p2', name: '王芳' }],
        }),
      ],
    });
    expect(commands.map((c) => [c.type, c.id, 'reason' in c.data ? c.data.reason : ''])).toEqual([
      ['TransferUnit', 'u1', 'correction'],
      ['TransferUnit', 'u2', 'delivery'],
    ]);
  });

  it('reports what no registry command can change, on its row and field', () => {
    const { problems } = plan(registered, {
      units: [
        unit({ building: '5号楼', entrance: '2单元', kind: 'shop', developerUnsold: true }),
        unit({
          row: 3,
          unitId: 'u2',
          areas: { registryCentiM2: 9010 },
          developerUnsold: true,
          owners: [{ personId: 'p1', name: '张伟' }],
        }),
      ],
      residents: [
        resident({ unitId: 'u2', groupId: 'g1', groupName: '第二居民小组' }),
        resident({ row: 3, personId: 'p9', name: '赵九', householdId: 'h9', groupId: 'g9' }),
      ],
    });
    expect(problems.map(({ row, field, code }) => [row, field, code])).toEqual([
      [2, 'groupName', 'cannot-change'],
      [3, 'groupId', 'unknown-group'],
      [2, 'building', 'cannot-change'],
      [2, 'entrance', 'cannot-change'],
      [2, 'kind', 'cannot-change'],
      [2, 'developerUnsold', 'cannot-change'],
      [3, 'owners', 'cannot-change'],
      [2, 'unitId', 'cannot-change'],
    ]);
    expect(problems[4]!.message).toContain('登记的类型是 住宅 (home)');
  });

  it('decides new persons before the units they own, households before their residents', () => {
    const { commands } = plan(registered, {
      units: [unit({ unitId: 'u3', owners: [{ personId: 'p3', name: '李娜' }] })],
      residents: [
        resident({
          personId: 'p3',
          name: '李娜',
          householdId: 'h3',
          unitId: 'u3',
          groupId: 'g2',
          groupName: '第二居民小组',
        }),
      ],
    });
    expect(commands.map((c) => c.type)).toEqual([
      'RegisterPerson',
      'CreateResidentGroup',
      'RegisterUnit',
      'CreateHousehold',
      'AddResident',
    ]);
    const decided = decideImport(registered, commands, admin, at);
    expect(decided.problems).toEqual([]);
    expect(decided.events.map((e) => e.event.type)).toEqual([
      'PersonRegistered',
      'ResidentGroupCreated',
      'UnitRegistered',
      'HouseholdCreated',
      'ResidentAdded',
    ]);
  });

  it('the rules judge every command: an unappointed clerk is refused on every row', () => {
    const { commands } = plan(registered, { units: [unit({ unitId: 'u4' })] });
    const decided = decideImport(registered, commands, { personId: 'k9', role: 'clerk' }, at);
    expect(decided.events).toEqual([]);
    expect(decided.problems).toEqual([
      {
        sheet: '房屋',
        row: 2,
        field: 'unitId',
        code: 'not-authorised',
        message: '无权登记 / only an appointed clerk keeps the registry',
      },
    ]);
  });
});
