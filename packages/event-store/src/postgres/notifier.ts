import pg from 'pg';

// Wake-ups: after appends a NOTIFY hint goes out, and each store LISTENs once to wake its
// subscriptions. Hints only: subscriptions poll as well, so a lost one only costs a poll.

/** The channel of the wake-up hint sent after appends. */
export const NOTIFY_CHANNEL = 'es_events';

/**
 * Sends the wake-up hint after appends, outside their transactions: a NOTIFY inside the
 * appending transaction would serialise all commits on PostgreSQL's notification queue lock.
 * Throttled: the first append after a quiet spell notifies at once; under load, at most one
 * NOTIFY per `intervalMs` carries the news of every append since the previous one.
 */
export class Notifier {
  private client: pg.Client | undefined;
  private busy = false;
  private pending = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly intervalMs = 5,
  ) {}

  notify(): void {
    if (this.closed) return;
    if (this.busy) {
      this.pending = true;
      return;
    }
    this.busy = true;
    void this.send();
  }

  private async send(): Promise<void> {
    try {
      const client = await this.connection();
      await client.query(`NOTIFY ${NOTIFY_CHANNEL}`);
    } catch {
      // A hint only: readers poll as well.
      const client = this.client;
      this.client = undefined;
      client?.end().catch(() => {});
    }
    // Stay busy for the interval; send once more if appends happened meanwhile.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pending && !this.closed) {
        this.pending = false;
        void this.send();
      } else {
        this.busy = false;
      }
    }, this.intervalMs);
    this.timer.unref();
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('error', () => {
      if (this.client === client) this.client = undefined;
    });
    await client.connect();
    if (this.closed) {
      await client.end().catch(() => {});
      throw new Error('closed');
    }
    this.client = client;
    return client;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => {});
  }
}

/**
 * The subscriptions of one store waiting for news: woken by its own appends at once, and by
 * others' through one LISTEN connection, opened while anyone waits.
 */
export class WakeUps {
  private readonly wakers = new Set<() => void>();
  private listener: pg.Client | undefined;
  private listenRetry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly connectionString: string) {}

  /** Wakes `wake` at every hint until the returned function is called. */
  add(wake: () => void): () => void {
    this.wakers.add(wake);
    this.ensureListener();
    return () => {
      this.wakers.delete(wake);
    };
  }

  wakeAll(): void {
    for (const wake of this.wakers) wake();
  }

  private ensureListener(): void {
    if (this.listener || this.closed || this.wakers.size === 0) return;
    const client = new pg.Client({ connectionString: this.connectionString });
    this.listener = client;
    const fail = () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      client.end().catch(() => {});
      // Polling covers the gap; listen again a little later.
      if (!this.closed && !this.listenRetry) {
        this.listenRetry = setTimeout(() => {
          this.listenRetry = undefined;
          this.ensureListener();
        }, 1000);
        this.listenRetry.unref();
      }
    };
    client.on('error', fail);
    client.on('end', fail);
    client.on('notification', () => this.wakeAll());
    client
      .connect()
      .then(() => client.query(`LISTEN ${NOTIFY_CHANNEL}`))
      // Anything appended while not listening: look again.
      .then(() => this.wakeAll())
      .catch(fail);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakers.clear();
    if (this.listenRetry) clearTimeout(this.listenRetry);
    const listener = this.listener;
    this.listener = undefined;
    if (listener) await listener.end().catch(() => {});
  }
}
