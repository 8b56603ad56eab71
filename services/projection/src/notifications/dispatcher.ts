import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  httpFailure,
  type Logger,
  networkFailure,
  type PostOptions,
  post,
  RefusedDestination,
  silentLogger,
  webhookHeaders,
  webhookKey,
} from '@yishi/platform';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { AttemptOutcome, Database, NotificationDeliveriesTable } from '../tables.ts';

// The dispatcher sends what the outbox projection wrote. Any number of instances may run:
// each claims due rows with `FOR UPDATE SKIP LOCKED` and pushes their due time on by a lease,
// sends outside any transaction, and records the result only under its own claim. A crash
// mid-send leaves the row to be taken again when the lease ends: delivery is at least once,
// and the gateway recognises a repeat by `X-Yishi-Delivery`.

export interface DispatcherOptions {
  /** The deployment secret webhook keys are derived from (see signing.ts). */
  secret: Uint8Array;
  logger?: Logger;
  /** How long a gateway may take to answer (ms). */
  timeoutMs?: number;
  /** Attempts before a delivery is dead-lettered. */
  maxAttempts?: number;
  /** First retry delay; doubles with each attempt, with jitter (ms). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** How often to look for due rows when nothing wakes the dispatcher (ms). */
  pollIntervalMs?: number;
  /** Rows claimed (and sent at once) per round. */
  batchSize?: number;
  /** How long a claim holds before another instance may take the row (ms). */
  claimMs?: number;
  /** Random numbers in [0, 1) for the jitter (tests pass a fixed one). */
  random?: () => number;
  /**
   * Destinations (`host:port`) that may be loopback, private or link-local: a local gateway, a
   * test's server (`WEBHOOK_ALLOW_PRIVATE`). Every other such destination is refused.
   */
  allowPrivate?: readonly string[];
  /** Name resolution for webhook hosts (tests pass their own). */
  resolve?: PostOptions['resolve'];
}

type Claimed = Pick<
  Selectable<NotificationDeliveriesTable>,
  'delivery_id' | 'community_id' | 'webhook_id' | 'kind' | 'payload' | 'attempts'
>;

interface Result {
  outcome: AttemptOutcome;
  url: string | null;
  httpStatus: number | null;
  error: string | null;
  durationMs: number;
  /** For a retry: the delay before the next attempt (ms). */
  retryInMs?: number;
}

const USER_AGENT = 'Yishi-Webhooks/1';

export class Dispatcher {
  private readonly abort = new AbortController();
  private readonly logger: Logger;
  private running: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private readonly o: Required<Omit<DispatcherOptions, 'logger' | 'allowPrivate' | 'resolve'>>;
  private readonly allowPrivate: ReadonlySet<string>;
  private readonly resolve: PostOptions['resolve'];

  constructor(
    private readonly db: Kysely<Database>,
    options: DispatcherOptions,
  ) {
    this.logger = (options.logger ?? silentLogger).child({ component: 'notifications' });
    const timeoutMs = options.timeoutMs ?? 5000;
    this.o = {
      secret: options.secret,
      timeoutMs,
      maxAttempts: options.maxAttempts ?? 10,
      backoffBaseMs: options.backoffBaseMs ?? 10_000,
      backoffMaxMs: options.backoffMaxMs ?? 30 * 60_000,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      batchSize: options.batchSize ?? 16,
      claimMs: options.claimMs ?? timeoutMs + 30_000,
      random: options.random ?? Math.random,
    };
    this.allowPrivate = new Set(options.allowPrivate ?? []);
    this.resolve = options.resolve;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Look again now (the outbox projection wrote rows). */
  wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    if (wakeUp) wakeUp();
    else this.woken = true;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake();
    await this.running;
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (!this.abort.signal.aborted) {
      try {
        const sent = await this.dispatchOnce();
        backoff = 100;
        if (sent < this.o.batchSize) await this.idle(this.o.pollIntervalMs);
      } catch (error) {
        if (this.abort.signal.aborted) break;
        this.logger.error({ err: error }, 'notification dispatch failed; retrying');
        await this.idle(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.woken || this.abort.signal.aborted) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Claims the due rows and sends them; returns how many it took. */
  async dispatchOnce(): Promise<number> {
    const generation = await this.db
      .selectFrom('projection_generations as g')
      .innerJoin('projection_checkpoints as c', 'c.schema_name', 'g.schema_name')
      .select(['g.schema_name', 'c.transaction_id', 'c.global_position'])
      .where('g.projection', '=', 'notifications')
      .where('g.status', '=', 'active')
      .executeTakeFirst();
    if (!generation) return 0;
    const claim = randomUUID();
    // Only rows the active read model has passed: the webhook it names is then known there,
    // and a gateway that queries the record on receipt finds the event.
    const { rows } = await sql<Claimed>`
      UPDATE notification_deliveries
         SET claim = ${claim},
             next_attempt_at = now() + ${this.o.claimMs} * interval '1 millisecond'
       WHERE delivery_id IN (
         SELECT delivery_id FROM notification_deliveries
          WHERE status = 'pending' AND next_attempt_at <= now()
            AND (transaction_id, global_position) <= (${generation.transaction_id}::int8, ${generation.global_position}::int8)
          ORDER BY next_attempt_at, global_position
          LIMIT ${this.o.batchSize}
          FOR UPDATE SKIP LOCKED)
      RETURNING delivery_id, community_id, webhook_id, kind, payload, attempts`.execute(this.db);
    if (rows.length === 0) return 0;
    const webhooks = await this.db
      .withSchema(generation.schema_name)
      .selectFrom('webhooks')
      .select(['community_id', 'webhook_id', 'url', 'active'])
      .where('valid_to_tx', 'is', null)
      .where(({ eb, refTuple, tuple }) =>
        eb(
          refTuple('community_id', 'webhook_id'),
          'in',
          rows.map((r) => tuple(r.community_id, r.webhook_id)),
        ),
      )
      .execute();
    const urls = new Map(
      webhooks
        .filter((w) => w.active)
        .map((w) => [`${w.community_id}\u0000${w.webhook_id}`, w.url]),
    );
    await Promise.all(
      rows.map(async (row) => {
        const url = urls.get(`${row.community_id}\u0000${row.webhook_id}`);
        // Removed since: the community no longer wants it there; recorded, not sent.
        const result = url
          ? await this.send(row, url)
          : {
              outcome: 'cancelled' as const,
              url: null,
              httpStatus: null,
              error: 'the webhook was removed',
              durationMs: 0,
            };
        if (!result) return this.release(row, claim);
        await this.record(row, claim, result);
      }),
    );
    return rows.length;
  }

  /** One attempt; undefined when the dispatcher was stopped mid-send (the row goes back). */
  private async send(row: Claimed, url: string): Promise<Result | undefined> {
    const attempt = row.attempts + 1;
    const body = JSON.stringify(row.payload);
    const key = webhookKey(this.o.secret, row.community_id, row.webhook_id);
    const timeout = AbortSignal.timeout(this.o.timeoutMs);
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let answer: Awaited<ReturnType<typeof post>>;
    try {
      answer = await post(
        new URL(url),
        body,
        webhookHeaders({
          key,
          deliveryId: row.delivery_id,
          kind: row.kind,
          attempt,
          body,
          timestamp: Math.floor(Date.now() / 1000),
          userAgent: USER_AGENT,
        }),
        {
          signal: AbortSignal.any([timeout, this.abort.signal]),
          allowPrivate: this.allowPrivate,
          ...(this.resolve ? { resolve: this.resolve } : {}),
        },
      );
    } catch (error) {
      if (this.abort.signal.aborted) return undefined;
      // A forbidden destination stays forbidden: never tried again.
      if (error instanceof RefusedDestination) {
        return { outcome: 'dead', url, httpStatus: null, error: error.message, durationMs: 0 };
      }
      const message = timeout.aborted
        ? `timeout: no answer within ${this.o.timeoutMs} ms`
        : networkFailure(error);
      return this.failure(attempt, url, null, message, elapsed());
    }
    const status = answer.status;
    if (status >= 200 && status < 300) {
      return { outcome: 'delivered', url, httpStatus: status, error: null, durationMs: elapsed() };
    }
    const error = httpFailure(status);
    // 408, 429 and 5xx may pass on a later try; any other answer will not change by itself
    // (a 3xx is not followed: a signed notification goes only where it was configured).
    const retryable = status === 408 || status === 429 || status >= 500;
    if (!retryable) {
      return { outcome: 'dead', url, httpStatus: status, error, durationMs: elapsed() };
    }
    return this.failure(attempt, url, status, error, elapsed(), retryAfter(answer.headers));
  }

  /** A failure worth retrying: retry with backoff, or dead-letter after the last attempt. */
  private failure(
    attempt: number,
    url: string,
    httpStatus: number | null,
    error: string,
    durationMs: number,
    retryAfterMs?: number,
  ): Result {
    if (attempt >= this.o.maxAttempts) {
      return { outcome: 'dead', url, httpStatus, error, durationMs };
    }
    const { backoffBaseMs: base, backoffMaxMs: max } = this.o;
    const exponential = Math.min(max, base * 2 ** (attempt - 1));
    // Half fixed, half random: retries from many deliveries do not arrive together.
    const jittered = exponential / 2 + (this.o.random() * exponential) / 2;
    const retryInMs = Math.round(Math.min(max, Math.max(jittered, retryAfterMs ?? 0)));
    return { outcome: 'retry', url, httpStatus, error, durationMs, retryInMs };
  }

  private async record(row: Claimed, claim: string, result: Result): Promise<void> {
    const attempted = result.outcome !== 'cancelled';
    const attempts = attempted ? row.attempts + 1 : row.attempts;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('notification_attempts')
        .values({
          delivery_id: row.delivery_id,
          attempt: attempts,
          url: result.url,
          outcome: result.outcome,
          http_status: result.httpStatus,
          error: result.error,
          duration_ms: result.durationMs,
        })
        .execute();
      await trx
        .updateTable('notification_deliveries')
        .set({
          status: result.outcome === 'retry' ? 'pending' : result.outcome,
          attempts,
          claim: null,
          next_attempt_at:
            result.outcome === 'retry'
              ? sql<Date>`now() + ${result.retryInMs ?? 0} * interval '1 millisecond'`
              : sql<Date>`now()`,
          ...(attempted
            ? {
                last_attempt_at: sql<Date>`now()`,
                last_status: result.httpStatus,
                last_error: result.error,
              }
            : { last_error: result.error }),
          ...(result.outcome === 'delivered' ? { delivered_at: sql<Date>`now()` } : {}),
        })
        .where('delivery_id', '=', row.delivery_id)
        // Another instance took the row after this claim ran out: its own result counts.
        .where('claim', '=', claim)
        .execute();
    });
    const log = { deliveryId: row.delivery_id, attempt: attempts, error: result.error };
    if (result.outcome === 'dead') this.logger.warn(log, 'notification dead-lettered');
    else if (result.outcome === 'retry') this.logger.info(log, 'notification failed; will retry');
  }

  /** Stopped mid-send: the row is due again at once (for this or another instance). */
  private async release(row: Claimed, claim: string): Promise<void> {
    await this.db
      .updateTable('notification_deliveries')
      .set({ claim: null, next_attempt_at: sql<Date>`now()` })
      .where('delivery_id', '=', row.delivery_id)
      .where('claim', '=', claim)
      .execute();
  }
}

/** `Retry-After` in seconds (429, 503), as ms; dates and nonsense are ignored. */
function retryAfter(headers: IncomingHttpHeaders): number | undefined {
  const value = headers['retry-after'];
  if (!value || !/^\d{1,6}$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}
