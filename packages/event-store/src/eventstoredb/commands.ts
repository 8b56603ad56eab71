/**
 * Exactly-once commands on KurrentDB, whose 6.x client has no multi-stream transaction and whose
 * idempotency compares event ids only at exact revisions: an append at the stream's head is
 * written without comparing ids (IndexWriter.CheckCommit in github.com/kurrent-io/KurrentDB;
 * https://developers.eventstore.com/clients/dotnet/21.2/appending/optimistic-concurrency-and-idempotence.html).
 *
 * Every attempt to append a command first reserves it: a `CommandReserved` record in the
 * command's own stream, appended at exactly the next revision (so attempts are ordered, and each
 * sees every earlier one), saying where the attempt's events go. The attempt's events carry ids of
 * their own (`eventIdFor(command, attempt, i)`). The command landed when its stream holds those
 * ids at those versions. Before appending, an attempt checks every earlier one: one that landed
 * makes this a duplicate. One that did not can land later only at the version this attempt
 * appends at too (every append is sent at an exact revision, and a stream that moved past an
 * attempt's base never takes it), where KurrentDB lets only one of them in.
 */
import { randomUUID } from 'node:crypto';
import { jsonEvent } from '@eventstore/db-client';
import type { AppendResult, Checkpoint, NewEvent } from '../types.ts';
import { appendChecked, type KurrentClient, WrongRevision } from './client.ts';
import {
  checkpointOfPosition,
  commandStreamOf,
  eventIdFor,
  isReservation,
  type Reservation,
  toExpectedRevision,
} from './mapping.ts';
import { type RawEvent, readRaw } from './reading.ts';

/** A command's attempts so far: index = attempt number (= revision of its record). */
export type Attempts = (Reservation | undefined)[];

export async function readAttempts(client: KurrentClient, commandId: string): Promise<Attempts> {
  const records = await readRaw(client, commandStreamOf(commandId), 1, undefined);
  return records.map((r) => (isReservation(r.data) ? r.data : undefined));
}

/**
 * Writes attempt number `attempt` of a command. When another attempt took that number first,
 * the number of attempts KurrentDB reports (reads may not show them all yet): the caller reads
 * the attempts again.
 */
export async function reserve(
  client: KurrentClient,
  commandId: string,
  attempt: number,
  reservation: Reservation,
): Promise<{ taken: number } | undefined> {
  try {
    await appendChecked(
      client,
      commandStreamOf(commandId),
      [jsonEvent({ id: randomUUID(), type: 'CommandReserved', data: { ...reservation } })],
      toExpectedRevision(attempt),
    );
    return undefined;
  } catch (error) {
    if (error instanceof WrongRevision) return { taken: error.actualVersion ?? attempt + 1 };
    throw error;
  }
}

/** The result of the attempt that landed, if one did (at most one can). */
export async function landedResult(
  client: KurrentClient,
  commandId: string,
  attempts: Attempts,
): Promise<AppendResult | undefined> {
  const results = await Promise.all(
    attempts.map((r, attempt) => (r ? landedAt(client, commandId, attempt, r) : undefined)),
  );
  return results.find((r) => r !== undefined);
}

async function landedAt(
  client: KurrentClient,
  commandId: string,
  attempt: number,
  r: Reservation,
): Promise<AppendResult | undefined> {
  const lastOfCommand = r.first + r.count - 1;
  const lastOfAppend = r.base + r.total;
  const [mine, end] = await Promise.all([
    readRaw(client, r.streamId, r.first, r.count),
    lastOfAppend === lastOfCommand ? undefined : readRaw(client, r.streamId, lastOfAppend, 1),
  ]);
  const landed =
    mine.length === r.count &&
    mine.every(
      (e, i) =>
        e.revision === BigInt(r.first - 1 + i) &&
        e.id.toLowerCase() === eventIdFor(commandId, attempt, i),
    );
  if (!landed) return undefined;
  // The whole append's last event: its position is the checkpoint the first answer gave.
  const last: RawEvent | undefined = end ? end[0] : mine[mine.length - 1];
  const checkpoint = last?.position
    ? checkpointOfPosition(last.position)
    : { transactionId: 0n, globalPosition: 0n };
  return {
    streamId: r.streamId,
    nextExpectedVersion: lastOfCommand,
    lastGlobalPosition: checkpoint.globalPosition,
    checkpoint,
    duplicate: true,
  };
}

type Group = { commandId?: string | undefined; events: NewEvent[] };

/**
 * Where one attempt puts each command's events (after `base`, in order) and the ids it sends:
 * its own per command (attempt number = the command's next record), random without one.
 */
export function planAttempt(
  streamId: string,
  base: number,
  groups: Group[],
  attempts: Attempts[],
): {
  reservations: { commandId: string; attempt: number; reservation: Reservation }[];
  ids: string[];
} {
  const total = groups.reduce((n, g) => n + g.events.length, 0);
  const reservations: { commandId: string; attempt: number; reservation: Reservation }[] = [];
  const ids: string[] = [];
  let first = base + 1;
  groups.forEach((group, i) => {
    const attempt = attempts[i]!.length;
    if (group.commandId !== undefined) {
      reservations.push({
        commandId: group.commandId,
        attempt,
        reservation: { streamId, base, first, count: group.events.length, total },
      });
    }
    for (let k = 0; k < group.events.length; k++) ids.push(eventIdFor(group.commandId, attempt, k));
    first += group.events.length;
  });
  return { reservations, ids };
}

/**
 * A written append's results, per group: its last version and the append's checkpoint (the
 * position of each event is not returned; `landedResult` answers the same checkpoint).
 */
export function writtenResults(
  streamId: string,
  groups: Group[],
  base: number,
  checkpoint: Checkpoint,
): AppendResult[] {
  let offset = 0;
  return groups.map((group) => {
    offset += group.events.length;
    return {
      streamId,
      nextExpectedVersion: base + offset,
      lastGlobalPosition: checkpoint.globalPosition,
      checkpoint,
      duplicate: false,
    };
  });
}
