import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../hash.ts';
import { checkpointReached } from '../types.ts';
import { prepareAppend } from '../validation.ts';
import { ChainVerifier } from '../verify.ts';
import {
  COMMAND_CATEGORY,
  chainEvents,
  checkpointOfPosition,
  commandStreamOf,
  directoryStreamOf,
  type EsdbRecorded,
  eventIdFor,
  isAdapterStream,
  isAfter,
  isPortEvent,
  isReservation,
  isStart,
  PORT_STREAMS_REGEX,
  positionOfCheckpoint,
  scopeOfPrefix,
  scopeOfStream,
  toExpectedRevision,
  toRecordedEvent,
  versionOfCurrent,
  versionOfRevision,
} from './mapping.ts';

describe('EventStoreDB mapping', () => {
  it('expected versions: port counts events, EventStoreDB revisions are zero-based', () => {
    expect(toExpectedRevision('any')).toBe('any');
    expect(toExpectedRevision('noStream')).toBe('no_stream');
    expect(toExpectedRevision('streamExists')).toBe('stream_exists');
    expect(toExpectedRevision(0)).toBe('no_stream');
    expect(toExpectedRevision(1)).toBe(0n);
    expect(toExpectedRevision(42)).toBe(41n);
    expect(versionOfRevision(0n)).toBe(1);
    expect(versionOfRevision(41n)).toBe(42);
    expect(versionOfCurrent('no_stream')).toBe(0);
    expect(versionOfCurrent(9n)).toBe(10);
    for (const n of [1, 2, 1000]) {
      expect(versionOfRevision(toExpectedRevision(n) as bigint)).toBe(n);
    }
  });

  it('checkpoints are (commit, prepare) positions, in $all order', () => {
    const p = { commit: 1200n, prepare: 1100n };
    expect(checkpointOfPosition(p)).toEqual({ transactionId: 1200n, globalPosition: 1100n });
    expect(positionOfCheckpoint(checkpointOfPosition(p))).toEqual(p);
    expect(isStart({ transactionId: 0n, globalPosition: 0n })).toBe(true);
    expect(isStart(checkpointOfPosition(p))).toBe(false);
    const ordered = [
      { commit: 10n, prepare: 10n },
      { commit: 20n, prepare: 15n },
      { commit: 20n, prepare: 18n },
      { commit: 35n, prepare: 35n },
    ];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        const a = checkpointOfPosition(ordered[i]!);
        const b = checkpointOfPosition(ordered[j]!);
        expect(checkpointReached(a, b)).toBe(i >= j);
        expect(isAfter(ordered[i]!, b)).toBe(i > j);
      }
    }
  });

  it('event ids: UUIDs derived from the command id, attempt and index, random without one', () => {
    const a = eventIdFor('cmd-1', 0, 0);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventIdFor('cmd-1', 0, 0)).toBe(a);
    expect(eventIdFor('cmd-1', 0, 1)).not.toBe(a);
    expect(eventIdFor('cmd-1', 1, 0)).not.toBe(a);
    expect(eventIdFor('cmd-2', 0, 0)).not.toBe(a);
    expect(eventIdFor(undefined, 0, 0)).not.toBe(eventIdFor(undefined, 0, 0));
    expect(commandStreamOf('cmd-1')).toMatch(new RegExp(`^${COMMAND_CATEGORY}-[0-9a-f]{64}$`));
    expect(commandStreamOf('cmd-1')).toBe(commandStreamOf('cmd-1'));
  });

  it('what is written reads back as the same events, with a verifiable hash chain', () => {
    const streamId = 'proposal-esdb.1';
    const groups = [
      {
        commandId: 'k1',
        events: [
          {
            type: 'ProposalSubmitted',
            data: { title: '加装电梯', n: [1, 0.5] },
            metadata: { commandId: 'k1', correlationId: 'r1', causationId: 'k1' },
          },
          {
            type: 'OptionAdded',
            schemaVersion: 2,
            data: { label: 'A' },
            metadata: { commandId: 'k1' },
          },
        ],
      },
      { commandId: 'k2', events: [{ type: 'OptionAdded', data: { label: 'B' }, metadata: {} }] },
    ];
    const prepared = prepareAppend(streamId, groups);
    const ids = [eventIdFor('k1', 0, 0), eventIdFor('k1', 0, 1), eventIdFor('k2', 3, 0)];
    const first = chainEvents(
      { version: 0, hash: GENESIS_HASH },
      prepared.slice(0, 2),
      ids.slice(0, 2),
    );
    const second = chainEvents(
      { version: 2, hash: first.lastHash },
      prepared.slice(2),
      ids.slice(2),
    );
    const written = [...first.events, ...second.events];
    expect(written.map((e) => e.id)).toEqual(ids);
    expect(written[0]!.metadata).toMatchObject({ $correlationId: 'r1', $causationId: 'k1' });
    expect(written[1]!.metadata.yishi.commandId).toBe('k1');
    expect(written[0]!.metadata.yishi.commandId).toBeUndefined();
    // As the server would give them back (JSON through the wire).
    const stored: EsdbRecorded[] = written.map((e, i) => ({
      streamId,
      revision: BigInt(i),
      type: e.type,
      isJson: true,
      created: new Date(),
      data: JSON.parse(JSON.stringify(e.data)),
      metadata: JSON.parse(JSON.stringify(e.metadata)),
      position: { commit: BigInt(100 + i), prepare: BigInt(100 + i) },
    }));
    const events = stored.map((s) => toRecordedEvent(s)!);
    expect(events.map((e) => [e.streamVersion, e.type, e.schemaVersion])).toEqual([
      [1, 'ProposalSubmitted', 1],
      [2, 'OptionAdded', 2],
      [3, 'OptionAdded', 1],
    ]);
    expect(events[0]!.data).toEqual(groups[0]!.events[0]!.data);
    expect(events[0]!.metadata).toEqual(groups[0]!.events[0]!.metadata);
    expect(events[2]!.transactionId).toBe(102n);
    const verifier = new ChainVerifier();
    for (const e of events) expect(verifier.add(e)).toBe(true);
    expect(verifier.result()).toEqual({ ok: true, streams: 1, events: 3 });
    // Altered data is found.
    const altered = new ChainVerifier();
    const bad = toRecordedEvent({ ...stored[1]!, data: { label: 'Z' } })!;
    expect(altered.add(events[0]!)).toBe(true);
    expect(altered.add(bad)).toBe(false);
    expect(altered.result().firstBroken).toMatchObject({ streamId, streamVersion: 2 });
  });

  it('shows only events of this store in the global order', () => {
    const base: EsdbRecorded = {
      streamId: 'proposal-1',
      revision: 0n,
      type: 'A',
      isJson: true,
      created: new Date(),
      data: {},
      metadata: { metadata: {}, yishi: { schemaVersion: 1, prevHash: GENESIS_HASH, hash: 'x' } },
    };
    expect(isPortEvent(base)).toBe(true);
    expect(isPortEvent({ ...base, streamId: '$stats-127.0.0.1:2113' })).toBe(false);
    expect(isPortEvent({ ...base, type: '$metadata' })).toBe(false);
    expect(isPortEvent({ ...base, streamId: commandStreamOf('k') })).toBe(false);
    expect(isPortEvent({ ...base, isJson: false })).toBe(false);
    expect(isPortEvent({ ...base, metadata: { foreign: true } })).toBe(false);
    expect(isPortEvent({ ...base, data: [1] })).toBe(false);
    expect(toRecordedEvent({ ...base, type: '$>' })).toBeUndefined();
  });

  it('reservations: where an attempt puts a command, consistently', () => {
    const r = { streamId: 's-1', base: 4, first: 6, count: 2, total: 3 };
    expect(isReservation(r)).toBe(true);
    expect(isReservation({ ...r, first: 4 })).toBe(false); // not after the base
    expect(isReservation({ ...r, count: 0 })).toBe(false);
    expect(isReservation({ ...r, total: 2 })).toBe(false); // past the append's end
    expect(isReservation({ ...r, base: '4' })).toBe(false);
    expect(isReservation(null)).toBe(false);
  });

  it('scopes: the streams of one community are listed together', () => {
    expect(scopeOfStream('proposal-c1.p7')).toBe('proposal-c1.');
    expect(scopeOfStream('ballot-c1.p7.u3')).toBe('ballot-c1.');
    expect(scopeOfStream('community-c1')).toBeUndefined();
    expect(scopeOfPrefix('proposal-c1.')).toBe('proposal-c1.');
    expect(scopeOfPrefix('ballot-c1.p7.')).toBe('ballot-c1.');
    expect(scopeOfPrefix('proposal-c1')).toBeUndefined(); // also proposal-c10.…
    expect(scopeOfPrefix('proposal-')).toBeUndefined();
    expect(scopeOfPrefix('')).toBeUndefined();
    expect(isAdapterStream(directoryStreamOf('proposal-c1.'))).toBe(true);
    expect(isAdapterStream(commandStreamOf('k'))).toBe(true);
    expect(isAdapterStream('proposal-c1.p7')).toBe(false);
    const filter = new RegExp(PORT_STREAMS_REGEX);
    expect(['proposal-c1.p7', 'yishi-1', 'yishi_other-1'].every((s) => filter.test(s))).toBe(true);
    expect(
      ['$stats-1', '$$proposal-1', commandStreamOf('k'), directoryStreamOf('a-b.')].some((s) =>
        filter.test(s),
      ),
    ).toBe(false);
  });
});
