// `pnpm run rotate-pii-key`: rewraps every person's data key under a new master key; the
// events (and the values sealed in them) stay as they are. Stop the services first: a data key
// made while the rotation runs would still be wrapped under the old master key.
// - PII_MASTER_KEY configured: the new key comes from PII_NEW_MASTER_KEY; afterwards configure
//   it as PII_MASTER_KEY.
// - The local key file (DATA_DIR/pii-master-key): a new key is generated (or PII_NEW_MASTER_KEY
//   taken) and replaces the file once the keys are rewrapped. It is written beside it first
//   (`.next`), so a rotation that stopped half-way is finished by running this again.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import {
  generateMasterKey,
  loadMasterKey,
  type MasterKey,
  MasterKeyError,
  masterKeyFile,
  openPersonalData,
  parseMasterKey,
  rotateMasterKey,
  writeMasterKeyFile,
} from '@yishi/personal-data';
import { ConfigError, loadConfig } from '@yishi/platform';
import { openDatabase } from './database.ts';

async function main(): Promise<number> {
  const config = loadConfig();
  const from = loadMasterKey(config);
  const local = !config.PII_MASTER_KEY;
  const file = masterKeyFile(config.DATA_DIR);
  const next = `${file}.next`;
  let to: MasterKey;
  if (config.PII_NEW_MASTER_KEY) to = parseMasterKey(config.PII_NEW_MASTER_KEY);
  else if (!local) {
    console.error('PII_MASTER_KEY is configured: set PII_NEW_MASTER_KEY to the new master key');
    return 2;
  } else if (existsSync(next)) to = parseMasterKey(readFileSync(next, 'utf8'));
  else to = generateMasterKey();
  if (local) writeMasterKeyFile(next, to, 'w');

  const database = await openDatabase();
  try {
    // Opened under the new key when a rotation stopped after its commit: either is accepted.
    const personalData = await openPersonalData({ databaseUrl: database.url, masterKey: to }).catch(
      () => openPersonalData({ databaseUrl: database.url, masterKey: from }),
    );
    try {
      const result = await rotateMasterKey(personalData.pool!, from, to);
      console.log(
        `rewrapped ${result.rotated} data keys from master key ${from.id} to ${to.id}` +
          (result.already ? ` (${result.already} were already)` : ''),
      );
    } finally {
      await personalData.close();
    }
  } finally {
    await database.close();
  }
  if (local) {
    renameSync(next, file);
    console.log(`the new master key is in ${file}; the old one is gone`);
  } else {
    console.log('now configure PII_MASTER_KEY with the new key and restart the services');
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof ConfigError || error instanceof MasterKeyError
        ? error.message
        : `rotation failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);
