import type { z } from 'zod';
import { type AttachmentEvent, attachmentEventSchemas } from '../attachment/attachment.ts';
import { type CommunityEvent, communityEventSchemas } from '../community/community.ts';
import { type ConvocationEvent, convocationEventSchemas } from '../convocation/convocation.ts';
import { type CrowdfundingEvent, crowdfundingEventSchemas } from '../crowdfunding/crowdfunding.ts';
import { type DiscussionEvent, discussionEventSchemas } from '../discussion/discussion.ts';
import { type EvaluationEvent, evaluationEventSchemas } from '../evaluation/evaluation.ts';
import { type FundEvent, fundEventSchemas } from '../fund/fund.ts';
import { type InstallationEvent, installationEventSchemas } from '../installation/installation.ts';
import { type ProposalEvent, proposalEventSchemas } from '../proposal/proposal.ts';
import { type SessionEvent, sessionEventSchemas } from '../session/session.ts';
import {
  type Aggregate,
  createUpcast,
  type EventDefinition,
  type StoredEvent,
  type Upcasters,
} from '../shared/events.ts';
import { type WishEvent, wishEventSchemas } from '../wish/wish.ts';

// Every event type: its aggregate, its current schema version and its zod schema. When an
// event's data changes shape, bump its version here and add the upcaster from the old version.

export type AnyDomainEvent =
  | CommunityEvent
  | ProposalEvent
  | SessionEvent
  | ConvocationEvent
  | DiscussionEvent
  | WishEvent
  | EvaluationEvent
  | CrowdfundingEvent
  | FundEvent
  | InstallationEvent
  | AttachmentEvent;
/** Every event type the catalogue holds. */
export type CatalogEventType = AnyDomainEvent['type'];
/** Every event type, each labelled by the web console (services/web `i18n.ts`). */
export type DomainEventType = CatalogEventType;

/** Current schema versions that are not 1. */
const versions: Partial<Record<CatalogEventType, number>> = {};

function definitions<T extends Record<string, z.ZodType>>(
  aggregate: Aggregate,
  schemas: T,
): Record<keyof T & string, EventDefinition> {
  const entries = Object.entries(schemas).map(([type, schema]) => [
    type,
    { aggregate, version: versions[type as CatalogEventType] ?? 1, schema },
  ]);
  return Object.fromEntries(entries);
}

export const eventCatalog: Readonly<Record<CatalogEventType, EventDefinition>> = {
  ...definitions('community', communityEventSchemas),
  ...definitions('proposal', proposalEventSchemas),
  ...definitions('session', sessionEventSchemas),
  ...definitions('convocation', convocationEventSchemas),
  ...definitions('discussion', discussionEventSchemas),
  ...definitions('wish', wishEventSchemas),
  ...definitions('evaluation', evaluationEventSchemas),
  ...definitions('crowdfunding', crowdfundingEventSchemas),
  ...definitions('fund', fundEventSchemas),
  ...definitions('installation', installationEventSchemas),
  ...definitions('attachment', attachmentEventSchemas),
};

/** Upcasters by event type and the version they read (none yet: every schema is at 1). */
export const upcasters: Upcasters = {};

/** Reads a stored event: upcasts it to the current version and validates it. */
export const upcastEvent: (stored: StoredEvent) => AnyDomainEvent = createUpcast<AnyDomainEvent>(
  eventCatalog,
  upcasters,
);

/** The schema version to store with a new event (metadata `schemaVersion`). */
export function eventSchemaVersion(type: CatalogEventType): number {
  return eventCatalog[type].version;
}
