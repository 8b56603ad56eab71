import pg from 'pg';
import { type AccessLog, MemoryAccessLog, PostgresAccessLog } from './access-log.ts';
import { MemoryKeyStore, migratePersonalData, PostgresKeyStore } from './key-store.ts';
import { generateMasterKey, type MasterKey } from './master-key.ts';
import { Vault, type VaultOptions } from './vault.ts';

/** What a service holds: the vault of data keys and the access log, on one pool. */
export interface PersonalData {
  readonly vault: Vault;
  readonly accessLog: AccessLog;
  /** The pool, for rotation and tests; undefined in memory. */
  readonly pool?: pg.Pool;
  close(): Promise<void>;
}

export interface OpenPersonalDataOptions {
  /** The events' PostgreSQL database (the read models' when events are in KurrentDB). */
  databaseUrl: string;
  masterKey: MasterKey;
  maxConnections?: number;
  vault?: VaultOptions;
}

/** Opens the tables (creating them), and refuses a master key the stored keys are not under. */
export async function openPersonalData(options: OpenPersonalDataOptions): Promise<PersonalData> {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.maxConnections ?? 4,
  });
  // An idle connection the server closed (a restart) is replaced on the next query; unheard,
  // its error would end the process.
  pool.on('error', () => {});
  try {
    await migratePersonalData(pool);
    const vault = new Vault(new PostgresKeyStore(pool), options.masterKey, options.vault);
    await vault.checkMasterKey();
    return { vault, accessLog: new PostgresAccessLog(pool), pool, close: () => pool.end() };
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** Keys and access log in memory: for service tests over the memory event store. */
export function memoryPersonalData(masterKey: MasterKey = generateMasterKey()): PersonalData {
  return {
    vault: new Vault(new MemoryKeyStore(), masterKey),
    accessLog: new MemoryAccessLog(),
    close: async () => {},
  };
}
