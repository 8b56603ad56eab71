// A load generator in its own process: reads a job from stdin, sends its requests (load-job.ts),
// writes the result to stdout (JSON).
import { type LoadJob, runJob } from './load-job.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const job = JSON.parse(await readStdin()) as LoadJob;
process.stdout.write(JSON.stringify(await runJob(job)));
