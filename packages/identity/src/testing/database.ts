import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { createIdentityDb, type IdentityDb, migrateIdentity } from '../db.ts';

/** A fresh database with the sign-in's tables, for one test file. */
export async function identityTestDb(): Promise<IdentityDb> {
  const db = createIdentityDb(await testDatabaseUrl());
  await migrateIdentity(db);
  return db;
}

export const TEST_KEY = new TextEncoder().encode('identity-test-key-identity-test-key');
