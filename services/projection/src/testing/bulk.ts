import {
  type AppendOptions,
  type AppendResult,
  chainHash,
  GENESIS_HASH,
  type JsonObject,
  type NewEvent,
} from '@yishi/event-store';
import type pg from 'pg';

// Writes generated histories straight into the postgres event store's table, many events per
// statement, with the same hash chain the store computes: for tests and benchmarks that need
// 100,000 or 1,000,000 realistic events quickly. Never used by the service.

interface Row {
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: string;
  metadata: string;
  command_id: string | null;
  recorded_at: string;
  prev_hash: string;
  hash: string;
}

export class BulkWriter {
  private rows: Row[] = [];
  /** The flush in flight: generating goes on while the database inserts. */
  private pending: Promise<void> = Promise.resolve();
  private readonly heads = new Map<string, { version: number; hash: string }>();
  written = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly flushEvery = 5000,
  ) {}

  get count(): number {
    return this.written + this.rows.length;
  }

  async append(
    streamId: string,
    events: NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    let head = this.heads.get(streamId) ?? { version: 0, hash: GENESIS_HASH };
    if (typeof options.expected === 'number' && options.expected !== head.version) {
      throw new Error(`bulk writer: ${streamId} is at ${head.version}, not ${options.expected}`);
    }
    events.forEach((event, i) => {
      const version = head.version + 1;
      const schemaVersion = event.schemaVersion ?? 1;
      const hash = chainHash(head.hash, {
        streamId,
        streamVersion: version,
        type: event.type,
        schemaVersion,
        data: event.data,
        metadata: event.metadata,
      });
      const occurred = (event.metadata as JsonObject).occurredAt;
      this.rows.push({
        stream_id: streamId,
        stream_version: version,
        type: event.type,
        schema_version: schemaVersion,
        data: JSON.stringify(event.data),
        metadata: JSON.stringify(event.metadata),
        command_id: i === events.length - 1 ? (options.commandId ?? null) : null,
        recorded_at: typeof occurred === 'string' ? occurred : new Date().toISOString(),
        prev_hash: head.hash,
        hash,
      });
      head = { version, hash };
    });
    this.heads.set(streamId, head);
    if (this.rows.length >= this.flushEvery) {
      await this.pending;
      this.pending = this.insert(this.takeRows());
    }
    return {
      streamId,
      nextExpectedVersion: head.version,
      lastGlobalPosition: 0n,
      checkpoint: { transactionId: 0n, globalPosition: 0n },
      duplicate: false,
    };
  }

  private takeRows(): Row[] {
    const rows = this.rows;
    this.rows = [];
    return rows;
  }

  /** Writes everything appended so far. */
  async flush(): Promise<void> {
    await this.pending;
    await this.insert(this.takeRows());
  }

  /** One statement (and transaction) per chunk, in the order appended. */
  private async insert(rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    const column = <K extends keyof Row>(k: K) => rows.map((r) => r[k]);
    await this.pool.query(
      `INSERT INTO es_events (stream_id, stream_version, type, schema_version, data, metadata,
                              command_id, recorded_at, prev_hash, hash)
       SELECT s, v, t, sv, d, m, c, r, p, h
         FROM unnest($1::text[], $2::int8[], $3::text[], $4::int[], $5::jsonb[], $6::jsonb[],
                     $7::text[], $8::timestamptz[], $9::text[], $10::text[])
              WITH ORDINALITY AS x(s, v, t, sv, d, m, c, r, p, h, n)
        ORDER BY n`,
      [
        column('stream_id'),
        column('stream_version'),
        column('type'),
        column('schema_version'),
        column('data'),
        column('metadata'),
        column('command_id'),
        column('recorded_at'),
        column('prev_hash'),
        column('hash'),
      ],
    );
    this.written += rows.length;
  }
}
