// The live projectors in their own process, as the projection service runs them: the
// benchmark's process sends the commands and must not share an event loop or a heap with them.
// Prints one JSON line each time the slowest projector moves:
// {"transactionId","globalPosition","at"} with `at` in ms since the epoch (`wallMs`,
// comparable with the parent's clock). Stops on SIGTERM.
import { type Checkpoint, checkpointReached, PostgresEventStore } from '@yishi/event-store';
import { createDb } from '../src/db.ts';
import { projections } from '../src/projections/index.ts';
import { Projector } from '../src/runtime/projector.ts';
import { wallMs } from './child.ts';

const [url] = process.argv.slice(2);
if (!url) throw new Error('usage: live-child.ts <database url>');
const store = new PostgresEventStore({ connectionString: url });
// As the service sizes it (main.ts).
const db = createDb(url, 10 + projections.length);
const live: Projector[] = [];
let reported: Checkpoint | undefined;
const report = () => {
  if (live.length < projections.length) return;
  let slowest = live[0]!.position;
  for (const p of live) if (!checkpointReached(p.position, slowest)) slowest = p.position;
  if (reported && checkpointReached(reported, slowest)) return;
  reported = slowest;
  process.stdout.write(
    `${JSON.stringify({
      transactionId: slowest.transactionId.toString(),
      globalPosition: slowest.globalPosition.toString(),
      at: wallMs(),
    })}\n`,
  );
};
for (const p of projections) live.push(new Projector(store, db, p, { onBatch: report }));
for (const p of live) await p.start();
report();
await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
for (const p of live) await p.stop();
await db.destroy();
await store.close();
// As the service's process does (runServiceProcess): exit once stopped. Without it, handles the
// stopped projectors leave behind held this process, and the benchmark waiting for it, seconds more.
process.exit(0);
