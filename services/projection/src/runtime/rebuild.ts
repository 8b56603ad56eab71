import {
  type Checkpoint,
  checkpointReached,
  type EventStore,
  PostgresEventStore,
  START,
} from '@yishi/event-store';
import { type Kysely, sql } from 'kysely';
import type { Projection } from '../projections/projection.ts';
import type { Database } from '../tables.ts';
import type { Target } from './apply.ts';
import { catchUp } from './catch-up.ts';
import {
  buildingGeneration,
  dropGeneration,
  dropRetired,
  type Generation,
  indexGeneration,
  startBuilding,
  switchTo,
} from './generations.ts';
import { buildInDatabase, canBuildInDatabase, positionsUntil, settleAt } from './in-database.ts';
import { acquireLease, type Lease, sleep } from './lease.ts';
import { allSettled } from './settle.ts';

export interface RebuildOptions {
  batchSize?: number;
  /** Switch queries to the new generations when caught up (default true). */
  switch?: boolean;
  /** How long the old generations stay after the switch, for queries in flight (ms). */
  graceMs?: number;
  signal?: AbortSignal;
  /**
   * Build set-based in the database what can be (default true; see `in-database.ts`). False
   * reads every event through Node for every projection, as the live projectors do.
   */
  inDatabase?: boolean;
  /** Events every projection has applied since the last call (while built in the database: estimated from positions). */
  onBatch?: (events: number) => void;
  /**
   * Called when every event is applied and the last query indexes are being built (those of the
   * projections built in the database are begun as soon as their rows are there).
   */
  onIndexing?: () => void;
  /** Called when queries read the new generations; the old ones are dropped after the grace. */
  onSwitched?: () => void;
}

export interface RebuildResult {
  generations: Generation[];
  events: number;
  checkpoint: Checkpoint;
  /** The projections that were built set-based in the database. */
  builtInDatabase: string[];
}

const leaseOptions = (signal: AbortSignal) => ({
  retryMs: 200,
  heartbeatMs: 2000,
  leaseMs: 10_000,
  signal,
  onWait: async () => false,
});

/**
 * Builds new generations of the projections from the first event, beside the active ones,
 * reading the events once for all of them; then switches queries to them and drops the old.
 */
export async function rebuild(
  store: EventStore,
  db: Kysely<Database>,
  selected: readonly Projection[],
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const signal = options.signal ?? new AbortController().signal;
  const leases: Lease[] = [];
  const generations: Generation[] = [];
  // Where the store ends (and how many events it holds, a count over its order): asked while
  // the generations are made, not after.
  const head = store instanceof PostgresEventStore ? store.head() : undefined;
  head?.catch(() => {});
  try {
    // Side by side (each projection has its own lock): creating a generation runs its
    // migrations, some tenths of a second each.
    const started = await allSettled(
      selected.map(async (projection) => {
        const unfinished = await buildingGeneration(db, projection.name);
        if (unfinished) {
          // Someone may be building it: only an abandoned build is replaced.
          const held = await acquireLease(db, unfinished.schema, leaseOptions(signal));
          if (!held) throw new Error(`${projection.name} is being built by another process`);
          await held.release();
          await dropGeneration(db, unfinished);
        }
        const generation = await startBuilding(db, projection, { fresh: true });
        const lease = await acquireLease(db, generation.schema, leaseOptions(signal));
        if (!lease) throw new Error(`could not lease ${generation.schema}`);
        leases.push(lease);
        return generation;
      }),
    );
    generations.push(...started);
    const targets: Target[] = generations.map((g, i) => ({
      projection: selected[i]!,
      schema: g.schema,
      checkpoint: START,
    }));
    let events = 0;
    const builtInDatabase = await buildGenerations(store, db, targets, {
      batchSize: options.batchSize ?? 2000,
      signal,
      leases,
      inDatabase: options.inDatabase !== false,
      report: (n) => {
        events += n;
        options.onBatch?.(n);
      },
      ...(options.onIndexing ? { onIndexing: options.onIndexing } : {}),
      ...(head ? { head } : {}),
    });
    if (signal.aborted) throw new Error('rebuild aborted');
    if (options.switch !== false) {
      await switchTo(db, generations);
      options.onSwitched?.();
    }
    return {
      generations,
      events,
      checkpoint: targets[0]?.checkpoint ?? START,
      builtInDatabase,
    };
  } finally {
    for (const lease of leases) await lease.release();
    if (options.switch !== false && !signal.aborted) {
      const grace = options.graceMs ?? 5_000;
      await sleep(grace, signal);
      for (const projection of selected) await dropRetired(db, projection.name, grace);
    }
  }
}

/** The store's head (where it ends, and how many events it holds). */
type Head = ReturnType<PostgresEventStore['head']>;

/** How generations are built: batches read, and what stops the build. */
interface BuildOptions {
  batchSize: number;
  signal: AbortSignal;
  leases: readonly Lease[];
}

/**
 * Brings generations being built (all at the same checkpoint) to the end of the global order,
 * with their query indexes: from the first event, set-based where it can (`buildSplit`), then
 * through `apply`. Returns the projections built in the database.
 */
export async function buildGenerations(
  store: EventStore,
  db: Kysely<Database>,
  targets: Target[],
  options: BuildOptions & {
    inDatabase?: boolean;
    report?: (events: number) => void;
    onIndexing?: () => void;
    /** The store's head, when already asked for. */
    head?: Head;
  },
): Promise<string[]> {
  const report = options.report ?? (() => {});
  let builtInDatabase: string[] = [];
  const indexed = new Set<Target>();
  const selected = targets.map((t) => t.projection);
  if (targets.every((t) => checkpointReached(START, t.checkpoint))) {
    // Nothing is applied before the first event; rows there are what an interrupted set-based
    // build committed (it commits chunk by chunk, its checkpoint last): begin again without them.
    await emptyTables(db, targets);
    if (options.inDatabase !== false && (await canBuildInDatabase(store, db, selected))) {
      builtInDatabase = await buildSplit(store as PostgresEventStore, db, targets, {
        ...options,
        report,
        indexed,
      });
    }
  }
  // From where the split build stopped, or from the checkpoint: every event, every target.
  await catchUp(store, db, targets, {
    batchSize: options.batchSize,
    signal: options.signal,
    leases: options.leases,
    onBatch: (n) => report(n),
  });
  if (options.signal.aborted) return builtInDatabase;
  options.onIndexing?.();
  await indexGenerations(db, targets, indexed);
  return builtInDatabase;
}

/**
 * Builds the query indexes of the targets not in `indexed` yet, side by side (each index build
 * is one statement, and the database has more than one core), and adds them to it.
 */
async function indexGenerations(
  db: Kysely<Database>,
  targets: readonly Target[],
  indexed: Set<Target>,
): Promise<void> {
  await Promise.all(
    targets
      .filter((t) => !indexed.has(t))
      .map(async (t) => {
        await indexGeneration(db, t.projection, t.schema);
        indexed.add(t);
      }),
  );
}

async function emptyTables(db: Kysely<Database>, targets: readonly Target[]): Promise<void> {
  for (const t of targets) {
    const tables = t.projection.tables.map((table) => sql.table(`${t.schema}.${table}`));
    if (tables.length > 0) await sql`TRUNCATE ${sql.join(tables)}`.execute(db);
  }
}

/**
 * Up to the end of the global order as it is now: the projections that can be are built in
 * the database, while the others read only the event types they use; all then stand at that
 * checkpoint. Progress is the least advanced builder's share of the positions.
 */
async function buildSplit(
  store: PostgresEventStore,
  db: Kysely<Database>,
  targets: Target[],
  options: BuildOptions & {
    report: (events: number) => void;
    indexed: Set<Target>;
    head?: Head;
  },
): Promise<string[]> {
  const head = await (options.head ?? store.head());
  if (!head) return [];
  const until = head.checkpoint;
  const positions = await positionsUntil(db, until);
  const inDatabase = targets.filter((t) => t.projection.inDatabase);
  const inNode = targets.filter((t) => !t.projection.inDatabase);
  // A builder's progress: the position below which it has everything.
  const reached = new Map<Target, bigint>(targets.map((t) => [t, positions.min - 1n]));
  let reported = 0;
  const advance = (target: Target, position: bigint) => {
    reached.set(target, position);
    let least = positions.max;
    for (const p of reached.values()) if (p < least) least = p;
    const span = positions.max - positions.min + 1n;
    const covered = Number((BigInt(head.events) * (least - positions.min + 1n)) / span);
    if (covered > reported) {
      options.report(covered - reported);
      reported = covered;
    }
  };
  // Each side builds its generations' indexes as soon as its rows are there, while the other
  // side still works, instead of all of them after both, when a core would idle; the few events
  // appended meanwhile are then applied with the indexes in place.
  const indexAll = async (built: readonly Target[]) => {
    if (options.signal.aborted) throw new Error('rebuild aborted');
    await indexGenerations(db, built, options.indexed);
  };
  const types = inNode.every((t) => t.projection.eventTypes)
    ? [...new Set(inNode.flatMap((t) => t.projection.eventTypes ?? []))]
    : undefined;
  const omit = types ? unreadByAll(inNode.map((t) => t.projection)) : undefined;
  await Promise.all([
    (async () => {
      await buildInDatabase(db, inDatabase, until, head.events, positions, {
        signal: options.signal,
        leases: options.leases,
        onChunk: advance,
      });
      await indexAll(inDatabase);
    })(),
    (async () => {
      if (inNode.length === 0) return;
      await catchUp(store, db, inNode, {
        batchSize: options.batchSize,
        signal: options.signal,
        leases: options.leases,
        read: (from) => store.readAllOfTypes(from, until, options.batchSize, types, omit),
        // Ordered by transaction, then position: near enough to positions for a progress bar.
        onBatch: (_n, checkpoint) => {
          for (const t of inNode) advance(t, checkpoint.globalPosition);
        },
      });
      if (options.signal.aborted) throw new Error('rebuild aborted');
      await settleAt(db, inNode, until, head.events);
      await indexAll(inNode);
    })(),
  ]);
  options.report(head.events - reported);
  return inDatabase.map((t) => t.projection.name);
}

/**
 * By event type, the members of its data that none of the projections reading that type reads
 * (`Projection.unread`): a filtered read may leave them out.
 */
export function unreadByAll(projections: readonly Projection[]): Record<string, string[]> {
  const omit: Record<string, string[]> = {};
  const types = new Set(projections.flatMap((p) => p.eventTypes ?? []));
  for (const type of types) {
    const readers = projections.filter((p) => p.eventTypes?.includes(type));
    const fields = readers.map((p): readonly string[] => p.unread?.[type] ?? []);
    const common = fields.reduce((a, b) => a.filter((f) => b.includes(f)));
    if (common.length > 0) omit[type] = [...common];
  }
  return omit;
}
