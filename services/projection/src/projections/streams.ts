import { communityOfStream, type EventDefinition, eventCatalog } from '@yishi/domain';

/** `<category>-<communityId>.<id>` (see the domain's `streams`) to its community and id. */
export function entityOfStream(
  prefix:
    | 'proposal-'
    | 'session-'
    | 'convocation-'
    | 'discussion-'
    | 'wish-'
    | 'evaluation-'
    | 'fund-'
    | 'crowdfunding-',
  streamId: string,
): { cid: string; id: string } | undefined {
  if (!streamId.startsWith(prefix)) return undefined;
  const cid = communityOfStream(streamId);
  const dot = streamId.indexOf('.');
  if (!cid || dot < 0) return undefined;
  return { cid, id: streamId.slice(dot + 1) };
}

/** The catalogue's event types of one aggregate: the events its streams hold. */
export function eventTypesOf(aggregate: EventDefinition['aggregate']): string[] {
  return Object.entries(eventCatalog)
    .filter(([, definition]) => definition.aggregate === aggregate)
    .map(([type]) => type);
}
