// A tree builder process for the crash test: builds the log of the database given as the first
// argument, signing with the key file given second, a checkpoint at most every `intervalMs`
// (third), until it is killed (SIGKILL) or asked to stop (SIGTERM).
import { PostgresEventStore } from '@yishi/event-store';
import { loadSigningKey } from '@yishi/transparency';
import { createDb } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { TreeBuilder } from '../transparency/builder.ts';
import { TEST_ORIGIN } from './transparency.ts';

const [url, keyFile, interval] = process.argv.slice(2);
if (!url || !keyFile || !interval) {
  throw new Error('usage: tree-builder-process.ts <database url> <key file> <interval ms>');
}
const store = new PostgresEventStore({ connectionString: url });
const db = createDb(url, 4);
await migrateReadModels(db);
const builder = new TreeBuilder(store, db, {
  key: loadSigningKey(keyFile),
  origin: TEST_ORIGIN,
  intervalMs: Number(interval),
  batchSize: 300,
  pollIntervalMs: 50,
  lockRetryMs: 50,
  heartbeatMs: 200,
  leaseMs: 2000,
});
await builder.start();
process.stdout.write('started\n');
// The parent holds our stdin: when it goes (even killed), so do we.
process.stdin.on('end', () => process.exit(1));
process.stdin.resume();
process.on('SIGTERM', () => {
  void (async () => {
    await builder.stop();
    await db.destroy();
    await store.close();
    process.exit(0);
  })();
});
