import type { JsonObject, RecordedEvent } from './types.ts';

/** Turns `type` data of `fromVersion` into `fromVersion + 1`. */
export interface Upcaster {
  type: string;
  fromVersion: number;
  upcast(data: JsonObject): JsonObject;
}

/** Applies upcasters in version order until none fits; hashes keep covering the stored form. */
export function upcastEvent(event: RecordedEvent, upcasters: readonly Upcaster[]): RecordedEvent {
  if (upcasters.length === 0) return event;
  let current = event;
  for (;;) {
    const next = upcasters.find(
      (u) => u.type === current.type && u.fromVersion === current.schemaVersion,
    );
    if (!next) return current;
    current = {
      ...current,
      data: next.upcast(current.data),
      schemaVersion: current.schemaVersion + 1,
    };
  }
}
