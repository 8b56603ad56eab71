import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { proposalsProjection } from '../projections/proposals.ts';
import { dropGeneration, type Generation, startBuilding } from '../runtime/generations.ts';
import type { Database } from '../tables.ts';
import { decisionsAsOf, proposalsAsOf } from './states.ts';

// A generation of proposals before version 4 keeps where a proposal and a decision stand in
// their own rows; version 4 in proposal_states and decision_states. Queries read either.

let db: Kysely<Database>;
let generation: Generation;

beforeAll(async () => {
  db = createDb(await testDatabaseUrl(), 4);
  await migrateReadModels(db);
  generation = await startBuilding(db, proposalsProjection, { fresh: true });
});
afterAll(async () => {
  await dropGeneration(db, generation);
  await db.destroy();
});

const validity = (pos: number) => ({
  valid_from_tx: '1',
  valid_from_pos: String(pos),
  valid_to_tx: null,
  valid_to_pos: null,
  recorded_at: '2026-12-05T00:00:00Z',
});

const content = {
  community_id: 'c1',
  title: '加装电梯',
  description: '',
  procedure_template: 'owners',
  procedure_version: 1,
  procedure_name: '业主共同决定',
  stages: '[]',
  items: '[]',
  on_behalf_of_party_id: null,
  submitted_by: 'p1',
  submitted_role: 'owner',
  submitted_at: '2026-12-01T00:00:00Z',
};

const decision = {
  community_id: 'c1',
  title: '加装电梯',
  procedure_template: 'owners',
  stage_id: 'vote',
  outcome: 'adopted',
  decided_at: '2026-12-02T00:00:00Z',
  decided_by: 'clerk',
  items: '[]',
  history: '[]',
};

describe('proposals and decisions as they stand', () => {
  it('reads a generation of version 4 from the states tables and an earlier one from its rows', async () => {
    const rm = db.withSchema(generation.schema);
    // Version 4: content and state apart.
    await rm
      .insertInto('proposals')
      .values({ ...content, proposal_id: 'v4', ...validity(1) })
      .execute();
    await rm
      .insertInto('proposal_states')
      .values({
        community_id: 'c1',
        proposal_id: 'v4',
        status: 'active',
        stage_id: 'vote',
        stage_kind: 'voting',
        concerned_party_ids: [],
        agenda_session_id: null,
        next_stage_from: null,
        vote_id: 'v1',
        outcome: null,
        decided_at: null,
        published_at: null,
        publication_ends_at: null,
        implementation_due_at: null,
        progress_percent: null,
        withdrawn_reason: null,
        updated_at: '2026-12-03T00:00:00Z',
        ...validity(2),
      })
      .execute();
    // Before version 4: the state in the proposal's own row (columns kysely's types no longer have).
    const t = sql.table(`${generation.schema}.proposals`);
    await sql`INSERT INTO ${t} (community_id, proposal_id, title, description, procedure_template,
        procedure_version, procedure_name, stages, items, submitted_by, submitted_role,
        submitted_at, status, stage_id, stage_kind, concerned_party_ids, vote_id, updated_at,
        valid_from_tx, valid_from_pos, recorded_at)
      VALUES ('c1', 'v3', '旧', '', 'owners', 1, '业主共同决定', '[]', '[]', 'p1', 'owner',
        '2026-11-01T00:00:00Z', 'withdrawn', 'submission', 'submission', '{p9}', NULL,
        '2026-11-02T00:00:00Z', 1, 3, now())`.execute(db);
    const rows = await db
      .selectFrom(proposalsAsOf(generation.schema, undefined))
      .select(['p.proposal_id', 'p.title', 'p.status', 'p.stage_kind', 'p.vote_id'])
      .select(['p.concerned_party_ids', 'p.updated_at'])
      .orderBy('p.proposal_id')
      .execute();
    expect(rows).toEqual([
      {
        proposal_id: 'v3',
        title: '旧',
        status: 'withdrawn',
        stage_kind: 'submission',
        vote_id: null,
        concerned_party_ids: ['p9'],
        updated_at: '2026-11-02T00:00:00Z',
      },
      {
        proposal_id: 'v4',
        title: '加装电梯',
        status: 'active',
        stage_kind: 'voting',
        vote_id: 'v1',
        concerned_party_ids: [],
        updated_at: '2026-12-03T00:00:00Z',
      },
    ]);

    await rm
      .insertInto('decisions')
      .values({ ...decision, proposal_id: 'v4', ...validity(4) })
      .execute();
    await rm
      .insertInto('decision_states')
      .values({
        community_id: 'c1',
        proposal_id: 'v4',
        published_at: null,
        publication_ends_at: null,
        publication_deadline: null,
        published_on_time: null,
        implementation_published_at: null,
        implementation_due_at: null,
        progress_percent: 40,
        reports: 2,
        first_report_at: null,
        last_report_at: null,
        feedback_at: null,
        objections_raised: 1,
        objections_answered: 0,
        satisfaction_count: 3,
        satisfaction_sum: 12,
        withdrawn: false,
        ...validity(5),
      })
      .execute();
    const d = sql.table(`${generation.schema}.decisions`);
    await sql`INSERT INTO ${d} (community_id, proposal_id, title, procedure_template, stage_id,
        outcome, decided_at, decided_by, items, history, reports, objections_raised,
        objections_answered, satisfaction_count, satisfaction_sum, withdrawn, progress_percent,
        valid_from_tx, valid_from_pos, recorded_at)
      VALUES ('c1', 'v3', '旧', 'owners', 'vote', 'rejected', '2026-11-03T00:00:00Z', 'clerk',
        '[]', '[]', 1, 2, 2, 0, 0, true, NULL, 1, 6, now())`.execute(db);
    const register = await db
      .selectFrom(decisionsAsOf(generation.schema, undefined))
      .select(['d.proposal_id', 'd.outcome', 'd.progress_percent', 'd.reports'])
      .select(['d.objections_raised', 'd.satisfaction_sum', 'd.withdrawn'])
      .orderBy('d.proposal_id')
      .execute();
    expect(register).toEqual([
      {
        proposal_id: 'v3',
        outcome: 'rejected',
        progress_percent: null,
        reports: 1,
        objections_raised: 2,
        satisfaction_sum: 0,
        withdrawn: true,
      },
      {
        proposal_id: 'v4',
        outcome: 'adopted',
        progress_percent: 40,
        reports: 2,
        objections_raised: 1,
        satisfaction_sum: 12,
        withdrawn: false,
      },
    ]);
  });
});
