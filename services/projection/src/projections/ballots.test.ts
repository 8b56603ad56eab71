import {
  builtInProcedure,
  eventCatalog,
  fold,
  type ItemChoice,
  type ProposalEvent,
  pentries,
  proposalDecider,
  upcastEvent,
} from '@yishi/domain';
import type { RecordedEvent } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db.ts';
import { migrateGeneration } from '../runtime/generations.ts';
import { BALLOT_TYPES, ballotFactColumns, ballotFacts, foldBallots } from './ballots.ts';
import { LARGE, timelineProjection } from './timeline.ts';

describe('ballots read from the timeline', () => {
  it('a ballot event has no field that a timeline line shortens', () => {
    // The tally reads the ballots from the timeline's lines: a shortened field would be lost.
    for (const type of BALLOT_TYPES) {
      const schema = eventCatalog[type].schema as unknown as { shape?: Record<string, unknown> };
      expect(schema.shape, type).toBeDefined();
      const fields = Object.keys(schema.shape ?? {});
      expect(fields, type).toContain('choices');
      expect(
        fields.filter((f) => LARGE.has(f)),
        type,
      ).toEqual([]);
    }
  });

  it('folds a voter’s facts in order: a correction keeps how and by whom it was cast', () => {
    const base = {
      voter_id: 'o1',
      item_id: 'a',
      ranking: null,
      authorisation_id: null,
      document_ref: null,
    };
    const [ballot] = foldBallots([
      {
        ...base,
        choice: 'yes',
        via: 'proxy',
        cast_by: 'o2',
        authorisation_id: 'auth1',
        cast_at: '1',
      },
      { ...base, choice: 'no', via: null, cast_by: null, document_ref: '表决票-1', cast_at: '2' },
    ]);
    expect(ballot).toEqual({
      voterId: 'o1',
      itemId: 'a',
      choice: 'no',
      ranking: null,
      via: 'proxy',
      castBy: 'o2',
      authorisationId: 'auth1',
      documentRef: '表决票-1',
      castAt: '2',
      versions: 2,
    });
  });
});

// The decider folds a vote's ballot events with `nextBallot`; the read side reads the same events
// from the timeline's lines in PostgreSQL and folds them with it too. Whatever the history, both
// must hold the same current ballots.
describe('the ballots the read side lists are the ballots the decider holds', () => {
  let db: ReturnType<typeof createDb>;
  const schema = 'rm_ballots_g1';
  beforeAll(async () => {
    db = createDb(await testDatabaseUrl(), 2);
    await migrateGeneration(db, timelineProjection, schema);
  });
  afterAll(async () => {
    await db.destroy();
  });

  const at = (minute: number) => new Date(Date.UTC(2026, 2, 1) + minute * 60_000).toISOString();
  const by = { personId: 'clerk', role: 'clerk' } as const;
  const procedure = builtInProcedure('community-consultation')!;
  const items = [
    { itemId: 'a', title: '加装电梯', kind: 'motion' as const, options: [] },
    {
      itemId: 'b',
      title: '停车方案',
      kind: 'plans' as const,
      options: ['p1', 'p2', 'p3'].map((optionId) => ({ optionId, title: optionId })),
    },
  ];
  const voters = ['o1', 'o2', 'o3'];
  const opening = (proposalId: string): Record<string, unknown>[] => [
    {
      type: 'ProposalSubmitted',
      data: {
        communityId: 'c1',
        proposalId,
        title: '议题',
        description: '说明',
        procedure: { ...procedure, template: procedure.templateId },
        items,
        submittedBy: by,
        submittedAt: at(0),
      },
    },
    {
      type: 'VotingOpened',
      data: {
        voteId: 'outcome-1',
        stageId: 'outcome',
        rule: { kind: 'residents-meeting', form: 'all-adults' },
        items,
        electorate: voters.map((voterId) => ({
          voterId,
          personIds: [voterId],
          unitIds: [],
          areaCentiM2: 0,
          heads: 1,
        })),
        totals: { voters: voters.length, heads: voters.length, areaCentiM2: 0 },
        closesAt: at(100_000),
        allowBallotChange: true,
        planMethod: 'instant-runoff',
        at: at(1),
        by,
      },
    },
  ];

  const choiceOn: Record<string, fc.Arbitrary<ItemChoice>> = {
    a: fc.constantFrom('yes', 'no', 'abstain').map((choice) => ({ itemId: 'a', choice })),
    // An empty ranking is a blank ballot on the plans.
    b: fc.shuffledSubarray(['p1', 'p2', 'p3']).map((ranking) => ({ itemId: 'b', ranking })),
  };
  const choices = fc
    .constantFrom(['a'], ['b'], ['a', 'b'], ['b', 'a'])
    .chain((ids) => fc.tuple(...ids.map((id) => choiceOn[id]!)));
  const optional = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined });
  const ballotEvent = fc.oneof(
    fc.record({
      type: fc.constantFrom('BallotCast', 'BallotChanged'),
      voterId: fc.constantFrom(...voters),
      choices,
      via: fc.constantFrom('online', 'proxy', 'paper'),
      castBy: fc.constantFrom('o1', 'o2', 'proxy9'),
      authorisations: fc.subarray(['a', 'b']),
      documentRef: optional(fc.constantFrom('表决票-1', '表决票-2')),
    }),
    fc.record({
      type: fc.constant('PaperBallotCorrected'),
      voterId: fc.constantFrom(...voters),
      choices,
      documentRef: fc.constantFrom('表决票-3', '表决票-4'),
    }),
  );

  let position = 0;
  let proposals = 0;
  let changed = 0;
  let corrected = 0;

  it('holds for any history of cast, changed and corrected ballots', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ballotEvent, { maxLength: 12 }), async (ballots) => {
        const proposalId = `p${++proposals}`;
        const stored = [
          ...opening(proposalId),
          ...ballots.map((b, i) => {
            const common = { voteId: 'outcome-1', voterId: b.voterId, choices: b.choices };
            const meta = { at: at(10 + i), by };
            if (b.type === 'PaperBallotCorrected') {
              return {
                type: b.type,
                data: { ...common, documentRef: b.documentRef, reason: '录入有误', ...meta },
              };
            }
            const authorisationIds = Object.fromEntries(
              b.authorisations.map((itemId) => [itemId, `auth-${b.voterId}-${itemId}`]),
            );
            return {
              type: b.type,
              data: {
                ...common,
                via: b.via,
                castBy: b.castBy,
                ...(b.authorisations.length > 0 ? { authorisationIds } : {}),
                ...(b.documentRef === undefined ? {} : { documentRef: b.documentRef }),
                ...meta,
              },
            };
          }),
        ];
        // Read as a reader of the store reads them: each event validated against its schema.
        const events = stored.map(
          (e) => upcastEvent({ type: String(e.type), data: e.data }) as ProposalEvent,
        );

        const state = fold(proposalDecider, events);
        const vote = state.status === 'none' ? undefined : state.vote;
        const held = [...(vote ? pentries(vote.ballots) : [])].flatMap(([voterId, byItem]) =>
          Object.entries(byItem).map(([itemId, b]) => ({
            voterId,
            itemId,
            choice: b.choice ?? null,
            ranking: b.ranking ?? null,
            via: b.via,
            castBy: b.castBy,
            authorisationId: b.authorisationId ?? null,
            documentRef: b.documentRef ?? null,
            versions: b.versions,
          })),
        );

        const recorded: RecordedEvent[] = events.map((e, i) => {
          position += 1;
          return {
            streamId: `proposal-c1.${proposalId}`,
            streamVersion: i + 1,
            globalPosition: BigInt(position),
            transactionId: BigInt(position),
            type: e.type,
            schemaVersion: 1,
            data: JSON.parse(JSON.stringify(e.data)),
            metadata: {},
            recordedAt: new Date(Date.UTC(2026, 2, 1)),
            prevHash: '',
            hash: '',
          };
        });
        await timelineProjection.apply({ db, rm: db.withSchema(schema), schema }, recorded);
        // As the ballots route reads them: each voter's and item's facts in the global order.
        const facts = await db
          .selectFrom(ballotFacts(schema, 'c1', proposalId, 'outcome-1', undefined))
          .select(ballotFactColumns)
          .orderBy('voter_id')
          .orderBy('item_id')
          .orderBy('transaction_id')
          .orderBy('global_position')
          .execute();
        const listed = foldBallots(facts).map(({ castAt: _, ...b }) => b);

        const key = (b: { voterId: string; itemId: string }) => `${b.voterId}/${b.itemId}`;
        const byKey = (x: { voterId: string; itemId: string }, y: typeof x) =>
          key(x) < key(y) ? -1 : 1;
        expect(listed.sort(byKey)).toEqual(held.sort(byKey));
        if (held.some((b) => b.versions > 1)) changed += 1;
        if (ballots.some((b, i) => b.type === 'PaperBallotCorrected' && i > 0)) corrected += 1;
      }),
      { numRuns: 60 },
    );
    // The histories covered changed and corrected ballots, not first ballots only.
    expect(changed).toBeGreaterThan(10);
    expect(corrected).toBeGreaterThan(10);
  }, 120_000);
});
