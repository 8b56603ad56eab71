// A realistic compound (小区) of 12 buildings, generated deterministically: homes with their
// registered areas, shops, parking spaces, developer units not yet sold, owners holding
// several units, households with residents, resident groups and the consultation parties.

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕秀珍玉兰桂兰晓东春梅金凤丽娟红梅淑珍国平文博雨涵子轩欣怡浩然梓涵诗琪宇航思远佳怡';

/** mulberry32: a small deterministic generator, so the demo is the same every time. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoPerson {
  personId: string;
  name: string;
  adult: boolean;
}
export interface DemoUnit {
  unitId: string;
  building: string;
  /** The entrance (单元) of a home: doors 1–4 the first, 5–8 the second. */
  entrance?: string;
  label: string;
  kind: 'home' | 'shop' | 'parking';
  areaCentiM2: number;
  developerUnsold: boolean;
  ownerIds: string[];
}
export interface DemoHousehold {
  householdId: string;
  groupId: string;
  unitId: string;
  address: string;
  residentIds: string[];
  representativeId: string;
}
export interface DemoParty {
  partyId: string;
  kind: string;
  name: string;
  representativeId: string;
}

export interface DemoCommunity {
  communityId: string;
  name: string;
  persons: DemoPerson[];
  units: DemoUnit[];
  households: DemoHousehold[];
  groups: { groupId: string; name: string; representativeIds: string[] }[];
  parties: DemoParty[];
  clerkId: string;
  conveners: string[];
  owners: string[];
}

export function generateCommunity(communityId = 'xfl'): DemoCommunity {
  const rnd = random(20261121);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const given = [...GIVEN];
  let nextPerson = 0;
  const persons: DemoPerson[] = [];
  const person = (adult = true): string => {
    const personId = `ps${String(++nextPerson).padStart(4, '0')}`;
    const name = pick([...SURNAMES]) + pick(given) + (rnd() < 0.5 ? pick(given) : '');
    persons.push({ personId, name, adult });
    return personId;
  };

  const units: DemoUnit[] = [];
  for (let b = 1; b <= 12; b++) {
    for (let floor = 1; floor <= 6; floor++) {
      for (let door = 1; door <= 8; door++) {
        const sizes = [6_812, 7_950, 8_936, 10_245, 12_088];
        units.push({
          unitId: `b${b}-${floor}0${door}`,
          building: `${b}号楼`,
          entrance: door <= 4 ? '1单元' : '2单元',
          label: `${b}号楼${floor}0${door}室`,
          kind: 'home',
          areaCentiM2: sizes[(door + floor) % sizes.length]!,
          developerUnsold: false,
          ownerIds: [],
        });
      }
    }
  }
  for (let s = 1; s <= 24; s++) {
    units.push({
      unitId: `shop-${s}`,
      building: s <= 12 ? '1号楼' : '2号楼',
      label: `底商${s}号`,
      kind: 'shop',
      areaCentiM2: 4_500 + (s % 5) * 1_210,
      developerUnsold: false,
      ownerIds: [],
    });
  }
  for (let p = 1; p <= 80; p++) {
    units.push({
      unitId: `park-${p}`,
      building: '地下车库',
      label: `车位P${String(p).padStart(3, '0')}`,
      kind: 'parking',
      areaCentiM2: 1_250,
      developerUnsold: false,
      ownerIds: [],
    });
  }
  // The developer has not sold 30 homes and 20 parking spaces: they count as one head.
  const homes = units.filter((u) => u.kind === 'home');
  for (const unit of homes.filter((_, i) => i % 19 === 7).slice(0, 30)) unit.developerUnsold = true;
  for (const unit of units.filter((u) => u.kind === 'parking').slice(60))
    unit.developerUnsold = true;

  const owners: string[] = [];
  const households: DemoHousehold[] = [];
  const groups = Array.from({ length: 12 }, (_, i) => ({
    groupId: `g${i + 1}`,
    name: `第${i + 1}居民小组（${i + 1}号楼）`,
    representativeIds: [] as string[],
  }));
  let previousOwner: string | undefined;
  const housed = new Set<string>();
  for (const unit of homes) {
    if (unit.developerUnsold) continue;
    // About one home in fourteen belongs to an owner who already owns another.
    const owner = previousOwner && rnd() < 0.07 ? previousOwner : person();
    if (owner !== previousOwner) owners.push(owner);
    unit.ownerIds = [owner];
    if (rnd() < 0.08) {
      const spouse = person();
      unit.ownerIds.push(spouse);
    }
    previousOwner = owner;
    // Occupied homes are households; some are let, so the residents are tenants.
    if (rnd() < 0.88) {
      const b = Number(unit.building.replace('号楼', ''));
      // An owner lives in one home: a second home is let to tenants.
      const let_ = rnd() < 0.12 || unit.ownerIds.some((o) => housed.has(o));
      const head = let_ ? person() : unit.ownerIds[0]!;
      const others = Array.from({ length: Math.floor(rnd() * 3) }, (_, k) =>
        person(k > 0 || rnd() < 0.6),
      );
      const residentIds = let_ ? [head, ...others] : [...unit.ownerIds, ...others];
      for (const id of residentIds) housed.add(id);
      households.push({
        householdId: `h-${unit.unitId}`,
        groupId: `g${b}`,
        unitId: unit.unitId,
        address: unit.label,
        residentIds,
        representativeId: head,
      });
    }
  }
  const homeOwners = [...owners];
  for (const unit of units) {
    if (unit.kind === 'home' || unit.developerUnsold) continue;
    const owner = unit.kind === 'shop' && rnd() < 0.5 ? person() : pick(homeOwners);
    if (!owners.includes(owner)) owners.push(owner);
    unit.ownerIds = [owner];
  }
  for (const group of groups) {
    const members = households.filter((h) => h.groupId === group.groupId);
    group.representativeIds = members.slice(0, 3).map((h) => h.representativeId);
  }
  const clerkId = person();
  const conveners = [person()];
  const parties: DemoParty[] = [
    {
      partyId: 'dw',
      kind: 'party-organisation',
      name: '幸福里社区党委',
      representativeId: person(),
    },
    {
      partyId: 'jwh',
      kind: 'residents-committee',
      name: '幸福里社区居民委员会',
      representativeId: person(),
    },
    {
      partyId: 'ywh',
      kind: 'owners-committee',
      name: '幸福里小区业主委员会',
      representativeId: pick(homeOwners),
    },
    {
      partyId: 'wy',
      kind: 'property-company',
      name: '安居物业服务有限公司',
      representativeId: person(),
    },
    { partyId: 'wsz', kind: 'resident-unit', name: '社区卫生服务站', representativeId: person() },
  ];
  return {
    communityId,
    name: '幸福里社区',
    persons,
    units,
    households,
    groups,
    parties,
    clerkId,
    conveners,
    owners,
  };
}
