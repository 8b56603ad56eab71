import { type Json, type JsonObject, PostgresEventStore, START } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createDb } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { ballotFacts } from '../projections/ballots.ts';
import { electoratesProjection } from '../projections/electorates.ts';
import type { Projection } from '../projections/projection.ts';
import { timelineProjection } from '../projections/timeline.ts';
import type { Database } from '../tables.ts';
import { differencesFromActive } from '../testing/compare.ts';
import { activeGeneration, startBuilding } from './generations.ts';
import { buildInDatabase, positionsUntil } from './in-database.ts';
import { Projector } from './projector.ts';
import { rebuild } from './rebuild.ts';

// The set-based rebuilds (SQL over the events table) must write exactly the rows `apply` writes.
// The random command sequences of projector.test.ts hold them to that for events the domain
// makes; these events sit at the edges of what `apply` reads: texts cut by characters, fields of
// the wrong JSON type, stream ids without a community, agenda items that are not objects.

let store: PostgresEventStore;
let db: Kysely<Database>;

beforeAll(async () => {
  const url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  db = createDb(url, 20);
  await migrateReadModels(db);
});
afterAll(async () => {
  await db.destroy();
  await store.close();
});

let command = 0;
async function append(streamId: string, type: string, data: JsonObject, meta?: JsonObject) {
  command += 1;
  await store.append(
    streamId,
    [{ type, data, metadata: meta ?? { actorId: 'clerk1', actorRole: 'clerk' } }],
    { expected: 'any', commandId: `edge-${command}` },
  );
}

/** 281 characters, 282 UTF-16 units: cut after 280 characters, between whole characters. */
const LONG = `${'议'.repeat(279)}😀x`;
/** 280 characters in 560 UTF-16 units: kept whole. */
const EXACT = '😀'.repeat(280);
const at = '2026-12-01T08:00:00.000Z';

describe('set-based rebuild', () => {
  it('writes the rows apply writes, at the edges of what apply reads', async () => {
    await append('community-c1', 'CommunityRegistered', {
      description: LONG,
      electorate: ['a', 'b', 'c'],
      text: 5,
      at,
    });
    await append(
      'community-c1',
      'CommunitySettingsChanged',
      { description: null, text: EXACT, nested: { text: 'stays' }, at },
      { actorId: 7, actorRole: 'admin', commandId: 'given' },
    );
    // Only a large field, neither text nor list: nothing is left of it.
    await append('community-c1', 'CommunityRenamed', { text: 5 });
    await append('proposal-c1.p1', 'BallotCast', {
      voteId: 'v1',
      voterId: 'o1',
      choices: [
        { itemId: 'a', choice: 'yes' },
        { itemId: 'b', ranking: ['x', 'y'] },
      ],
      via: 'proxy',
      castBy: 'o2',
      authorisationIds: { a: 'auth1' },
      documentRef: '委托书-1',
      at,
    });
    await append('proposal-c1.p1', 'PaperBallotCorrected', {
      voteId: 'v1',
      voterId: 'o1',
      choices: [{ itemId: 'a', choice: null }],
      documentRef: null,
      authorisationIds: { a: 'ignored: no via' },
      at,
    });
    await append('proposal-c1.p1', 'ProposalPublished', { sessionId: 's9', at });
    // An electorate is copied as it is: the same JSON value whichever way it was written.
    const electorate: Json[] = [
      { voterId: 'o1', areaCentiM2: 8_812, heads: 1, name: '业主 \u4e00 "甲"' },
      { voterId: 'o2', areaCentiM2: 0, heads: 1, extra: { nested: [1, 2.5, null, true] } },
    ];
    await append('proposal-c1.p1', 'VotingOpened', { voteId: 'v1', electorate, at });
    await append('proposal-c1.p1', 'VotingOpened', { voteId: 'v2', electorate: [], at });
    await append('proposal-C1.p2', 'VotingOpened', { voteId: 'v1', electorate, at });
    // No community in these stream ids (uppercase; longer than 63 characters): no ballot facts.
    await append('proposal-C1.p2', 'BallotCast', {
      voteId: 'v1',
      voterId: 'o1',
      choices: [{ itemId: 'a', choice: 'yes' }],
      at,
    });
    await append(`community-${'a'.repeat(64)}`, 'PersonRegistered', { personId: 'p1', at });
    await append('session-c1.s1', 'SessionConvened', {
      agenda: [{ itemId: 'i1', proposalId: 'p1' }, { itemId: 'i2' }, 'junk', { itemId: '' }],
      at,
    });
    await append('session-c1.s1', 'StatementRecorded', { itemId: 'i1', text: 'hello', at });
    await append('session-c1.s1', 'PositionStated', { itemId: 'i2', at });
    await append('session-c1.s1', 'ItemResolved', { itemId: 'i3', at });
    await append('session-c1.s1', 'MinutesDrafted', { itemId: 5, at });
    await append('convocation-c1.r1', 'ConvocationRequested', {
      proposalId: 'p7',
      sessionId: 5,
      at,
    });
    await append('misc-a', 'Note', { itemId: 'z', proposalId: '', at });
    // An evaluation's answers are sealed: no line keeps them, with or without large fields.
    await append('evaluation-c1.e1', 'EvaluationAnswered', {
      sealedAnswers: [{ questionId: 'q1', value: 3 }],
      at,
    });
    await append('evaluation-c1.e1', 'EvaluationAnswered', { sealedAnswers: [], text: LONG, at });

    const selected = [timelineProjection, electoratesProjection];
    // Through Node, as the live projectors apply them; then set-based, beside it.
    const byApply = await rebuild(store, db, selected, { inDatabase: false, graceMs: 0 });
    expect(byApply.builtInDatabase).toEqual([]);
    const bySql = await rebuild(store, db, selected, { switch: false });
    expect(bySql.builtInDatabase.sort()).toEqual(['electorates', 'timeline']);
    for (const d of await differencesFromActive(db, selected, bySql.generations)) {
      expect(d, `${d.projection}.${d.table}`).toMatchObject({ onlyInFirst: 0, onlyInSecond: 0 });
      expect(d.rows, d.table).toBeGreaterThan(0);
    }

    // And the rows are what the read model means (not merely the same mistake twice).
    const schema = bySql.generations[0]!.schema;
    const lines = await sql<{
      type: string;
      community_id: string;
      proposal_id: string | null;
      session_id: string | null;
      metadata: Record<string, unknown>;
      details: Record<string, unknown>;
    }>`SELECT type, community_id, proposal_id, session_id, metadata, details
         FROM ${sql.table(`${schema}.timeline`)} ORDER BY global_position`.execute(db);
    const line = (type: string) => lines.rows.find((r) => r.type === type)!;
    expect(line('CommunityRegistered').details).toEqual({
      description: `${'议'.repeat(279)}😀…`,
      electorateCount: 3,
      at,
    });
    expect(line('CommunitySettingsChanged').details).toEqual({
      text: EXACT,
      nested: { text: 'stays' },
      at,
    });
    expect(line('CommunitySettingsChanged').metadata).toEqual({
      actorId: 7,
      actorRole: 'admin',
      commandId: 'given',
    });
    expect(line('CommunityRenamed').details).toEqual({});
    expect(line('StatementRecorded').proposal_id).toBe('p1');
    expect(line('PositionStated').proposal_id).toBeNull();
    expect(line('ProposalPublished')).toMatchObject({ proposal_id: 'p1', session_id: 's9' });
    expect(line('ConvocationRequested')).toMatchObject({ proposal_id: 'p7', session_id: null });
    expect(line('PersonRegistered').community_id).toBe('');
    const answered = lines.rows.filter((r) => r.type === 'EvaluationAnswered');
    expect(answered.map((r) => r.details)).toEqual([
      { at },
      { text: `${'议'.repeat(279)}😀…`, at },
    ]);
    // The ballots are read from these lines: one fact per item, an authorisation only with `via`.
    const facts = (communityId: string, proposalId: string) =>
      db
        .selectFrom(ballotFacts(schema, communityId, proposalId, 'v1', undefined))
        .select(['item_id', 'authorisation_id', 'via', 'cast_by', 'document_ref', 'choice'])
        .orderBy('global_position')
        .orderBy('item_id')
        .execute();
    expect(await facts('c1', 'p1')).toEqual([
      {
        item_id: 'a',
        authorisation_id: 'auth1',
        via: 'proxy',
        cast_by: 'o2',
        document_ref: '委托书-1',
        choice: 'yes',
      },
      {
        item_id: 'b',
        authorisation_id: null,
        via: 'proxy',
        cast_by: 'o2',
        document_ref: '委托书-1',
        choice: null,
      },
      {
        item_id: 'a',
        authorisation_id: null,
        via: null,
        cast_by: null,
        document_ref: null,
        choice: null,
      },
    ]);
    expect(await facts('C1', 'p2')).toEqual([]);
    const electorates = await sql<{ proposal_id: string; opened: unknown }>`
      SELECT proposal_id, opened
        FROM ${sql.table(`${bySql.generations[1]!.schema}.electorates`)}
       ORDER BY global_position`.execute(db);
    expect(electorates.rows).toEqual([
      { proposal_id: 'p1', opened: { voteId: 'v1', electorate, at } },
      { proposal_id: 'p1', opened: { voteId: 'v2', electorate: [], at } },
    ]);
  });

  it('commits chunk by chunk: readers of the store see new events while a build goes on', async () => {
    // Readers read only below the oldest running transaction: a build holding one transaction
    // across its chunks would hide every event appended meanwhile until it ended.
    const head = (await store.head())!;
    const generation = await startBuilding(db, timelineProjection, { fresh: true });
    const target = { projection: timelineProjection, schema: generation.schema, checkpoint: START };
    const seen: boolean[] = [];
    await buildInDatabase(
      db,
      [target],
      head.checkpoint,
      head.events,
      await positionsUntil(db, head.checkpoint),
      {
        onChunk: async () => {
          await append('community-late', 'PersonRegistered', { personId: `p${seen.length}`, at });
          const read = await store.readAll(head.checkpoint, 100);
          seen.push(read.events.some((e) => e.streamId === 'community-late'));
        },
      },
    );
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every(Boolean)).toBe(true);
    expect(target.checkpoint).toEqual(head.checkpoint);
  });

  it('builds in lanes: chunks committed out of order, progress only up to the first gap', async () => {
    // Every event as the live projectors apply them, as the reference.
    const selected = [timelineProjection, electoratesProjection];
    await rebuild(store, db, selected, { inDatabase: false, graceMs: 0 });
    const head = (await store.head())!;
    const positions = await positionsUntil(db, head.checkpoint);
    // The first chunk is slow, so the other lanes commit the chunks after it first.
    const slowFirst = (p: Projection): Projection => ({
      ...p,
      inDatabase: {
        ...p.inDatabase!,
        chunk: async (client, schema, chunk) => {
          if (chunk.after < positions.min) await client.query('SELECT pg_sleep(0.3)');
          return p.inDatabase!.chunk(client, schema, chunk);
        },
      },
    });
    const targets = await Promise.all(
      selected.map(async (p) => ({
        projection: slowFirst(p),
        schema: (await startBuilding(db, p, { fresh: true })).schema,
        checkpoint: START,
      })),
    );
    const lines = (schema: string, upTo: bigint) =>
      sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(`${schema}.timeline`)}
        WHERE global_position <= ${upTo.toString()}::int8`.execute(db);
    const events = (upTo: bigint) =>
      sql<{ n: number }>`SELECT count(*)::int AS n FROM es_events
        WHERE global_position <= ${upTo.toString()}::int8`.execute(db);
    const reports: bigint[] = [];
    await buildInDatabase(db, targets, head.checkpoint, head.events, positions, {
      lanes: 3,
      chunkPositions: 2n,
      onChunk: async (target, upTo) => {
        if (target !== targets[0]) return;
        reports.push(upTo);
        // Every line up to the position reported is there.
        expect((await lines(target.schema, upTo)).rows[0]!.n).toBe((await events(upTo)).rows[0]!.n);
      },
    });
    // Nothing was reported while the first chunk was building; then past the chunks after it.
    expect(reports[0]).toBeGreaterThan(positions.min + 2n);
    expect(reports).toEqual([...reports].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(reports.at(-1)).toBe(positions.max);
    for (const d of await differencesFromActive(db, selected, targets)) {
      expect(d, `${d.projection}.${d.table}`).toMatchObject({ onlyInFirst: 0, onlyInSecond: 0 });
    }
    expect(targets.map((t) => t.checkpoint)).toEqual([head.checkpoint, head.checkpoint]);
  });

  it('a new version resumed after an interrupted set-based build begins again without its rows', async () => {
    const next: Projection = { ...timelineProjection, version: timelineProjection.version + 1 };
    const generation = await startBuilding(db, next);
    const head = (await store.head())!;
    // Killed between chunks: the first chunk's rows are committed, the checkpoint is not.
    await expect(
      buildInDatabase(
        db,
        [{ projection: next, schema: generation.schema, checkpoint: START }],
        head.checkpoint,
        head.events,
        await positionsUntil(db, head.checkpoint),
        {
          onChunk: () => {
            throw new Error('killed between chunks');
          },
        },
      ),
    ).rejects.toThrow('killed between chunks');
    const rows = async () =>
      Number(
        (
          await sql<{
            n: string;
          }>`SELECT count(*)::text AS n FROM ${sql.table(`${generation.schema}.timeline`)}`.execute(
            db,
          )
        ).rows[0]!.n,
      );
    expect(await rows()).toBeGreaterThan(0);
    // The service resumes the build of its code's version in that generation, and switches.
    const projector = new Projector(store, db, next, {
      pollIntervalMs: 20,
      lockRetryMs: 50,
      heartbeatMs: 100,
      leaseMs: 1000,
      switchCheckMs: 50,
      dropGraceMs: 50,
    });
    await projector.start();
    onTestFinished(() => projector.stop());
    await expect
      .poll(async () => (await activeGeneration(db, 'timeline'))?.schema, { timeout: 20_000 })
      .toBe(generation.schema);
    // One line per event: nothing of the interrupted build twice.
    const { rows: stored } = await sql<{
      n: string;
    }>`SELECT count(*)::text AS n FROM es_events`.execute(db);
    expect(await rows()).toBe(Number(stored[0]!.n));
  });
});
