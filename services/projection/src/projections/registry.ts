import type { CommunityEvent } from '@yishi/domain';
import type { RecordedEvent } from '@yishi/event-store';
import { applyThroughRows, type Projection } from './projection.ts';
import { createTemporalTable, TEXT_ARRAY, versionsIndexes } from './schema.ts';
import { eventTypesOf } from './streams.ts';
import { effectiveArea } from './summaries.ts';
import { type At, VersionedRows } from './temporal.ts';

// 社区名册: communities, their units, persons, households, resident groups, parties, proxies
// and procedure templates, every version kept for `asOf`. Persons' personal fields are kept as
// the events store them (sealed); the query routes open them for the roles that may read them.

function batchRows() {
  return {
    communities: new VersionedRows('communities', ['community_id']),
    units: new VersionedRows('units', ['community_id', 'unit_id']),
    persons: new VersionedRows('persons', ['community_id', 'person_id']),
    households: new VersionedRows('households', ['community_id', 'household_id']),
    groups: new VersionedRows('resident_groups', ['community_id', 'group_id']),
    parties: new VersionedRows('parties', ['community_id', 'party_id']),
    proxies: new VersionedRows('proxies', ['community_id', 'authorisation_id']),
    procedures: new VersionedRows('procedures', ['community_id', 'procedure_key']),
  };
}
type Rows = ReturnType<typeof batchRows>;

const without = (ids: readonly string[], id: string) => ids.filter((x) => x !== id);

function handle(rows: Rows, event: RecordedEvent, at: At): void {
  if (!event.streamId.startsWith('community-')) return;
  const cid = event.streamId.slice('community-'.length);
  const e = { type: event.type, data: event.data } as CommunityEvent;
  switch (e.type) {
    case 'CommunityRegistered':
      rows.communities.put(
        {
          community_id: cid,
          name: e.data.name,
          kind: e.data.kind,
          settings: e.data.settings,
          clerk_ids: [],
          registered_at: e.data.registeredAt,
          version: event.streamVersion,
        },
        at,
      );
      return;
    case 'CommunitySettingsChanged':
      rows.communities.update([cid], at, (c) => ({
        ...c,
        settings: e.data.settings,
        version: event.streamVersion,
      }));
      return;
    case 'ClerkAppointed':
      rows.communities.update([cid], at, (c) => ({
        ...c,
        clerk_ids: [...without(c.clerk_ids, e.data.personId), e.data.personId],
        version: event.streamVersion,
      }));
      return;
    case 'ClerkRevoked':
      rows.communities.update([cid], at, (c) => ({
        ...c,
        clerk_ids: without(c.clerk_ids, e.data.personId),
        version: event.streamVersion,
      }));
      return;
    case 'ProcedureDefined': {
      const p = e.data.procedure;
      const key = `${p.templateId}@${p.version}`;
      rows.procedures.put(
        {
          community_id: cid,
          procedure_key: key,
          template_id: p.templateId,
          procedure_version: p.version,
          name: p.name,
          stages: p.stages,
        },
        at,
      );
      return;
    }
    case 'PersonRegistered':
      rows.persons.put(
        {
          community_id: cid,
          person_id: e.data.personId,
          name: e.data.name ?? null,
          birth_date: e.data.birthDate ?? null,
          phone: e.data.phone ?? null,
          adult: e.data.adult ?? null,
          household_id: null,
          erased: false,
        },
        at,
      );
      return;
    case 'PersonCorrected':
      rows.persons.update([cid, e.data.personId], at, (p) => ({
        ...p,
        name: e.data.name ?? p.name,
        birth_date: e.data.birthDate ?? p.birth_date,
        phone: e.data.phone ?? p.phone,
        adult: e.data.adult ?? p.adult,
      }));
      return;
    case 'PersonalDataErased':
      // The sealed values could no longer be opened anyway; the row says so plainly.
      rows.persons.update([cid, e.data.personId], at, (p) => ({
        ...p,
        name: null,
        birth_date: null,
        phone: null,
        adult: e.data.adult ?? null,
        erased: true,
      }));
      return;
    case 'UnitRegistered':
      rows.units.put(
        {
          community_id: cid,
          unit_id: e.data.unitId,
          building: e.data.building,
          label: e.data.label ?? null,
          kind: e.data.kind,
          areas: e.data.areas as Record<string, number>,
          area_centi_m2: String(effectiveArea(e.data.areas)),
          developer_unsold: e.data.developerUnsold,
          owner_ids: e.data.ownerIds,
        },
        at,
      );
      return;
    case 'UnitAreaCorrected':
      rows.units.update([cid, e.data.unitId], at, (u) => ({
        ...u,
        areas: e.data.areas as Record<string, number>,
        area_centi_m2: String(effectiveArea(e.data.areas)),
      }));
      return;
    case 'UnitTransferred':
      rows.units.update([cid, e.data.unitId], at, (u) => ({
        ...u,
        owner_ids: e.data.ownerIds,
        developer_unsold: false,
      }));
      return;
    case 'ResidentGroupCreated':
      rows.groups.put(
        {
          community_id: cid,
          group_id: e.data.groupId,
          name: e.data.name,
          active: true,
          representative_ids: [],
        },
        at,
      );
      return;
    case 'ResidentGroupDissolved':
      rows.groups.update([cid, e.data.groupId], at, (g) => ({ ...g, active: false }));
      return;
    case 'GroupRepresentativeElected':
      rows.groups.update([cid, e.data.groupId], at, (g) => ({
        ...g,
        representative_ids: [...without(g.representative_ids, e.data.personId), e.data.personId],
      }));
      return;
    case 'GroupRepresentativeRemoved':
      rows.groups.update([cid, e.data.groupId], at, (g) => ({
        ...g,
        representative_ids: without(g.representative_ids, e.data.personId),
      }));
      return;
    case 'HouseholdCreated':
      rows.households.put(
        {
          community_id: cid,
          household_id: e.data.householdId,
          resident_group_id: e.data.residentGroupId ?? null,
          unit_id: e.data.unitId ?? null,
          address: e.data.address ?? null,
          active: true,
          representative_id: null,
        },
        at,
      );
      return;
    case 'HouseholdDissolved':
      rows.households.update([cid, e.data.householdId], at, (h) => ({ ...h, active: false }));
      return;
    case 'HouseholdRepresentativeDesignated':
      rows.households.update([cid, e.data.householdId], at, (h) => ({
        ...h,
        representative_id: e.data.personId,
      }));
      return;
    case 'ResidentAdded':
    case 'ResidentMoved':
      rows.persons.update([cid, e.data.personId], at, (p) => ({
        ...p,
        household_id: e.data.householdId,
      }));
      return;
    case 'ResidentRemoved': {
      rows.persons.update([cid, e.data.personId], at, (p) => ({ ...p, household_id: null }));
      rows.households.update([cid, e.data.householdId], at, (h) =>
        h.representative_id === e.data.personId ? { ...h, representative_id: null } : h,
      );
      return;
    }
    case 'PartyRegistered':
      rows.parties.put(
        {
          community_id: cid,
          party_id: e.data.partyId,
          kind: e.data.kind,
          name: e.data.name,
          active: true,
          representative_ids: [],
          member_ids: [],
        },
        at,
      );
      return;
    case 'PartyDissolved':
      rows.parties.update([cid, e.data.partyId], at, (p) => ({ ...p, active: false }));
      return;
    case 'PartyRepresentativeAppointed':
      rows.parties.update([cid, e.data.partyId], at, (p) => ({
        ...p,
        representative_ids: [...without(p.representative_ids, e.data.personId), e.data.personId],
      }));
      return;
    case 'PartyRepresentativeRevoked':
      rows.parties.update([cid, e.data.partyId], at, (p) => ({
        ...p,
        representative_ids: without(p.representative_ids, e.data.personId),
      }));
      return;
    case 'PartyMemberAdded':
      rows.parties.update([cid, e.data.partyId], at, (p) => ({
        ...p,
        member_ids: [...without(p.member_ids, e.data.personId), e.data.personId],
      }));
      return;
    case 'PartyMemberRemoved':
      rows.parties.update([cid, e.data.partyId], at, (p) => ({
        ...p,
        member_ids: without(p.member_ids, e.data.personId),
      }));
      return;
    case 'ProxyGranted':
      rows.proxies.put(
        {
          community_id: cid,
          authorisation_id: e.data.authorisationId,
          owner_id: e.data.ownerId,
          proxy_id: e.data.proxyId,
          proposal_id: e.data.proposalId,
          item_id: e.data.itemId,
          form: e.data.form,
          document_ref: e.data.documentRef ?? null,
          granted_at: e.data.at,
          active: true,
        },
        at,
      );
      return;
    case 'ProxyRevoked':
      rows.proxies.update([cid, e.data.authorisationId], at, (p) => ({ ...p, active: false }));
      return;
    default:
      // A type this version does not know: the registry has nothing to show for it.
      return;
  }
}

export const registryProjection: Projection = {
  name: 'registry',
  // 2: persons' phones, and erasure (PIPL); names and birth dates kept sealed as stored.
  version: 2,
  tables: [
    'communities',
    'units',
    'persons',
    'households',
    'resident_groups',
    'parties',
    'proxies',
    'procedures',
  ],
  migrations: {
    '2026-11-22-001-registry': {
      async up(db) {
        await createTemporalTable(
          db,
          'communities',
          ['community_id'],
          [
            ['name', 'text'],
            ['kind', 'text'],
            ['settings', 'json'],
            ['clerk_ids', TEXT_ARRAY],
            ['registered_at', 'text'],
            ['version', 'integer'],
          ],
        );
        await createTemporalTable(
          db,
          'units',
          ['community_id', 'unit_id'],
          [
            ['building', 'text'],
            ['label', 'text', 'null'],
            ['kind', 'text'],
            ['areas', 'json'],
            ['area_centi_m2', 'int8'],
            ['developer_unsold', 'boolean'],
            ['owner_ids', TEXT_ARRAY],
          ],
        );
        await createTemporalTable(
          db,
          'persons',
          ['community_id', 'person_id'],
          [
            ['name', 'text'],
            ['birth_date', 'text', 'null'],
            ['adult', 'boolean', 'null'],
            ['household_id', 'text', 'null'],
          ],
        );
        await createTemporalTable(
          db,
          'households',
          ['community_id', 'household_id'],
          [
            ['resident_group_id', 'text', 'null'],
            ['unit_id', 'text', 'null'],
            ['address', 'text', 'null'],
            ['active', 'boolean'],
            ['representative_id', 'text', 'null'],
          ],
        );
        await createTemporalTable(
          db,
          'resident_groups',
          ['community_id', 'group_id'],
          [
            ['name', 'text'],
            ['active', 'boolean'],
            ['representative_ids', TEXT_ARRAY],
          ],
        );
        await createTemporalTable(
          db,
          'parties',
          ['community_id', 'party_id'],
          [
            ['kind', 'text'],
            ['name', 'text'],
            ['active', 'boolean'],
            ['representative_ids', TEXT_ARRAY],
            ['member_ids', TEXT_ARRAY],
          ],
        );
        await createTemporalTable(
          db,
          'proxies',
          ['community_id', 'authorisation_id'],
          [
            ['owner_id', 'text'],
            ['proxy_id', 'text'],
            ['proposal_id', 'text'],
            ['item_id', 'text'],
            ['form', 'text'],
            ['document_ref', 'text', 'null'],
            ['granted_at', 'text'],
            ['active', 'boolean'],
          ],
        );
        await createTemporalTable(
          db,
          'procedures',
          ['community_id', 'procedure_key'],
          [
            ['template_id', 'text'],
            ['procedure_version', 'integer'],
            ['name', 'text'],
            ['stages', 'json'],
          ],
        );
      },
    },
    '2026-12-07-001-personal-data': {
      async up(db) {
        await db.schema
          .alterTable('persons')
          .alterColumn('name', (c) => c.dropNotNull())
          .execute();
        await db.schema.alterTable('persons').addColumn('phone', 'text').execute();
        await db.schema
          .alterTable('persons')
          .addColumn('erased', 'boolean', (c) => c.notNull().defaultTo(false))
          .execute();
      },
    },
  },
  concerns: (streamId) => streamId.startsWith('community-'),
  eventTypes: eventTypesOf('community'),
  indexes: (db) => versionsIndexes(db, batchRows()),
  apply: applyThroughRows(batchRows, handle),
};
