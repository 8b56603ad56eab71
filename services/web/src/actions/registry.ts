import {
  builtInProcedures,
  ContactChannel,
  ErasureGround,
  normalizePhone,
  PartyKind,
  RemoveResidentData,
  TransferUnitData,
  UnitKind,
  WebhookEventKind,
} from '@yishi/domain';
import type { CommunityView, PersonName } from '@yishi/projection/contract';
import { type Html, h } from '../html.ts';
import { personLabel } from '../pages/page.ts';
import { checkbox, choiceGroup, type FormScope, selectField, textField } from '../views/forms.ts';
import type { Action, OnPage } from './action.ts';
import { defined, type FormFields, FormInputError, newId } from './form-fields.ts';

// The registry's forms (登记簿管理), for its clerks and administrators: persons, units,
// households, resident groups, parties, officers, proxies, settings, procedures and webhooks,
// one section of the registry page each. A field that names a person, a unit or a party is a
// choice among those the registry holds; households, groups and webhooks, which the read side
// does not list, are typed by id.

/** The sections of the registry page, in the page's order. */
export const registrySections = [
  'persons',
  'units',
  'households',
  'groups',
  'parties',
  'officers',
  'proxies',
  'settings',
  'procedures',
  'webhooks',
] as const;
export type RegistrySection = (typeof registrySections)[number];

/** What the query service lists of a unit (`GET …/units`). */
export interface UnitListing {
  unitId: string;
  building: string;
  label: string | null;
  ownerIds: string[];
}

export interface RegistryContext extends OnPage {
  community: CommunityView;
  persons: readonly PersonName[];
  units: readonly UnitListing[];
}

type Scope = FormScope;

/**
 * Beyond this many persons or units, a field is typed with suggestions from one list the page
 * holds once (a `<datalist>`), not a choice repeated in every form: a register of thousands
 * would make the page megabytes.
 */
const CHOICES_AT_MOST = 200;
const PERSON_LIST = 'registry-persons';
const UNIT_LIST = 'registry-units';

/** A typed field with the page's suggestions (`list`). */
function suggested(
  s: Scope,
  spec: { name: string; label: string; hint: string; list: string; required: boolean },
): Html {
  const id = s.fieldId(spec.name);
  const error = s.error(spec.name);
  const hintId = `${id}-hint`;
  const errorId = error ? `${id}-error` : undefined;
  return h`<div class="field">
  <label for="${id}">${spec.label}${spec.required ? h` <span class="muted">${s.ctx.tr.t('form.required')}</span>` : undefined}</label>
  <span class="hint" id="${hintId}">${spec.hint}</span>
  ${error ? h`<span class="error" id="${errorId}">${error}</span>` : undefined}
  <input id="${id}" name="${spec.name}" list="${spec.list}" autocomplete="off" value="${s.value(spec.name)}"${spec.required ? h` required` : undefined}${error ? h` aria-invalid="true"` : undefined} aria-describedby="${[hintId, errorId].filter(Boolean).join(' ')}">
</div>`;
}

/** The lists the typed fields suggest from, once per page, when the register is large. */
export function registryLists(c: RegistryContext): Html | undefined {
  const { tr } = c.page;
  const names = new Map(c.persons.map((p) => [p.personId, p.displayName]));
  return h`${
    c.persons.length > CHOICES_AT_MOST
      ? h`<datalist id="${PERSON_LIST}">${c.persons
          .filter((p) => !p.erased)
          .map(
            (p) => h`<option value="${p.personId}">${personLabel(tr, names, p.personId)}</option>`,
          )}</datalist>`
      : undefined
  }${
    c.units.length > CHOICES_AT_MOST
      ? h`<datalist id="${UNIT_LIST}">${c.units.map(
          (u) => h`<option value="${u.unitId}">${u.building} ${u.label ?? ''}</option>`,
        )}</datalist>`
      : undefined
  }`;
}
type Options = (readonly [string, string])[];

const none = (c: RegistryContext): Options => [['', c.page.tr.t('registry.choose')]];

function personOptions(c: RegistryContext, only?: readonly string[]): Options {
  const names = new Map(c.persons.map((p) => [p.personId, p.displayName]));
  const ids = only ?? c.persons.filter((p) => !p.erased).map((p) => p.personId);
  return [...none(c), ...ids.map((id) => [id, personLabel(c.page.tr, names, id)] as const)];
}

/** A choice of a registered person (or of `only` these, e.g. the clerks). */
function person(
  c: RegistryContext,
  s: Scope,
  name = 'personId',
  label = c.page.tr.t('registry.field.person'),
  only?: readonly string[],
): Html {
  if (!only && c.persons.length > CHOICES_AT_MOST) {
    const hint = c.page.tr.t('registry.field.typeToFind');
    return suggested(s, { name, label, hint, list: PERSON_LIST, required: true });
  }
  return selectField(s, { name, label, required: true }, personOptions(c, only));
}

/** Several persons (co-owners): a list box. */
function persons(c: RegistryContext, s: Scope, name: string, label: string): Html {
  if (c.persons.length > CHOICES_AT_MOST) {
    const hint = c.page.tr.t('registry.field.typeSeveral');
    return suggested(s, { name, label, hint, list: PERSON_LIST, required: false });
  }
  const id = s.fieldId(name);
  const chosen = new Set(s.values(name));
  const hintId = `${id}-hint`;
  return h`<div class="field">
  <label for="${id}">${label}</label>
  <span class="hint" id="${hintId}">${c.page.tr.t('registry.field.several')}</span>
  <select id="${id}" name="${name}" multiple size="4" aria-describedby="${hintId}">
  ${personOptions(c)
    .slice(1)
    .map(
      ([v, l]) => h`<option value="${v}"${chosen.has(v) ? h` selected` : undefined}>${l}</option>`,
    )}
  </select>
</div>`;
}

function unit(c: RegistryContext, s: Scope, required = true): Html {
  const { tr } = c.page;
  if (c.units.length > CHOICES_AT_MOST) {
    const hint = tr.t('registry.field.typeToFind');
    return suggested(s, {
      name: 'unitId',
      label: tr.t('registry.field.unit'),
      hint,
      list: UNIT_LIST,
      required,
    });
  }
  return selectField(s, { name: 'unitId', label: tr.t('registry.field.unit'), required }, [
    ...none(c),
    ...c.units.map(
      (u) => [u.unitId, `${u.building} ${u.label ?? ''} (${u.unitId})`.replace('  ', ' ')] as const,
    ),
  ]);
}

function party(c: RegistryContext, s: Scope): Html {
  return selectField(
    s,
    { name: 'partyId', label: c.page.tr.t('registry.field.party'), required: true },
    [
      ...none(c),
      ...c.community.parties
        .filter((p) => p.active)
        .map((p) => [p.partyId, `${p.name} (${p.partyId})`] as const),
    ],
  );
}

const text = (
  c: RegistryContext,
  s: Scope,
  name: string,
  key: Parameters<RegistryContext['page']['tr']['t']>[0],
  required = false,
  extra: Partial<Parameters<typeof textField>[1]> = {},
) => textField(s, { name, label: c.page.tr.t(key), required, ...extra });

const reason = (c: RegistryContext, s: Scope, required = true) =>
  text(c, s, 'reason', 'registry.field.reason', required);
const documentRef = (c: RegistryContext, s: Scope, required = false) =>
  text(c, s, 'documentRef', 'registry.field.documentRef', required, {
    hint: c.page.tr.t('registry.field.documentRef.hint'),
  });
const idField = (c: RegistryContext, s: Scope, name: string, key: Parameters<typeof text>[3]) =>
  text(c, s, name, key, true, { hint: c.page.tr.t('registry.field.id.hint') });

const options = (c: RegistryContext, group: string, values: readonly string[]): Options =>
  values.map((v) => [v, c.page.tr.lookup(`${group}.${v}`) ?? v] as const);

/** The persons chosen in a list box, or typed (ids separated by commas or spaces). */
const personIds = (f: FormFields, name: string): string[] =>
  f
    .all(name)
    .flatMap((v) => v.split(/[\s,，、;；]+/))
    .filter(Boolean);

/** 92.5 (m²) → 9250 (0.01 m²). */
function centiM2(f: FormFields, name: string): number {
  const value = f.text(name);
  if (!/^\d+(\.\d{1,2})?$/.test(value)) {
    throw new FormInputError(name, '面积：数字，最多两位小数 / an area in m², at most 2 decimals');
  }
  return Math.round(Number(value) * 100);
}

function phoneOf(f: FormFields): string | undefined {
  const typed = f.opt('phone');
  if (typed === undefined) return undefined;
  const phone = normalizePhone(typed);
  if (!phone) throw new FormInputError('phone', '请填写正确的手机号 / a valid mobile number');
  return phone;
}

/** `yes`/`no`/empty → true/false/undefined. */
function yesNo(f: FormFields, name: string): boolean | undefined {
  const v = f.text(name);
  return v === 'yes' ? true : v === 'no' ? false : undefined;
}

function yesNoField(c: RegistryContext, s: Scope, name: string, label: string): Html {
  const { tr } = c.page;
  return selectField(s, { name, label }, [
    ['', '—'],
    ['yes', tr.t('registry.yes')],
    ['no', tr.t('registry.no')],
  ]);
}

const always = () => true;
const hasPersons = (c: RegistryContext) => c.persons.length > 0;
const hasUnits = (c: RegistryContext) => c.units.length > 0;
const hasParties = (c: RegistryContext) => c.community.parties.some((p) => p.active);
const personAndId = (idName: string) => (f: FormFields) => ({
  [idName]: f.text(idName),
  personId: f.text('personId'),
});
const partyPerson = (f: FormFields) => ({
  partyId: f.text('partyId'),
  personId: f.text('personId'),
});

/** The registry page's forms, by the kebab name of their command (the service's route). */
export const registryActions = {
  // ---- persons ----
  'register-person': {
    command: 'RegisterPerson',
    place: 'persons',
    when: always,
    fields: (c, s) => h`${idField(c, s, 'personId', 'registry.field.personId')}
      ${text(c, s, 'name', 'registry.field.name', true)}
      <div class="row">${text(c, s, 'birthDate', 'registry.field.birthDate', false, { type: 'date' })}
      ${yesNoField(c, s, 'adult', c.page.tr.t('registry.field.adult'))}</div>
      ${text(c, s, 'phone', 'registry.field.phone', false, { autocomplete: 'off' })}`,
    build: (f) =>
      defined({
        personId: f.text('personId'),
        name: f.text('name'),
        birthDate: f.opt('birthDate'),
        adult: f.opt('birthDate') ? undefined : yesNo(f, 'adult'),
        phone: phoneOf(f),
      }),
  },
  'correct-person': {
    command: 'CorrectPerson',
    place: 'persons',
    when: hasPersons,
    folded: true,
    fields: (c, s) => h`${person(c, s)}
      ${text(c, s, 'name', 'registry.field.name')}
      <div class="row">${text(c, s, 'birthDate', 'registry.field.birthDate', false, { type: 'date' })}
      ${yesNoField(c, s, 'adult', c.page.tr.t('registry.field.adult'))}</div>
      ${text(c, s, 'phone', 'registry.field.phone', false, { autocomplete: 'off' })}
      ${reason(c, s)}`,
    build: (f) =>
      defined({
        personId: f.text('personId'),
        name: f.opt('name'),
        birthDate: f.opt('birthDate'),
        adult: yesNo(f, 'adult'),
        phone: phoneOf(f),
        reason: f.text('reason'),
      }),
  },
  'record-contact-consent': {
    command: 'RecordContactConsent',
    place: 'persons',
    when: hasPersons,
    folded: true,
    fields: (c, s) => h`${person(c, s)}
      ${choiceGroup(
        s,
        { name: 'channels', legend: c.page.tr.t('registry.field.channels'), multiple: true },
        options(c, 'registry.channel', ContactChannel.options),
      )}
      ${documentRef(c, s)}`,
    build: (f) =>
      defined({
        personId: f.text('personId'),
        channels: f.all('channels'),
        documentRef: f.opt('documentRef'),
      }),
  },
  'opt-out-of-reminders': {
    command: 'OptOutOfReminders',
    place: 'persons',
    when: hasPersons,
    folded: true,
    fields: (c, s) => person(c, s),
    build: (f) => ({ personId: f.text('personId') }),
  },
  'erase-personal-data': {
    command: 'ErasePersonalData',
    place: 'persons',
    when: hasPersons,
    folded: true,
    intro: (c) => h`<p class="muted">${c.page.tr.t('registry.erase.intro')}</p>`,
    fields: (c, s) => h`${person(c, s)}
      ${selectField(
        s,
        { name: 'ground', label: c.page.tr.t('registry.field.ground'), required: true },
        [...none(c), ...options(c, 'registry.ground', ErasureGround.options)],
      )}
      ${text(c, s, 'explanation', 'registry.field.explanation', true, { multiline: true })}
      ${person(c, s, 'approvedBy', c.page.tr.t('registry.field.approvedBy'))}
      ${documentRef(c, s)}`,
    build: (f) =>
      defined({
        personId: f.text('personId'),
        legalBasis: { ground: f.text('ground'), explanation: f.text('explanation') },
        approvedBy: f.text('approvedBy'),
        documentRef: f.opt('documentRef'),
      }),
  },
  // ---- units ----
  'register-unit': {
    command: 'RegisterUnit',
    place: 'units',
    when: always,
    fields: (c, s) => h`${idField(c, s, 'unitId', 'registry.field.unitId')}
      <div class="row">${text(c, s, 'building', 'registry.field.building', true)}
      ${text(c, s, 'entrance', 'registry.field.entrance')}
      ${text(c, s, 'label', 'registry.field.label')}</div>
      <div class="row">${selectField(
        s,
        { name: 'kind', label: c.page.tr.t('registry.field.unitKind'), required: true },
        options(c, 'registry.unitKind', UnitKind.options),
      )}
      ${text(c, s, 'area', 'registry.field.area', true, { inputmode: 'text' })}</div>
      ${persons(c, s, 'ownerIds', c.page.tr.t('registry.field.owners'))}
      ${checkbox(s, { name: 'developerUnsold', label: c.page.tr.t('registry.field.developerUnsold') })}`,
    build: (f) =>
      defined({
        unitId: f.text('unitId'),
        building: f.text('building'),
        entrance: f.opt('entrance'),
        label: f.opt('label'),
        kind: f.text('kind'),
        areas: { registryCentiM2: centiM2(f, 'area') },
        developerUnsold: f.bool('developerUnsold'),
        ownerIds: personIds(f, 'ownerIds'),
      }),
  },
  'correct-unit-area': {
    command: 'CorrectUnitArea',
    place: 'units',
    when: hasUnits,
    folded: true,
    fields: (c, s) => h`${unit(c, s)}
      <div class="row">${selectField(
        s,
        { name: 'areaKind', label: c.page.tr.t('registry.field.areaKind'), required: true },
        options(c, 'registry.areaKind', ['registryCentiM2', 'surveyedCentiM2', 'contractCentiM2']),
      )}
      ${text(c, s, 'area', 'registry.field.area', true)}</div>
      ${documentRef(c, s, true)}`,
    build: (f) => {
      const kind = f.text('areaKind');
      if (!['registryCentiM2', 'surveyedCentiM2', 'contractCentiM2'].includes(kind)) {
        throw new FormInputError('areaKind', 'choose which area');
      }
      return {
        unitId: f.text('unitId'),
        areas: { [kind]: centiM2(f, 'area') },
        documentRef: f.text('documentRef'),
      };
    },
  },
  'transfer-unit': {
    command: 'TransferUnit',
    place: 'units',
    when: (c) => hasUnits(c) && hasPersons(c),
    folded: true,
    fields: (c, s) => h`${unit(c, s)}
      ${persons(c, s, 'ownerIds', c.page.tr.t('registry.field.newOwners'))}
      ${selectField(
        s,
        { name: 'reason', label: c.page.tr.t('registry.field.transferReason'), required: true },
        options(c, 'registry.transfer', TransferUnitData.shape.reason.options),
      )}
      ${documentRef(c, s, true)}`,
    build: (f) => ({
      unitId: f.text('unitId'),
      ownerIds: personIds(f, 'ownerIds'),
      reason: f.text('reason'),
      documentRef: f.text('documentRef'),
    }),
  },
  // ---- households ----
  'create-household': {
    command: 'CreateHousehold',
    place: 'households',
    when: always,
    fields: (c, s) => h`${idField(c, s, 'householdId', 'registry.field.householdId')}
      ${text(c, s, 'residentGroupId', 'registry.field.groupIdOptional')}
      ${unit(c, s, false)}
      ${text(c, s, 'address', 'registry.field.address')}`,
    build: (f) =>
      defined({
        householdId: f.text('householdId'),
        residentGroupId: f.opt('residentGroupId'),
        unitId: f.opt('unitId'),
        address: f.opt('address'),
      }),
  },
  'add-resident': {
    command: 'AddResident',
    place: 'households',
    when: hasPersons,
    fields: (c, s) =>
      h`<div class="row">${person(c, s)}${text(c, s, 'householdId', 'registry.field.householdId', true)}</div>`,
    build: personAndId('householdId'),
  },
  'designate-household-representative': {
    command: 'DesignateHouseholdRepresentative',
    place: 'households',
    when: hasPersons,
    folded: true,
    fields: (c, s) =>
      h`<div class="row">${text(c, s, 'householdId', 'registry.field.householdId', true)}${person(c, s)}</div>`,
    build: personAndId('householdId'),
  },
  'move-resident': {
    command: 'MoveResident',
    place: 'households',
    when: hasPersons,
    folded: true,
    fields: (c, s) =>
      h`<div class="row">${person(c, s)}${text(c, s, 'householdId', 'registry.field.newHouseholdId', true)}</div>`,
    build: personAndId('householdId'),
  },
  'remove-resident': {
    command: 'RemoveResident',
    place: 'households',
    when: hasPersons,
    folded: true,
    fields: (c, s) => h`${person(c, s)}
      ${selectField(
        s,
        { name: 'reason', label: c.page.tr.t('registry.field.reason'), required: true },
        options(c, 'registry.leaving', RemoveResidentData.shape.reason.options),
      )}`,
    build: (f) => ({ personId: f.text('personId'), reason: f.text('reason') }),
  },
  'dissolve-household': {
    command: 'DissolveHousehold',
    place: 'households',
    when: always,
    folded: true,
    fields: (c, s) =>
      h`${text(c, s, 'householdId', 'registry.field.householdId', true)}${reason(c, s)}`,
    build: (f) => ({ householdId: f.text('householdId'), reason: f.text('reason') }),
  },
  // ---- resident groups ----
  'create-resident-group': {
    command: 'CreateResidentGroup',
    place: 'groups',
    when: always,
    fields: (c, s) =>
      h`<div class="row">${idField(c, s, 'groupId', 'registry.field.groupId')}${text(c, s, 'name', 'registry.field.groupName', true)}</div>`,
    build: (f) => ({ groupId: f.text('groupId'), name: f.text('name') }),
  },
  'elect-group-representative': {
    command: 'ElectGroupRepresentative',
    place: 'groups',
    when: hasPersons,
    folded: true,
    fields: (c, s) =>
      h`<div class="row">${text(c, s, 'groupId', 'registry.field.groupId', true)}${person(c, s)}</div>${documentRef(c, s)}`,
    build: (f) =>
      defined({
        groupId: f.text('groupId'),
        personId: f.text('personId'),
        documentRef: f.opt('documentRef'),
      }),
  },
  'remove-group-representative': {
    command: 'RemoveGroupRepresentative',
    place: 'groups',
    when: hasPersons,
    folded: true,
    fields: (c, s) =>
      h`<div class="row">${text(c, s, 'groupId', 'registry.field.groupId', true)}${person(c, s)}</div>${reason(c, s)}`,
    build: (f) => ({
      groupId: f.text('groupId'),
      personId: f.text('personId'),
      reason: f.text('reason'),
    }),
  },
  'dissolve-resident-group': {
    command: 'DissolveResidentGroup',
    place: 'groups',
    when: always,
    folded: true,
    fields: (c, s) => h`${text(c, s, 'groupId', 'registry.field.groupId', true)}${reason(c, s)}`,
    build: (f) => ({ groupId: f.text('groupId'), reason: f.text('reason') }),
  },
  // ---- parties ----
  'register-party': {
    command: 'RegisterParty',
    place: 'parties',
    when: always,
    fields: (c, s) => h`<div class="row">${idField(c, s, 'partyId', 'registry.field.partyId')}
      ${selectField(
        s,
        { name: 'kind', label: c.page.tr.t('registry.field.partyKind'), required: true },
        PartyKind.options.map((k) => [k, c.page.tr.label('partyKind', k)] as const),
      )}</div>
      ${text(c, s, 'name', 'registry.field.partyName', true)}`,
    build: (f) => ({ partyId: f.text('partyId'), kind: f.text('kind'), name: f.text('name') }),
  },
  'appoint-party-representative': {
    command: 'AppointPartyRepresentative',
    place: 'parties',
    when: (c) => hasParties(c) && hasPersons(c),
    fields: (c, s) => h`<div class="row">${party(c, s)}${person(c, s)}</div>`,
    build: partyPerson,
  },
  'add-party-member': {
    command: 'AddPartyMember',
    place: 'parties',
    when: (c) => hasParties(c) && hasPersons(c),
    folded: true,
    fields: (c, s) => h`<div class="row">${party(c, s)}${person(c, s)}</div>`,
    build: partyPerson,
  },
  'revoke-party-representative': {
    command: 'RevokePartyRepresentative',
    place: 'parties',
    when: (c) => c.community.parties.some((p) => p.active && p.representativeIds.length > 0),
    folded: true,
    fields: (c, s) =>
      h`<div class="row">${party(c, s)}${person(
        c,
        s,
        'personId',
        undefined,
        c.community.parties.flatMap((p) => p.representativeIds),
      )}</div>`,
    build: partyPerson,
  },
  'remove-party-member': {
    command: 'RemovePartyMember',
    place: 'parties',
    when: (c) => c.community.parties.some((p) => p.active && p.memberIds.length > 0),
    folded: true,
    fields: (c, s) =>
      h`<div class="row">${party(c, s)}${person(
        c,
        s,
        'personId',
        undefined,
        c.community.parties.flatMap((p) => p.memberIds),
      )}</div>`,
    build: partyPerson,
  },
  'dissolve-party': {
    command: 'DissolveParty',
    place: 'parties',
    when: hasParties,
    folded: true,
    fields: (c, s) => h`${party(c, s)}${reason(c, s)}`,
    build: (f) => ({ partyId: f.text('partyId'), reason: f.text('reason') }),
  },
  // ---- officers: clerks and treasurers ----
  'appoint-clerk': {
    command: 'AppointClerk',
    place: 'officers',
    when: hasPersons,
    fields: (c, s) => person(c, s),
    build: (f) => ({ personId: f.text('personId') }),
  },
  'revoke-clerk': {
    command: 'RevokeClerk',
    place: 'officers',
    when: (c) => c.community.clerkIds.length > 0,
    folded: true,
    fields: (c, s) => person(c, s, 'personId', undefined, c.community.clerkIds),
    build: (f) => ({ personId: f.text('personId') }),
  },
  'appoint-treasurer': {
    command: 'AppointTreasurer',
    place: 'officers',
    when: hasPersons,
    folded: true,
    fields: (c, s) => person(c, s),
    build: (f) => ({ personId: f.text('personId') }),
  },
  'revoke-treasurer': {
    command: 'RevokeTreasurer',
    place: 'officers',
    when: hasPersons,
    folded: true,
    fields: (c, s) => person(c, s),
    build: (f) => ({ personId: f.text('personId') }),
  },
  // ---- proxies (委托投票) entered from paper ----
  'grant-proxy': {
    command: 'GrantProxy',
    place: 'proxies',
    when: hasPersons,
    fields: (
      c,
      s,
    ) => h`<div class="row">${person(c, s, 'ownerId', c.page.tr.t('registry.field.owner'))}
      ${person(c, s, 'proxyId', c.page.tr.t('registry.field.proxy'))}</div>
      <div class="row">${text(c, s, 'proposalId', 'registry.field.proposalId', true)}
      ${text(c, s, 'itemId', 'registry.field.itemId', true)}</div>
      ${text(c, s, 'instructions', 'registry.field.instructions', false, { multiline: true })}
      ${documentRef(c, s, true)}`,
    build: (f) =>
      defined({
        authorisationId: newId('pa'),
        ownerId: f.text('ownerId'),
        proxyId: f.text('proxyId'),
        proposalId: f.text('proposalId'),
        itemId: f.text('itemId'),
        instructions: f.opt('instructions'),
        documentRef: f.opt('documentRef'),
      }),
  },
  'revoke-proxy': {
    command: 'RevokeProxy',
    place: 'proxies',
    when: always,
    folded: true,
    fields: (c, s) =>
      h`${text(c, s, 'authorisationId', 'registry.field.authorisationId', true)}${reason(c, s, false)}`,
    build: (f) => defined({ authorisationId: f.text('authorisationId'), reason: f.opt('reason') }),
  },
  // ---- settings, with the statute provision behind them ----
  'change-community-settings': {
    command: 'ChangeCommunitySettings',
    place: 'settings',
    when: always,
    fields: (c, s) => {
      const { tr } = c.page;
      const now = c.community.settings;
      return h`<div class="row">${text(c, s, 'proxyLimit', 'registry.field.proxyLimit', true, { type: 'number', min: 1, max: 100, value: String(now.proxyLimit) })}
      ${text(c, s, 'reminderDaysBeforeClose', 'registry.field.reminderDays', false, { type: 'number', min: 0, max: 60, value: now.reminderDaysBeforeClose === undefined ? '' : String(now.reminderDaysBeforeClose) })}</div>
      ${checkbox(s, { name: 'parkingSpacesVote', label: tr.t('registry.field.parkingSpacesVote'), checked: now.parkingSpacesVote })}
      ${checkbox(s, { name: 'deemedConsent', label: tr.t('registry.field.deemedConsent'), checked: now.deemedConsent })}
      ${text(c, s, 'deemedConsentStatuteRef', 'registry.field.statuteRef', false, { hint: tr.t('registry.field.statuteRef.hint'), value: now.deemedConsentStatuteRef ?? '' })}
      ${text(c, s, 'developerId', 'registry.field.developerId', true, { hint: tr.t('registry.field.developerId.hint'), value: now.developerId })}`;
    },
    build: (f) =>
      defined({
        proxyLimit: f.int('proxyLimit'),
        reminderDaysBeforeClose: f.int('reminderDaysBeforeClose', false),
        parkingSpacesVote: f.bool('parkingSpacesVote'),
        deemedConsent: f.bool('deemedConsent'),
        deemedConsentStatuteRef: f.opt('deemedConsentStatuteRef'),
        developerId: f.text('developerId'),
      }),
  },
  // ---- procedures: a new version of a template ----
  'define-procedure': {
    command: 'DefineProcedure',
    place: 'procedures',
    when: always,
    fields: (c, s) => {
      const { tr } = c.page;
      const current = c.community.procedures.at(-1) ?? builtInProcedures['community-consultation'];
      return h`<div class="row">${text(c, s, 'templateId', 'registry.field.templateId', true, { hint: tr.t('registry.field.templateId.hint'), value: current.templateId })}
      ${text(c, s, 'name', 'registry.field.procedureName', true, { value: current.name })}</div>
      ${text(c, s, 'stages', 'registry.field.stages', true, { multiline: true, hint: tr.t('registry.field.stages.hint'), value: JSON.stringify(current.stages, null, 1) })}`;
    },
    build: (f) => {
      let stages: unknown;
      try {
        stages = JSON.parse(f.text('stages'));
      } catch {
        throw new FormInputError('stages', 'JSON: 阶段列表 / a JSON list of stages');
      }
      return { templateId: f.text('templateId'), name: f.text('name'), stages };
    },
  },
  // ---- webhooks: the community's gateways ----
  'configure-webhook': {
    command: 'ConfigureWebhook',
    place: 'webhooks',
    when: always,
    fields: (c, s) => h`${idField(c, s, 'webhookId', 'registry.field.webhookId')}
      ${text(c, s, 'url', 'registry.field.url', true, { hint: c.page.tr.t('registry.field.url.hint') })}
      ${choiceGroup(
        s,
        {
          name: 'events',
          legend: c.page.tr.t('registry.field.events'),
          multiple: true,
          required: true,
        },
        options(c, 'registry.webhookEvent', WebhookEventKind.options),
      )}
      ${text(c, s, 'description', 'registry.field.description')}`,
    build: (f) =>
      defined({
        webhookId: f.text('webhookId'),
        url: f.text('url'),
        events: f.all('events'),
        description: f.opt('description'),
      }),
  },
  'remove-webhook': {
    command: 'RemoveWebhook',
    place: 'webhooks',
    when: always,
    folded: true,
    fields: (c, s) =>
      h`${text(c, s, 'webhookId', 'registry.field.webhookId', true)}${reason(c, s)}`,
    build: (f) => ({ webhookId: f.text('webhookId'), reason: f.text('reason') }),
  },
} satisfies Record<string, Action<RegistryContext, RegistrySection>>;
