// Running this folder's scripts in child processes: their memory, CPU and event loop are their own.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * Milliseconds since the epoch, on a clock the parent and its children share (timeOrigin + now):
 * times noted in different processes can be subtracted.
 */
export const wallMs = () => performance.timeOrigin + performance.now();

/** Starts `script` (a path) under tsx; stdout is piped, stderr inherited. */
export function runNode(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  flags: string[] = [],
) {
  return spawn(process.execPath, [...flags, '--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
}

/** Runs one of this folder's scripts in a child process; what it printed, as JSON. */
export async function jsonOfChild<T>(script: string, args: string[]): Promise<T> {
  const child = runNode(join(import.meta.dirname, script), args);
  const out: Buffer[] = [];
  child.stdout?.on('data', (d: Buffer) => out.push(d));
  await new Promise<void>((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${script} exited ${code}`)),
    ),
  );
  return JSON.parse(Buffer.concat(out).toString('utf8')) as T;
}
