import type { WebhookEventKind } from '@yishi/domain';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../tables.ts';
import { checkpointJson, type StoredCheckpoint } from '../transparency/checkpoints.ts';

// Signed checkpoints to webhooks (`checkpoint-signed`). A checkpoint is the installation's, not a
// community's: a community's webhook that lists this kind receives every checkpoint the
// installation signs (a street office keeps them outside the community's hands; they carry
// hashes only, nothing of any community). The rows go to the notification outbox in the
// checkpoint's own transaction, to the webhooks configured as the notifications read model
// knows them then; the dispatcher sends them once that read model has passed the checkpoint's
// last event.

export const CHECKPOINT_SIGNED: WebhookEventKind = 'checkpoint-signed';

/**
 * `<global position>.<webhook id>.checkpoint`: the position of the checkpoint's last event, so
 * that deliveries list in the global order; the suffix keeps it apart from a delivery of that
 * event itself.
 */
export function checkpointDeliveryId(globalPosition: bigint, webhookId: string): string {
  return `${globalPosition}.${webhookId}.checkpoint`;
}

/** Queues the checkpoint for every active webhook that subscribed; how many were queued. */
export async function queueCheckpointDeliveries(
  db: Kysely<Database>,
  checkpoint: StoredCheckpoint,
): Promise<number> {
  const generation = await db
    .selectFrom('projection_generations')
    .select('schema_name')
    .where('projection', '=', 'notifications')
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (!generation) return 0;
  const webhooks = await db
    .withSchema(generation.schema_name)
    .selectFrom('webhooks')
    .select(['community_id', 'webhook_id'])
    .where('valid_to_tx', 'is', null)
    .where('active', '=', true)
    .where(sql<boolean>`${CHECKPOINT_SIGNED} = ANY(events)`)
    .orderBy('community_id')
    .orderBy('webhook_id')
    .execute();
  if (webhooks.length === 0) return 0;
  const { position } = checkpoint;
  const view = checkpointJson(checkpoint);
  await db
    .insertInto('notification_deliveries')
    .values(
      webhooks.map((w) => {
        const deliveryId = checkpointDeliveryId(position.globalPosition, w.webhook_id);
        return {
          delivery_id: deliveryId,
          community_id: w.community_id,
          webhook_id: w.webhook_id,
          kind: CHECKPOINT_SIGNED,
          event_type: 'CheckpointSigned',
          stream_id: '',
          stream_version: 0,
          transaction_id: position.transactionId.toString(),
          global_position: position.globalPosition.toString(),
          occurred_at: view.signedAt,
          payload: JSON.stringify({
            deliveryId,
            communityId: w.community_id,
            kind: CHECKPOINT_SIGNED,
            event: 'CheckpointSigned',
            occurredAt: view.signedAt,
            checkpoint: view,
            links: {
              latest: '/v1/checkpoints/latest',
              keys: '/v1/checkpoints/keys',
              consistency: `/v1/proofs/consistency?from=<a kept tree size>&to=${checkpoint.treeSize}`,
            },
          }),
        };
      }),
    )
    .onConflict((oc) => oc.column('delivery_id').doNothing())
    .execute();
  return webhooks.length;
}
