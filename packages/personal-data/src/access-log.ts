import type pg from 'pg';

// Who read whose personal data (PIPL Art. 45, 55): every read of opened personal fields by an
// official, and every export of a person's data by someone else, with the route and when.
// Admins read it (`GET /v1/personal-data/access-log`).

export interface AccessEntry {
  readerId: string;
  readerRole: string;
  communityId: string;
  /** The persons whose personal fields the answer held. */
  personIds: readonly string[];
  /** The route read, as its template (`/v1/communities/{communityId}/persons`). */
  route: string;
  requestId?: string | undefined;
}

export interface AccessRecord extends AccessEntry {
  /** Ascending; `after` pages on it. */
  id: string;
  at: string;
}

export interface AccessQuery {
  /** The communities the reader may see (`*`: all). */
  communities: readonly string[];
  communityId?: string | undefined;
  personId?: string | undefined;
  /** Only records with a greater id. */
  after?: string | undefined;
  limit: number;
}

export interface AccessLog {
  record(entry: AccessEntry): Promise<void>;
  /** Oldest first. */
  list(query: AccessQuery): Promise<AccessRecord[]>;
}

export class MemoryAccessLog implements AccessLog {
  private readonly records: AccessRecord[] = [];

  async record(entry: AccessEntry): Promise<void> {
    this.records.push({
      ...entry,
      personIds: [...entry.personIds],
      id: String(this.records.length + 1),
      at: new Date().toISOString(),
    });
  }

  async list(query: AccessQuery): Promise<AccessRecord[]> {
    return this.records
      .filter(
        (r) =>
          (query.communities.includes('*') || query.communities.includes(r.communityId)) &&
          (query.communityId === undefined || r.communityId === query.communityId) &&
          (query.personId === undefined || r.personIds.includes(query.personId)) &&
          (query.after === undefined || BigInt(r.id) > BigInt(query.after)),
      )
      .slice(0, query.limit);
  }
}

interface Row {
  id: string;
  at: Date;
  reader_id: string;
  reader_role: string;
  community_id: string;
  person_ids: string[];
  route: string;
  request_id: string | null;
}

export class PostgresAccessLog implements AccessLog {
  constructor(private readonly pool: pg.Pool) {}

  async record(entry: AccessEntry): Promise<void> {
    await this.pool.query(
      `INSERT INTO pii_access_log (reader_id, reader_role, community_id, person_ids, route, request_id)
       VALUES ($1, $2, $3, $4::text[], $5, $6)`,
      [
        entry.readerId,
        entry.readerRole,
        entry.communityId,
        entry.personIds,
        entry.route,
        entry.requestId ?? null,
      ],
    );
  }

  async list(query: AccessQuery): Promise<AccessRecord[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT id::text, at, reader_id, reader_role, community_id, person_ids, route, request_id
         FROM pii_access_log
        WHERE ($1::text[] @> ARRAY['*'] OR community_id = ANY($1::text[]))
          AND ($2::text IS NULL OR community_id = $2)
          AND ($3::text IS NULL OR $3 = ANY(person_ids))
          AND ($4::int8 IS NULL OR id > $4::int8)
        ORDER BY id
        LIMIT $5`,
      [
        query.communities,
        query.communityId ?? null,
        query.personId ?? null,
        query.after ?? null,
        query.limit,
      ],
    );
    return rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      readerId: r.reader_id,
      readerRole: r.reader_role,
      communityId: r.community_id,
      personIds: r.person_ids,
      route: r.route,
      ...(r.request_id === null ? {} : { requestId: r.request_id }),
    }));
  }
}
