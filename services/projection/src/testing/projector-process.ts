// A projector process for the crash test: runs every projection against the database given as
// the first argument until it is killed (SIGKILL) or asked to stop (SIGTERM).
import { PostgresEventStore } from '@yishi/event-store';
import { createDb } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { projections } from '../projections/index.ts';
import { Projector } from '../runtime/projector.ts';

const url = process.argv[2];
if (!url) throw new Error('usage: projector-process.ts <database url>');
const store = new PostgresEventStore({ connectionString: url });
const db = createDb(url, 20);
await migrateReadModels(db);
const projectors = projections.map(
  (p) =>
    new Projector(store, db, p, {
      batchSize: 500,
      pollIntervalMs: 50,
      lockRetryMs: 50,
      heartbeatMs: 200,
      leaseMs: 2000,
    }),
);
for (const p of projectors) await p.start();
process.stdout.write('started\n');
// The parent holds our stdin: when it goes (even killed), so do we.
process.stdin.on('end', () => process.exit(1));
process.stdin.resume();
process.on('SIGTERM', () => {
  void (async () => {
    for (const p of projectors) await p.stop();
    await db.destroy();
    await store.close();
    process.exit(0);
  })();
});
