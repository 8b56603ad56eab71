import { EventStoreError, VersionConflictError } from '../errors.ts';
import type { AppendResult, ExpectedVersion, NewEvent } from '../types.ts';
import {
  assertExpected,
  assertStreamId,
  describeExpected,
  type PreparedEvent,
  prepareAppend,
} from '../validation.ts';
import type { Connection } from './connection.ts';
import { commandIdTaken, lostRace, mapError } from './errors.ts';
import { encodeExpected } from './expected-version.ts';
import type { Reads } from './reads.ts';
import { APPEND_EXACT_SQL, APPEND_ONE_SQL } from './schema.ts';

// Appends: one statement (one round trip) per append. The version check, the hash chain and
// the insert happen in the database, so no head needs to be known beforehand and several
// instances can append to the same stream safely.

// Named statements: parsed and planned once per connection.
const Q = {
  appendExact: { name: 'es_append_exact', text: APPEND_EXACT_SQL },
  appendOne: { name: 'es_append_one', text: APPEND_ONE_SQL },
  appendMany: {
    name: 'es_append_many',
    text: 'SELECT head, positions, txid FROM es_append($1, $2, $3, $4)',
  },
} as const;

/** Attempts of an 'any'/'streamExists' append that loses a race (retries hold a stream lock). */
const MAX_ATTEMPTS = 10;

/** The commands of an append, each with its events (`append` is one group). */
export interface Group {
  commandId?: string | undefined;
  events: NewEvent[];
}

interface AppendOutcome {
  head: number;
  /** Global positions of the appended events; undefined when `expected` did not hold. */
  positions: bigint[] | undefined;
  transactionId: bigint;
}

export class Appends {
  constructor(
    private readonly connection: Connection,
    private readonly reads: Reads,
    /** Called after every append that wrote events. */
    private readonly appended: () => void,
  ) {}

  async append(
    streamId: string,
    groups: Group[],
    expected: ExpectedVersion,
  ): Promise<AppendResult[]> {
    assertStreamId(streamId);
    assertExpected(expected);
    const prepared = prepareAppend(streamId, groups);
    const hasCommands = groups.some((g) => g.commandId !== undefined);
    const code = encodeExpected(expected);
    await this.connection.ready();

    for (let attempt = 1; ; attempt++) {
      let outcome: AppendOutcome;
      try {
        outcome = await this.run(streamId, code, prepared, attempt > 1);
      } catch (error) {
        if (!lostRace(error)) throw mapError(error);
        // A concurrent append won the race (or the command was appended before).
        if (hasCommands) {
          const duplicate = await this.duplicateOf(groups);
          if (duplicate) return duplicate;
          if (commandIdTaken(error)) {
            throw new EventStoreError(
              'invalid-event',
              'some commands of this append were appended before, others not',
              { streamId },
            );
          }
        }
        if ((expected === 'any' || expected === 'streamExists') && attempt < MAX_ATTEMPTS) {
          continue;
        }
        const head = await this.reads.streamHead(streamId);
        throw new VersionConflictError(streamId, describeExpected(expected), head?.version ?? 0);
      }
      if (!outcome.positions) {
        if (hasCommands) {
          const duplicate = await this.duplicateOf(groups);
          if (duplicate) return duplicate;
        }
        throw new VersionConflictError(streamId, describeExpected(expected), outcome.head);
      }
      this.appended();
      return resultsOf(streamId, groups, outcome.head, outcome.positions, outcome.transactionId);
    }
  }

  /**
   * One attempt: a single event takes a plain statement (an exact version, or against the
   * head); several, or a retry under the stream's lock, go through `es_append`.
   */
  private async run(
    streamId: string,
    expected: number,
    events: PreparedEvent[],
    lock: boolean,
  ): Promise<AppendOutcome> {
    const { pool } = this.connection;
    const only = events.length === 1 && !lock ? events[0]! : undefined;
    if (only && expected >= 0) {
      const { rows } = await pool.query<{ global_position: string; txid: string }>({
        ...Q.appendExact,
        values: [
          streamId,
          expected,
          only.commandId,
          only.type,
          only.schemaVersion,
          only.canonicalData,
          only.canonicalMetadata,
          only.tail,
        ],
      });
      const row = rows[0];
      if (row) {
        return {
          head: expected,
          positions: [BigInt(row.global_position)],
          transactionId: BigInt(row.txid),
        };
      }
      // Event `expected` does not exist: the stream is behind.
      return {
        head: (await this.reads.streamHead(streamId))?.version ?? 0,
        positions: undefined,
        transactionId: 0n,
      };
    }
    if (only) {
      const { rows } = await pool.query<{
        head: string;
        global_position: string | null;
        txid: string | null;
      }>({
        ...Q.appendOne,
        values: [
          streamId,
          expected,
          only.commandId,
          only.type,
          only.schemaVersion,
          only.canonicalData,
          only.canonicalMetadata,
          only.tail,
        ],
      });
      const row = rows[0]!;
      return {
        head: Number(row.head),
        positions: row.global_position === null ? undefined : [BigInt(row.global_position)],
        transactionId: BigInt(row.txid ?? 0),
      };
    }
    const { rows } = await pool.query<{
      head: string;
      positions: string[] | null;
      txid: string | null;
    }>({
      ...Q.appendMany,
      values: [streamId, expected, eventsJson(events), lock],
    });
    const row = rows[0]!;
    let positions: bigint[] | undefined;
    if (row.positions !== null) {
      positions = [];
      for (const p of row.positions) positions.push(BigInt(p));
    }
    return { head: Number(row.head), positions, transactionId: BigInt(row.txid ?? 0) };
  }

  /** When every group's command was appended before, their stored results. */
  private async duplicateOf(groups: Group[]): Promise<AppendResult[] | undefined> {
    const results: AppendResult[] = [];
    for (const group of groups) {
      if (group.commandId === undefined) return undefined;
      const found = await this.reads.findCommand(group.commandId);
      if (!found) return undefined;
      results.push(found);
    }
    return results;
  }
}

/**
 * Each group's result. Built by `push`, not `map`: V8's optimised `map` makes holey arrays where
 * the interpreter's makes packed ones, and code compiled for one kind is deoptimised by the other
 * when `append` is (re)optimised in the middle of a burst (#21).
 */
function resultsOf(
  streamId: string,
  groups: readonly Group[],
  head: number,
  positions: readonly bigint[],
  transactionId: bigint,
): AppendResult[] {
  const results: AppendResult[] = [];
  let offset = 0;
  for (const group of groups) {
    offset += group.events.length;
    const globalPosition = positions[offset - 1]!;
    results.push({
      streamId,
      nextExpectedVersion: head + offset,
      lastGlobalPosition: globalPosition,
      checkpoint: { transactionId, globalPosition },
      duplicate: false,
    });
  }
  return results;
}

/**
 * The events of a multi-event append as one JSON array, built from the canonical texts as they
 * are: {c: command id, t: type, s: schema version, d: data, m: metadata, l: template tail}.
 */
function eventsJson(events: PreparedEvent[]): string {
  let json = '[';
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (i > 0) json += ',';
    json += `{"c":${e.commandId === null ? 'null' : JSON.stringify(e.commandId)},"t":${JSON.stringify(e.type)},"s":${e.schemaVersion},"d":${e.canonicalData},"m":${e.canonicalMetadata},"l":${JSON.stringify(e.tail)}}`;
  }
  return `${json}]`;
}
