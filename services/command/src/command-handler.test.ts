import { type Decider, refuse } from '@yishi/domain';
import { PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandHandler, type CommandOutcome } from './command-handler.ts';
import { StateReader } from './state-reader.ts';

// A counter decider stands in for any stream: the handler must not care what it decides.
type Cmd = { type: 'Add'; data: { n: number }; actor: never; at: string };
type Evt = { type: 'Added'; data: { n: number; total: number } };
const counter: Decider<Cmd, Evt, { total: number }> = {
  initialState: () => ({ total: 0 }),
  evolve: (_s, e) => ({ total: e.data.total }),
  decide: (c, s) =>
    c.data.n <= 0
      ? refuse('invalid-command', 'n must be positive')
      : [{ type: 'Added', data: { n: c.data.n, total: s.total + c.data.n } }],
};

let store: PostgresEventStore;
beforeAll(async () => {
  store = new PostgresEventStore({ connectionString: await testDatabaseUrl(), maxConnections: 20 });
  await store.init();
});
afterAll(() => store.close());

function handlerWith(batches: number[]) {
  return new CommandHandler({
    store,
    states: new StateReader(store, (e) => ({ type: e.type, data: e.data })),
    clock: () => new Date('2026-11-21T08:00:00.000Z'),
    newId: () => 'x',
    onBatch: (n) => batches.push(n),
  });
}

function add(
  handler: CommandHandler,
  streamId: string,
  n: number,
  key?: string,
  digest?: string,
): Promise<CommandOutcome> {
  return handler.handle({
    communityId: 'c1',
    streamId,
    decider: counter,
    actor: { personId: 'p1', role: 'clerk' },
    idempotencyKey: key,
    ...(digest === undefined ? {} : { requestDigest: digest }),
    requestId: 'r',
    command: (at) => ({ type: 'Add', data: { n }, actor: undefined as never, at }),
  });
}

describe('CommandHandler group commit', () => {
  it('decides a burst on one stream in order and appends it in few transactions', async () => {
    const batches: number[] = [];
    const handler = handlerWith(batches);
    const outcomes = await Promise.all(
      Array.from({ length: 400 }, () => add(handler, 'counter-a', 1)),
    );
    expect(outcomes.every((o) => o.kind === 'ok')).toBe(true);
    const versions = outcomes.map((o) => (o.kind === 'ok' ? o.result.nextExpectedVersion : -1));
    expect(new Set(versions).size).toBe(400);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(400);
    expect(batches.length).toBeLessThan(400);
    const events = await store.readStream('counter-a');
    expect(events.map((e) => e.data.total)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
  });

  it('answers each command on its own: a refusal in a batch does not sink the others', async () => {
    const handler = handlerWith([]);
    const outcomes = await Promise.all([
      add(handler, 'counter-b', 1),
      add(handler, 'counter-b', -1),
      add(handler, 'counter-b', 2),
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['ok', 'refused', 'ok']);
    expect((await store.readStream('counter-b')).map((e) => e.data.total)).toEqual([1, 3]);
  });

  it('returns the first answer for a repeated key, in the same batch or later', async () => {
    const handler = handlerWith([]);
    const [a, b] = await Promise.all([
      add(handler, 'counter-c', 5, 'k'),
      add(handler, 'counter-c', 5, 'k'),
    ]);
    expect(a).toMatchObject({ kind: 'ok', duplicate: false });
    expect(b).toMatchObject({ kind: 'ok', duplicate: true });
    const later = await add(handler, 'counter-c', 5, 'k');
    expect(later).toMatchObject({ kind: 'ok', duplicate: true });
    expect(await store.readStream('counter-c')).toHaveLength(1);
  });

  it('two instances on one stream: conflicts are retried and nothing is lost', async () => {
    const one = handlerWith([]);
    const two = handlerWith([]);
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, (_, i) => add(i % 2 ? one : two, 'counter-d', 1)),
    );
    const ok = outcomes.filter((o) => o.kind === 'ok').length;
    const conflicts = outcomes.filter((o) => o.kind === 'conflict').length;
    expect(ok + conflicts).toBe(60);
    const events = await store.readStream('counter-d');
    expect(events).toHaveLength(ok);
    expect(events.map((e) => e.data.total)).toEqual(Array.from({ length: ok }, (_, i) => i + 1));
  });

  it('a key reused for another request is refused, in the same batch or later', async () => {
    const handler = handlerWith([]);
    const [a, b] = await Promise.all([
      add(handler, 'counter-e', 5, 'k-e', 'digest-1'),
      add(handler, 'counter-e', 6, 'k-e', 'digest-2'),
    ]);
    expect(a).toMatchObject({ kind: 'ok', duplicate: false });
    expect(b).toEqual({ kind: 'key-reused' });
    // Later: appended again (the store finds the key), refused by the decider, another stream.
    expect(await add(handler, 'counter-e', 7, 'k-e', 'digest-3')).toEqual({ kind: 'key-reused' });
    expect(await add(handler, 'counter-e', -1, 'k-e', 'digest-4')).toEqual({ kind: 'key-reused' });
    expect(await add(handler, 'counter-f', 1, 'k-e', 'digest-5')).toEqual({ kind: 'key-reused' });
    // The same request still replays.
    expect(await add(handler, 'counter-e', 5, 'k-e', 'digest-1')).toMatchObject({
      kind: 'ok',
      duplicate: true,
    });
    expect((await store.readStream('counter-e')).map((e) => e.data.total)).toEqual([5]);
    expect(await store.readStream('counter-f')).toHaveLength(0);
  });

  it('replays a key whose events were stored without a digest (before keys were bound)', async () => {
    const handler = handlerWith([]);
    expect(await add(handler, 'counter-g', 2, 'k-g')).toMatchObject({ kind: 'ok' });
    expect((await store.readStream('counter-g'))[0]!.metadata).not.toHaveProperty('requestDigest');
    expect(await add(handler, 'counter-g', 3, 'k-g', 'digest-x')).toMatchObject({
      kind: 'ok',
      duplicate: true,
    });
    expect(await store.readStream('counter-g')).toHaveLength(1);
  });
});
