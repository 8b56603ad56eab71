import { eventCatalog, upcasters } from '@yishi/domain';
import type { JsonObject, RecordedEvent } from '@yishi/event-store';

/**
 * The event as the projections read it: data written under an older schema version passes
 * through the domain's upcasters to the current one. Hashes keep covering the stored form, so
 * verification and dossiers use the events as stored.
 */
export function toCurrentSchema(event: RecordedEvent): RecordedEvent {
  const definition = Object.hasOwn(eventCatalog, event.type)
    ? eventCatalog[event.type as keyof typeof eventCatalog]
    : undefined;
  if (!definition || event.schemaVersion >= definition.version) return event;
  let data: unknown = event.data;
  let version = event.schemaVersion;
  while (version < definition.version) {
    const step = upcasters[event.type]?.[version];
    if (!step) throw new Error(`no upcaster for ${event.type} from version ${version}`);
    data = step(data);
    version += 1;
  }
  return { ...event, data: data as JsonObject, schemaVersion: version };
}
