import type { ColumnType, Generated } from 'kysely';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** Where each projector is in the global order; written in the same transaction as its rows. */
export interface ProjectionCheckpointsTable {
  projection: string;
  transaction_id: string;
  global_position: string;
  updated_at: Generated<Timestamp>;
}

export interface CommunitiesTable {
  community_id: string;
  name: string;
  kind: string;
  registered_at: string;
  version: number;
}

export interface ProposalsTable {
  community_id: string;
  proposal_id: string;
  title: string;
  description: string;
  procedure_template: string;
  procedure_version: number;
  stage: string;
  submitted_by: string;
  submitted_role: string;
  submitted_at: string;
  version: number;
  updated_at: string;
}

export interface Database {
  projection_checkpoints: ProjectionCheckpointsTable;
  rm_communities: CommunitiesTable;
  rm_proposals: ProposalsTable;
}

export function createDb(connectionString: string, max = 10): Kysely<Database> {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('error', () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
