import {
  communityOfStream,
  personalFields,
  personalFieldsOf,
  personalSubject,
  streams,
} from '@yishi/domain';
import {
  type EventStore,
  type JsonObject,
  type NewEvent,
  type RecordedEvent,
  START,
} from '@yishi/event-store';
import { isSealed } from './sealed.ts';
import { ERASED, type Vault } from './vault.ts';

// Personal fields between the domain and the store (packages/domain catalog/personal.ts says
// which): sealed just before an append, opened when a stream is folded. The domain sees clear
// values, the store holds sealed ones, and the hash chain covers what is stored.

const ERASURE = 'PersonalDataErased';

function subjectOf(communityId: string, data: JsonObject): string {
  return personalSubject(communityId, String(data.personId));
}

/**
 * The events with their personal fields sealed under each person's data key. An erasure among
 * them is marked as started, so that a crash between its append and the key's destruction is
 * finished at the next start (`reconcileErasures`).
 */
export async function sealEvents(
  vault: Vault,
  communityId: string,
  events: readonly NewEvent[],
): Promise<NewEvent[]> {
  const requests: { event: number; field: string; subject: string; value: string }[] = [];
  for (const [i, event] of events.entries()) {
    if (event.type === ERASURE) await vault.startErasure(subjectOf(communityId, event.data));
    for (const field of personalFieldsOf(event.type)) {
      const value = event.data[field];
      if (typeof value !== 'string') continue;
      requests.push({ event: i, field, subject: subjectOf(communityId, event.data), value });
    }
  }
  if (requests.length === 0) return [...events];
  const sealed = await vault.sealAll(requests);
  const out = events.map((e) => ({ ...e }));
  for (const [i, request] of requests.entries()) {
    const event = out[request.event]!;
    event.data = { ...event.data, [request.field]: sealed[i]! };
  }
  return out;
}

/** After an append: destroys the data keys of the persons whose erasure it recorded. */
export async function destroyErasedKeys(
  vault: Vault,
  communityId: string,
  events: readonly Pick<NewEvent, 'type' | 'data'>[],
): Promise<void> {
  for (const event of events) {
    if (event.type === ERASURE) await vault.destroy(subjectOf(communityId, event.data));
  }
}

/**
 * Stored events as the domain reads them: personal fields opened; a field whose person's data
 * was erased is left out (it can no longer be read). Clear values stored before sealing began
 * are read as they are.
 */
export async function openEvents(
  vault: Vault,
  events: readonly RecordedEvent[],
): Promise<readonly RecordedEvent[]> {
  const sealed: string[] = [];
  for (const event of events) {
    for (const field of personalFieldsOf(event.type)) {
      const value = event.data[field];
      if (isSealed(value)) sealed.push(value);
    }
  }
  if (sealed.length === 0) return events;
  const keyring = await vault.keyring(sealed);
  return events.map((event) => {
    const fields = personalFieldsOf(event.type);
    if (fields.length === 0) return event;
    const data: JsonObject = { ...event.data };
    for (const field of fields) {
      const value = data[field];
      if (!isSealed(value)) continue;
      const opened = keyring.open(value, field);
      if (opened === ERASED) delete data[field];
      else data[field] = opened;
    }
    return { ...event, data };
  });
}

/**
 * Finishes erasures a crash interrupted: a person whose erasure is recorded in the registry
 * has their key destroyed; an erasure that was never appended is cancelled.
 */
export async function reconcileErasures(
  vault: Vault,
  store: Pick<EventStore, 'readStream'>,
): Promise<{ destroyed: string[]; cancelled: string[] }> {
  const destroyed: string[] = [];
  const cancelled: string[] = [];
  for (const subject of await vault.pendingErasures()) {
    const slash = subject.indexOf('/');
    const communityId = subject.slice(0, slash);
    const personId = subject.slice(slash + 1);
    const events = await store.readStream(streams.community(communityId));
    const erased = events.some((e) => e.type === ERASURE && e.data.personId === personId);
    if (erased) {
      await vault.destroy(subject);
      destroyed.push(subject);
    } else {
      await vault.cancelErasure(subject);
      cancelled.push(subject);
    }
  }
  return { destroyed, cancelled };
}

/**
 * Destroys the data key of every person whose erasure the record holds, reading every event:
 * after the key table was restored from a backup taken before an erasure, say.
 */
export async function reconcileAllErasures(
  vault: Vault,
  store: Pick<EventStore, 'readAll'>,
  batchSize = 5_000,
): Promise<{ erasures: number; destroyed: string[] }> {
  const subjects = new Set<string>();
  let from = START;
  for (;;) {
    const { events, checkpoint } = await store.readAll(from, batchSize);
    for (const e of events) {
      const communityId = e.type === ERASURE ? communityOfStream(e.streamId) : undefined;
      if (communityId !== undefined) subjects.add(subjectOf(communityId, e.data));
    }
    if (events.length === 0) break;
    from = checkpoint;
  }
  const destroyed: string[] = [];
  for (const subject of subjects) {
    if (await vault.destroy(subject)) destroyed.push(subject);
  }
  return { erasures: subjects.size, destroyed };
}

/** The personal fields of any event: a request body names its persons with the same fields. */
const PERSONAL = new Set<string>(Object.values(personalFields).flat());

/**
 * A request body with every person's personal fields (in any object naming a `personId`)
 * replaced by a digest under that person's data key: what an Idempotency-Key's request digest
 * is taken of. A plain hash of the clear body would let anyone with the store try every phone
 * number or birth date until it matched, after the erasure too.
 */
export async function blindPersonalFields(
  vault: Vault,
  communityId: string,
  body: unknown,
): Promise<unknown> {
  // Most requests (ballots) name no one's personal field: they are digested as they are.
  if (!namesPersonalField(body)) return body;
  const found: {
    holder: Record<string, unknown>;
    field: string;
    subject: string;
    value: string;
  }[] = [];
  const copy = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(copy);
    if (value === null || typeof value !== 'object') return value;
    const holder: Record<string, unknown> = {};
    const personId = (value as Record<string, unknown>).personId;
    for (const [key, inner] of Object.entries(value)) {
      holder[key] = copy(inner);
      if (typeof personId === 'string' && PERSONAL.has(key) && typeof inner === 'string') {
        found.push({
          holder,
          field: key,
          subject: personalSubject(communityId, personId),
          value: inner,
        });
      }
    }
    return holder;
  };
  const blinded = copy(body);
  const macs = await vault.macAll(found);
  for (const [i, f] of found.entries()) f.holder[f.field] = `mac:${macs[i]}`;
  return blinded;
}

/** Whether an object naming a `personId`, in the value or nested in it, has a personal field. */
function namesPersonalField(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(namesPersonalField);
  const record = value as Record<string, unknown>;
  const own = typeof record.personId === 'string';
  for (const key in record) {
    const inner = record[key];
    if (own && PERSONAL.has(key) && typeof inner === 'string') return true;
    if (namesPersonalField(inner)) return true;
  }
  return false;
}
