// Writes the benchmark's history in its own process. The simulator keeps the state of every
// stream it wrote (most of a gigabyte for the full history): the process that then times the
// queries and the live projection must not carry that garbage, whose full collection landed in
// the middle of the history's timing (docs/benchmarks.md).
import pg from 'pg';
import { BulkWriter } from '../src/testing/bulk.ts';
import { generateDistrict } from '../src/testing/generate.ts';
import { Random } from '../src/testing/random.ts';
import { Simulator } from '../src/testing/simulate.ts';

const [url, events, bigVoters, decisions] = process.argv.slice(2);
if (!url || !events || !bigVoters || !decisions) {
  throw new Error('usage: generate-child.ts <database url> <events> <big voters> <decisions>');
}
// A plain pool: a kysely database that never ran a query does not end its pool on destroy(), and
// the pool's idle clients then kept this process (and the benchmark waiting for it) alive until
// their idle timeout.
const pool = new pg.Pool({ connectionString: url, max: 4 });
const writer = new BulkWriter(pool, 10_000);
const sim = new Simulator(writer, new Random(1));
await sim.registerCommunity('bench');
await sim.ownersDecision('bench', 'big', Number(bigVoters), true);
for (let i = 1; i <= Number(decisions); i++) await sim.ownersDecision('bench', `d${i}`, 6, true);
await generateDistrict(sim, {
  events: Number(events),
  count: () => writer.count,
  random: new Random(2),
});
await writer.flush();
await pool.end();
console.log(JSON.stringify({ written: writer.written }));
