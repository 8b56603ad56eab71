import type { Kysely } from 'kysely';
import type { Database } from '../tables.ts';

/** Which schema queries read for each projection: the active generations, cached briefly. */
export class ReadModels {
  private cache: { at: number; schemas: Map<string, string> } | undefined;
  private loading: Promise<Map<string, string>> | undefined;

  constructor(
    readonly db: Kysely<Database>,
    private readonly ttlMs = 1000,
  ) {}

  async schemaOf(projection: string): Promise<string | undefined> {
    return (await this.active()).get(projection);
  }

  private async active(): Promise<Map<string, string>> {
    if (this.cache && Date.now() - this.cache.at < this.ttlMs) return this.cache.schemas;
    this.loading ??= this.db
      .selectFrom('projection_generations')
      .select(['projection', 'schema_name'])
      .where('status', '=', 'active')
      .execute()
      .then((rows) => {
        const schemas = new Map(rows.map((r) => [r.projection, r.schema_name]));
        this.cache = { at: Date.now(), schemas };
        return schemas;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }
}
