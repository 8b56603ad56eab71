import type { CommunityEvent, ProposalEvent, SessionEvent, WishEvent } from '@yishi/domain';
import type { RecordedEvent } from '@yishi/event-store';
import type { Insertable, Kysely } from 'kysely';
import type { Projection } from '../projections/projection.ts';
import { createTemporalTable, TEXT_ARRAY, versionsIndex } from '../projections/schema.ts';
import { atOf, type Data, VersionedRows } from '../projections/temporal.ts';
import type { Database, NotificationDeliveriesTable, WebhooksTable } from '../tables.ts';
import {
  addresseeKey,
  linksOf,
  NOTIFYING,
  type NotificationBody,
  notificationData,
  occurredAt,
  type Subject,
  subjectOfStream,
  TO_ADDRESSEE,
  TO_PERSONS,
  titleStreamOf,
} from './payload.ts';
import { registryReachability } from './reachability.ts';

// 通知: the outbox as a projection. It follows the events like every projection: the webhooks
// each community configured (a temporal read model), the titles notifications quote, and for
// each notifying event one outbox row per subscribed webhook, written in the batch's
// transaction with the checkpoint. The outbox is in `public`, outside the generation, and a
// delivery's id is `<global position>.<webhook id>`: a replay or a rebuild inserts the same ids
// again, and `ON CONFLICT DO NOTHING` makes that a no-op, so no delivery is ever made twice.

const WEBHOOK_KEYS = ['community_id', 'webhook_id'] as const;
const SUBJECT_EVENTS = new Set([
  'ProposalSubmitted',
  'ProposalAmended',
  'SessionConvened',
  'WishPosted',
]);
const WEBHOOK_EVENTS = new Set(['WebhookConfigured', 'WebhookRemoved']);
/** Consent to be reached and opting out: who a reminder may go to. */
const CONTACT_EVENTS = new Set(['ContactConsentRecorded', 'RemindersOptedOut']);
/** Outbox rows per statement (each row is 11 parameters). */
const CHUNK = 1000;
/**
 * An event projected this long after it was recorded is not sent but dead-lettered, visibly
 * (an admin may re-queue it): the outbox rows of a long outage, of a restored database that lost
 * them, or of a new version of this projection that notifies more kinds, would be old news.
 */
export const STALE_AFTER_MS = 7 * 24 * 3_600_000;

type Webhook = Data<WebhooksTable>;

/**
 * The deterministic id of the delivery of the event at `globalPosition` to a webhook (and, for
 * a reminder, to one person through it).
 */
export function deliveryIdOf(globalPosition: bigint, webhookId: string, personId?: string): string {
  return personId === undefined
    ? `${globalPosition}.${webhookId}`
    : `${globalPosition}.${webhookId}.${personId}`;
}

function communityOfRegistryStream(streamId: string): string | undefined {
  return streamId.startsWith('community-') ? streamId.slice('community-'.length) : undefined;
}

export const notificationsProjection: Projection = {
  name: 'notifications',
  // 2: reminders, one delivery per reachable person, from the consent events.
  // 3: participation: a reply to its parent's author, a wish claimed or done to its requester.
  version: 3,
  tables: ['webhooks', 'notification_subjects', 'reminder_contacts', 'notification_addressees'],
  migrations: {
    '2026-11-22-001-notifications': {
      async up(db) {
        await createTemporalTable(
          db,
          'webhooks',
          [...WEBHOOK_KEYS],
          [
            ['url', 'text'],
            ['events', TEXT_ARRAY],
            ['description', 'text', 'null'],
            ['active', 'boolean'],
            ['configured_at', 'text'],
            ['configured_by', 'text'],
            ['removed_at', 'text', 'null'],
            ['removed_reason', 'text', 'null'],
          ],
        );
        await db.schema
          .createTable('notification_subjects')
          .addColumn('stream_id', 'text', (c) => c.primaryKey())
          .addColumn('community_id', 'text', (c) => c.notNull())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('scheduled_at', 'text')
          .execute();
      },
    },
    '2026-12-07-001-reminder-contacts': {
      async up(db) {
        await db.schema
          .createTable('reminder_contacts')
          .addColumn('community_id', 'text', (c) => c.notNull())
          .addColumn('person_id', 'text', (c) => c.notNull())
          .addColumn('channels', TEXT_ARRAY, (c) => c.notNull())
          .addColumn('opted_out', 'boolean', (c) => c.notNull())
          .addPrimaryKeyConstraint('reminder_contacts_pk', ['community_id', 'person_id'])
          .execute();
      },
    },
    '2026-12-07-002-notification-addressees': {
      async up(db) {
        // Who later events of a stream are for: a comment's author (key: the comment's id),
        // a wish's requester (key: `requester`).
        await db.schema
          .createTable('notification_addressees')
          .addColumn('community_id', 'text', (c) => c.notNull())
          .addColumn('stream_id', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('person_id', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('notification_addressees_pk', ['stream_id', 'key'])
          .execute();
      },
    },
  },
  indexes: (db) => [versionsIndex(db, 'webhooks', WEBHOOK_KEYS)],
  eventTypes: [...Object.keys(NOTIFYING), ...SUBJECT_EVENTS, ...WEBHOOK_EVENTS, ...CONTACT_EVENTS],
  unread: { VotingOpened: ['electorate'] },
  async apply(ctx, events) {
    const relevant = events.filter(
      (e) =>
        e.type in NOTIFYING ||
        SUBJECT_EVENTS.has(e.type) ||
        WEBHOOK_EVENTS.has(e.type) ||
        CONTACT_EVENTS.has(e.type),
    );
    if (relevant.length === 0) return;
    const batch = await loadBatch(ctx.rm, relevant);
    const webhookRows = new VersionedRows('webhooks', WEBHOOK_KEYS);
    await webhookRows.load(ctx.db, ctx.schema, batch.webhookKeys);
    const subjects: {
      stream_id: string;
      community_id: string;
      title: string;
      scheduled_at: string | null;
    }[] = [];
    const setSubject = (event: RecordedEvent, cid: string, subject: Subject) => {
      batch.subjects.set(event.streamId, subject);
      subjects.push({
        stream_id: event.streamId,
        community_id: cid,
        title: subject.title,
        scheduled_at: subject.scheduledAt,
      });
    };
    const deliveries: Insertable<NotificationDeliveriesTable>[] = [];
    const reachability = registryReachability(ctx.rm);
    const addressees = streamAddressees(ctx.rm);

    for (const event of relevant) {
      const registryCid = communityOfRegistryStream(event.streamId);
      if (registryCid !== undefined) {
        const hooks = batch.webhooksOf(registryCid);
        const e = { type: event.type, data: event.data } as CommunityEvent;
        if (e.type === 'WebhookConfigured') {
          const webhook: Webhook = {
            community_id: registryCid,
            webhook_id: e.data.webhookId,
            url: e.data.url,
            events: [...e.data.events],
            description: e.data.description ?? null,
            active: true,
            configured_at: e.data.at,
            configured_by: e.data.by.personId,
            removed_at: null,
            removed_reason: null,
          };
          hooks.set(webhook.webhook_id, webhook);
          webhookRows.put(webhook, atOf(event));
        } else if (e.type === 'ContactConsentRecorded' || e.type === 'RemindersOptedOut') {
          // Written at once: a reminder later in this batch reads it (same transaction).
          const consent = e.type === 'ContactConsentRecorded' ? [...e.data.channels] : [];
          await ctx.rm
            .insertInto('reminder_contacts')
            .values({
              community_id: registryCid,
              person_id: e.data.personId,
              channels: consent,
              opted_out: e.type === 'RemindersOptedOut',
            })
            .onConflict((oc) =>
              oc
                .columns(['community_id', 'person_id'])
                .doUpdateSet(
                  e.type === 'ContactConsentRecorded'
                    ? { channels: consent, opted_out: false }
                    : { opted_out: true },
                ),
            )
            .execute();
        } else if (e.type === 'WebhookRemoved') {
          const current = hooks.get(e.data.webhookId);
          if (!current) continue;
          const removed = {
            ...current,
            active: false,
            removed_at: e.data.at,
            removed_reason: e.data.reason,
          };
          hooks.set(removed.webhook_id, removed);
          webhookRows.put(removed, atOf(event));
        }
        continue;
      }
      const ids = subjectOfStream(event.streamId);
      if (!ids) continue;
      const cid = ids.communityId;
      // Every comment's author is kept, whether or not a webhook listens yet: a reply later
      // is for them.
      if (event.type === 'CommentPosted' && typeof event.data.commentId === 'string') {
        await addressees.keep(cid, event.streamId, event.data.commentId, actorOf(event));
      }
      if (SUBJECT_EVENTS.has(event.type)) {
        const e = { type: event.type, data: event.data } as
          | ProposalEvent
          | SessionEvent
          | WishEvent;
        if (e.type === 'WishPosted') {
          setSubject(event, cid, { title: e.data.title, scheduledAt: null });
          await addressees.keep(cid, event.streamId, 'requester', actorOf(event));
        } else if (e.type === 'SessionConvened') {
          setSubject(event, cid, { title: e.data.title, scheduledAt: e.data.scheduledAt });
        } else if (e.type === 'ProposalSubmitted' || e.type === 'ProposalAmended') {
          if (e.data.title !== undefined)
            setSubject(event, cid, { title: e.data.title, scheduledAt: null });
        }
        continue;
      }
      const kind = NOTIFYING[event.type];
      if (!kind) continue;
      const subscribed = [...batch.webhooksOf(cid).values()].filter(
        (w) => w.active && w.events.includes(kind),
      );
      if (subscribed.length === 0) continue;
      const data = notificationData(event, batch.subjects.get(titleStreamOf(event.streamId)));
      if (!data) continue;
      const age = Date.now() - event.recordedAt.getTime();
      const stale =
        age > STALE_AFTER_MS
          ? {
              status: 'dead' as const,
              last_error: `not sent: projected ${Math.floor(age / 86_400_000)} days after it was recorded`,
            }
          : {};
      // A reminder to persons (non-voters, missing signers): one delivery per webhook and
      // reachable person. A reply, a wish claimed or done: one delivery to the person concerned,
      // when reachable and not the one who acted (replying to oneself tells no one anything).
      const addressee = TO_ADDRESSEE.has(event.type)
        ? await addressees.of(event.streamId, addresseeKey(event))
        : undefined;
      if (TO_ADDRESSEE.has(event.type) && (!addressee || addressee === actorOf(event))) continue;
      const recipients = TO_PERSONS.has(event.type)
        ? await reachability.reachable(cid, event.data.personIds as string[])
        : addressee
          ? await reachability.reachable(cid, [addressee])
          : [undefined];
      for (const recipient of recipients)
        for (const webhook of subscribed) {
          const deliveryId = deliveryIdOf(
            event.globalPosition,
            webhook.webhook_id,
            recipient?.personId,
          );
          const body: NotificationBody = {
            deliveryId,
            communityId: cid,
            kind,
            event: event.type,
            occurredAt: occurredAt(event),
            streamId: event.streamId,
            streamVersion: event.streamVersion,
            position: `${event.transactionId}:${event.globalPosition}`,
            data,
            ...(recipient ? { recipient } : {}),
            links: linksOf(event.streamId),
          };
          deliveries.push({
            delivery_id: deliveryId,
            community_id: cid,
            webhook_id: webhook.webhook_id,
            kind,
            event_type: event.type,
            stream_id: event.streamId,
            stream_version: event.streamVersion,
            transaction_id: event.transactionId.toString(),
            global_position: event.globalPosition.toString(),
            occurred_at: body.occurredAt,
            payload: JSON.stringify(body),
            ...stale,
          });
        }
    }

    await webhookRows.flush(ctx.db, ctx.schema);
    if (subjects.length > 0) {
      // The last write of a stream in the batch wins, as in the event order.
      const last = [...new Map(subjects.map((s) => [s.stream_id, s])).values()];
      await ctx.rm
        .insertInto('notification_subjects')
        .values(last)
        .onConflict((oc) =>
          oc.column('stream_id').doUpdateSet((eb) => ({
            title: eb.ref('excluded.title'),
            scheduled_at: eb.ref('excluded.scheduled_at'),
          })),
        )
        .execute();
    }
    // One order for every writer (the live projector and a rebuild may insert the same ids at
    // once): their row locks are then taken in the same order and cannot deadlock.
    deliveries.sort((a, b) =>
      a.delivery_id < b.delivery_id ? -1 : a.delivery_id > b.delivery_id ? 1 : 0,
    );
    for (let i = 0; i < deliveries.length; i += CHUNK) {
      await ctx.db
        .insertInto('notification_deliveries')
        .values(deliveries.slice(i, i + CHUNK))
        .onConflict((oc) => oc.column('delivery_id').doNothing())
        .execute();
    }
  },
};

/** Who sent the command behind an event (`by` of its data). */
function actorOf(event: RecordedEvent): string {
  const by = event.data.by as { personId?: unknown } | undefined;
  return typeof by?.personId === 'string' ? by.personId : '';
}

/**
 * The persons later events of a stream are for, as this read model keeps them. Written at once
 * (a reply later in the same batch reads its parent's author, in the same transaction).
 */
function streamAddressees(rm: Kysely<Database>) {
  const known = new Map<string, string>();
  const keyOf = (streamId: string, key: string) => `${streamId}\u0000${key}`;
  return {
    async keep(cid: string, streamId: string, key: string, personId: string): Promise<void> {
      if (!personId) return;
      known.set(keyOf(streamId, key), personId);
      await rm
        .insertInto('notification_addressees')
        .values({ community_id: cid, stream_id: streamId, key, person_id: personId })
        .onConflict((oc) => oc.columns(['stream_id', 'key']).doNothing())
        .execute();
    },
    async of(streamId: string, key: string | undefined): Promise<string | undefined> {
      if (key === undefined) return undefined;
      const cached = known.get(keyOf(streamId, key));
      if (cached !== undefined) return cached;
      const row = await rm
        .selectFrom('notification_addressees')
        .select('person_id')
        .where('stream_id', '=', streamId)
        .where('key', '=', key)
        .executeTakeFirst();
      if (row) known.set(keyOf(streamId, key), row.person_id);
      return row?.person_id;
    },
  };
}

/**
 * What a batch needs to know before it applies: the current webhooks of the communities it
 * notifies or configures, and the subjects (titles) of the streams it notifies about.
 */
async function loadBatch(rm: Kysely<Database>, events: readonly RecordedEvent[]) {
  const communities = new Set<string>();
  const streams = new Set<string>();
  const webhookKeys = new Map<string, [string, string]>();
  const configuring = new Set<string>();
  for (const event of events) {
    const registryCid = communityOfRegistryStream(event.streamId);
    if (registryCid !== undefined) {
      communities.add(registryCid);
      configuring.add(registryCid);
      const webhookId = event.data.webhookId;
      if (typeof webhookId === 'string') {
        webhookKeys.set(`${registryCid}\u0000${webhookId}`, [registryCid, webhookId]);
      }
    } else if (event.type in NOTIFYING) {
      const ids = subjectOfStream(event.streamId);
      if (!ids) continue;
      communities.add(ids.communityId);
      streams.add(titleStreamOf(event.streamId));
    }
  }
  const webhooks = new Map<string, Map<string, Webhook>>();
  const webhooksOf = (cid: string) => {
    let hooks = webhooks.get(cid);
    if (!hooks) {
      hooks = new Map();
      webhooks.set(cid, hooks);
    }
    return hooks;
  };
  if (communities.size > 0) {
    const rows = await rm
      .selectFrom('webhooks')
      .select([
        'community_id',
        'webhook_id',
        'url',
        'events',
        'description',
        'active',
        'configured_at',
        'configured_by',
        'removed_at',
        'removed_reason',
      ])
      .where('community_id', 'in', [...communities])
      .where('valid_to_tx', 'is', null)
      .execute();
    for (const row of rows) webhooksOf(row.community_id).set(row.webhook_id, row);
  }
  const subjects = new Map<string, Subject>();
  // Only communities with a webhook need titles.
  const wanted = [...streams].filter((s) => {
    const cid = subjectOfStream(s)?.communityId ?? '';
    return (webhooks.get(cid)?.size ?? 0) > 0 || configuring.has(cid);
  });
  if (wanted.length > 0) {
    const rows = await rm
      .selectFrom('notification_subjects')
      .select(['stream_id', 'title', 'scheduled_at'])
      .where('stream_id', 'in', wanted)
      .execute();
    for (const row of rows) {
      subjects.set(row.stream_id, { title: row.title, scheduledAt: row.scheduled_at });
    }
  }
  return { webhookKeys: [...webhookKeys.values()], webhooksOf, subjects };
}
