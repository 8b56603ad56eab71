// A load generator in its own process. Reads a job (one line of JSON) from stdin and prepares it,
// writes READY, sends the requests (load-job.ts) once GO arrives, then writes the result (JSON)
// to stdout: the parent measures from GO on, without this process's start or the job's transfer.
import { createInterface } from 'node:readline';
import { GO, type LoadJob, prepareJob, READY } from './load-job.ts';

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })[
  Symbol.asyncIterator
]();
const first = await lines.next();
if (first.done) throw new Error('no job on stdin');
const run = prepareJob(JSON.parse(first.value) as LoadJob);
process.stdout.write(READY);
const go = await lines.next();
if (go.done || `${go.value}\n` !== GO) throw new Error(`expected ${GO.trim()} on stdin`);
process.stdout.write(JSON.stringify(await run()));
