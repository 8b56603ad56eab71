// `pnpm run reconcile-pii`: destroys the data key of every person whose erasure the record
// holds (reading every event), and finishes erasures a stop interrupted. The command service
// finishes interrupted erasures at each start; this is for a key table restored from a backup
// taken before an erasure, which would otherwise bring the erased data back.
import { openEventStore } from '@yishi/event-store';
import {
  loadMasterKey,
  MasterKeyError,
  openPersonalData,
  reconcileAllErasures,
  reconcileErasures,
} from '@yishi/personal-data';
import { ConfigError, loadConfig } from '@yishi/platform';
import { openDatabase } from './database.ts';

async function main(): Promise<number> {
  const config = loadConfig();
  const database = await openDatabase();
  const store = await openEventStore({
    databaseUrl: database.url,
    eventstoreUrl: database.eventstoreUrl,
  });
  try {
    const personalData = await openPersonalData({
      databaseUrl: database.url,
      masterKey: loadMasterKey(config),
    });
    try {
      const pending = await reconcileErasures(personalData.vault, store);
      const all = await reconcileAllErasures(personalData.vault, store);
      console.log(
        `${all.erasures} erasures on record; data keys destroyed now: ${all.destroyed.length + pending.destroyed.length}` +
          (pending.cancelled.length
            ? `; erasures never recorded, cancelled: ${pending.cancelled.length}`
            : ''),
      );
      for (const subject of [...pending.destroyed, ...all.destroyed]) console.log(`  ${subject}`);
    } finally {
      await personalData.close();
    }
    return 0;
  } finally {
    await store.close();
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof ConfigError || error instanceof MasterKeyError
        ? error.message
        : `reconcile failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);
