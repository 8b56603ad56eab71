import { migrateAttachments } from '@yishi/attachments';
import { migrateEventStore } from '@yishi/event-store';
import { createIdentityDb, migrateIdentity } from '@yishi/identity';
import { migratePersonalData } from '@yishi/personal-data';
import { createDb, migrateReadModels } from '@yishi/projection';
import pg from 'pg';
import { grantServiceRoles } from './roles.ts';

export interface MigrateOptions {
  /** EVENTS_DATABASE_URL as the owner: the events' own database. */
  eventsOwnerUrl?: string | undefined;
  /** The service roles' prefix (tests: roles are per server, databases per test file). */
  rolePrefix?: string;
}

/**
 * Every schema of the deployment, migrated as the owner, then the service roles' grants (a new
 * table needs its grant). The services run their own migrations at start too, which do nothing
 * once the schema is current: a service role could not run them.
 */
export async function migrateDatabase(
  ownerUrl: string,
  options: MigrateOptions = {},
): Promise<string[]> {
  const eventsUrl = options.eventsOwnerUrl ?? ownerUrl;
  const events = new pg.Pool({ connectionString: eventsUrl, max: 1 });
  try {
    await migrateEventStore(events);
  } finally {
    await events.end();
  }
  const pool = new pg.Pool({ connectionString: ownerUrl, max: 1 });
  try {
    await migratePersonalData(pool);
    await migrateAttachments(pool);
  } finally {
    await pool.end();
  }
  const identity = createIdentityDb(ownerUrl, 1);
  try {
    await migrateIdentity(identity);
  } finally {
    await identity.destroy();
  }
  const readModels = createDb(ownerUrl, 1);
  try {
    await migrateReadModels(readModels);
  } finally {
    await readModels.destroy();
  }
  const granted = await grantServiceRoles(ownerUrl, options.rolePrefix);
  if (eventsUrl !== ownerUrl) await grantServiceRoles(eventsUrl, options.rolePrefix);
  return granted;
}
