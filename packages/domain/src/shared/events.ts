import type { z } from 'zod';

// Event schema versions and upcasting. Every event type has a current schema version; the
// service stores it with the event (metadata `schemaVersion`). On read, data written under an
// older version passes through the upcasters one version at a time, then the current schema.

export type Aggregate =
  | 'community'
  | 'proposal'
  | 'session'
  | 'convocation'
  | 'discussion'
  | 'wish'
  | 'evaluation'
  | 'crowdfunding'
  | 'fund'
  | 'installation'
  | 'attachment';

export interface EventDefinition {
  readonly aggregate: Aggregate;
  /** Current schema version of the data (starts at 1). */
  readonly version: number;
  readonly schema: z.ZodType;
}

/** Turns data of schema version `n` into data of version `n + 1`. */
export type Upcaster = (data: unknown) => unknown;
/** Per event type: upcasters keyed by the version they read. */
export type Upcasters = Readonly<Record<string, Readonly<Record<number, Upcaster>>>>;

export interface StoredEvent {
  readonly type: string;
  readonly data: unknown;
  /** Absent means version 1. */
  readonly schemaVersion?: number;
}

export class UnknownEventError extends Error {
  constructor(
    readonly eventType: string,
    reason: string,
  ) {
    super(`cannot read event ${eventType}: ${reason}`);
    this.name = 'UnknownEventError';
  }
}

/**
 * Builds the read path: upcast a stored event to the current version and validate it.
 * Throws on an unknown type, a missing upcaster, a version from the future or invalid data:
 * a stream that cannot be read must stop the reader, not be guessed at.
 */
export function createUpcast<TEvent extends { type: string; data: unknown }>(
  catalog: Readonly<Record<string, EventDefinition>>,
  upcasters: Upcasters,
): (stored: StoredEvent) => TEvent {
  return (stored) => {
    const definition = Object.hasOwn(catalog, stored.type) ? catalog[stored.type] : undefined;
    if (definition === undefined) throw new UnknownEventError(stored.type, 'unknown type');
    let version = stored.schemaVersion ?? 1;
    if (version > definition.version) {
      throw new UnknownEventError(
        stored.type,
        `version ${version} is newer than ${definition.version}`,
      );
    }
    let data = stored.data;
    while (version < definition.version) {
      const step = upcasters[stored.type]?.[version];
      if (step === undefined) {
        throw new UnknownEventError(stored.type, `no upcaster from version ${version}`);
      }
      data = step(data);
      version++;
    }
    const parsed = definition.schema.safeParse(data);
    if (!parsed.success) throw new UnknownEventError(stored.type, parsed.error.message);
    return { type: stored.type, data: parsed.data } as TEvent;
  };
}
