import { describe, expect, it } from 'vitest';
import { eventCatalog } from '../catalog/events.ts';
import { personalFields, personalFieldsOf } from '../catalog/personal.ts';
import { type Actor, fold } from '../shared/decider.ts';
import { pget } from '../shared/pmap.ts';
import { commandsOf, day, history, specFor } from '../testing/spec.ts';
import {
  type CommunityCommand,
  type CommunityRegistry,
  communityDecider,
  communityEventSchemas,
  normalizePhone,
  Phone,
  RegisterPersonData,
} from './community.ts';
import { electorateFor } from './electorate.ts';

const admin: Actor = { personId: 'admin', role: 'admin' };
const clerk: Actor = { personId: 'clerk', role: 'clerk' };
const c = commandsOf<CommunityCommand>();
const spec = specFor(communityDecider, communityEventSchemas);

const given = history(communityDecider, [
  c('RegisterCommunity', { communityId: 'hp', name: '和平社区', kind: 'urban' }, admin, day(0)),
  c('RegisterPerson', { personId: 'clerk', name: '李文书', adult: true }, admin, day(0)),
  c('AppointClerk', { personId: 'clerk' }, admin, day(0)),
  c('RegisterPerson', { personId: 'chair', name: '主任', adult: true }, admin, day(0)),
  c(
    'RegisterPerson',
    { personId: 'qian', name: '钱多多', birthDate: '1961-02-03', phone: '+8613812345678' },
    clerk,
    day(0),
  ),
  c('RegisterPerson', { personId: 'teen', name: '少年', birthDate: '2009-06-01' }, clerk, day(0)),
  c('CreateHousehold', { householdId: 'h1' }, clerk, day(0)),
  c('AddResident', { personId: 'qian', householdId: 'h1' }, clerk, day(0)),
  c('AddResident', { personId: 'teen', householdId: 'h1' }, clerk, day(0)),
]);

const erase = (personId: string, approvedBy = 'chair', actor = clerk) =>
  c(
    'ErasePersonalData',
    {
      personId,
      legalBasis: { ground: 'consent-withdrawn' as const, explanation: '本人书面撤回同意' },
      approvedBy,
      documentRef: '删除申请2026-01号',
    },
    actor,
    day(2),
  );

const registry = (events: typeof given) => fold(communityDecider, events) as CommunityRegistry;

describe('phones', () => {
  it('registers a person with a mobile number in E.164', () => {
    const state = spec
      .given(given)
      .when(
        c(
          'RegisterPerson',
          { personId: 'li', name: '李', adult: true, phone: '+8613900000000' },
          clerk,
          day(1),
        ),
      )
      .thenState() as CommunityRegistry;
    expect(pget(state.persons, 'li')?.phone).toBe('+8613900000000');
  });

  it('accepts mainland mobiles and other E.164 numbers, refuses the rest', () => {
    for (const ok of ['+8613812345678', '+85291234567', '+14155550123']) {
      expect(Phone.safeParse(ok).success, ok).toBe(true);
    }
    for (const bad of ['13812345678', '+86010123456', '+8612812345678', '+0123', 'tel']) {
      expect(Phone.safeParse(bad).success, bad).toBe(false);
    }
    const refused = RegisterPersonData.safeParse({ personId: 'x', name: 'X', phone: '110' });
    expect(refused.error?.issues.map((i) => i.path.join('.'))).toEqual(['phone']);
  });

  it('normalises what people type', () => {
    expect(normalizePhone('138 1234 5678')).toBe('+8613812345678');
    expect(normalizePhone('+86-138-1234-5678')).toBe('+8613812345678');
    expect(normalizePhone('008613812345678')).toBe('+8613812345678');
    expect(normalizePhone('12345')).toBeUndefined();
  });
});

describe('erasure of personal data (PIPL Art. 47)', () => {
  it('records the ground, the approver, and whether the person was an adult', () => {
    spec
      .given(given)
      .when(erase('qian'))
      .then([
        {
          type: 'PersonalDataErased',
          data: {
            personId: 'qian',
            legalBasis: { ground: 'consent-withdrawn', explanation: '本人书面撤回同意' },
            approvedBy: 'chair',
            documentRef: '删除申请2026-01号',
            adult: true,
            at: day(2),
            by: clerk,
          },
        },
      ]);
  });

  it('forgets name, birth date and phone; keeps the person, household and adulthood', () => {
    const state = spec.given(given).when(erase('qian')).thenState() as CommunityRegistry;
    expect(pget(state.persons, 'qian')).toEqual({
      personId: 'qian',
      householdId: 'h1',
      adult: true,
      erased: true,
    });
    // The erased adult still counts in a residents' meeting.
    const { voters } = electorateFor(
      state,
      { kind: 'residents-meeting', form: 'all-adults' },
      day(3),
    );
    expect(voters.map((v) => v.voterId)).toContain('qian');
  });

  it('needs a clerk, a registered approver other than the recorder, and is done once', () => {
    const resident: Actor = { personId: 'qian', role: 'resident' };
    spec
      .given(given)
      .when(erase('qian', 'chair', resident))
      .thenRefused('not-authorised');
    spec.given(given).when(erase('qian', 'clerk')).thenRefused('invalid-command');
    spec.given(given).when(erase('qian', 'nobody')).thenRefused('not-found');
    spec.given(given).when(erase('ghost')).thenRefused('not-found');
    const erased = history(communityDecider, [erase('qian')], given);
    spec.given(erased).when(erase('qian')).thenRefused('personal-data-erased');
  });

  it('refuses personal data for an erased person again; `adult` may still be corrected', () => {
    const erased = history(communityDecider, [erase('teen')], given);
    expect(pget(registry(erased).persons, 'teen')).toMatchObject({ adult: false, erased: true });
    for (const change of [
      { name: '少年' },
      { birthDate: '2009-06-01' },
      { phone: '+8613800000000' },
    ]) {
      spec
        .given(erased)
        .when(c('CorrectPerson', { personId: 'teen', ...change, reason: 'r' }, clerk, day(3)))
        .thenRefused('personal-data-erased', { personId: 'teen' });
    }
    const state = spec
      .given(erased)
      .when(
        c('CorrectPerson', { personId: 'teen', adult: true, reason: '已满十八岁' }, clerk, day(3)),
      )
      .thenState() as CommunityRegistry;
    expect(pget(state.persons, 'teen')).toMatchObject({ adult: true, erased: true });
  });
});

describe('the personal fields declared', () => {
  it('cover every event field that holds a name of a person, a birth date or a phone', () => {
    const personal = new Set(['birthDate', 'phone']);
    for (const [type, definition] of Object.entries(eventCatalog)) {
      const shape = (definition.schema as { shape?: Record<string, unknown> }).shape ?? {};
      const declared = personalFieldsOf(type);
      for (const field of Object.keys(shape)) {
        if (personal.has(field)) expect(declared, `${type}.${field}`).toContain(field);
      }
      // A person's name: the events that register or correct a person.
      if ('personId' in shape && 'name' in shape) expect(declared, type).toContain('name');
    }
    expect(Object.keys(personalFields).sort()).toEqual(['PersonCorrected', 'PersonRegistered']);
  });
});
