import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

export interface ServiceProcess {
  url: string;
  output(): string;
  stop(): Promise<number | null>;
}

const PORT_VARIABLE = {
  command: 'COMMAND_PORT',
  projection: 'PROJECTION_PORT',
  web: 'WEB_PORT',
} as const;

/** How a service starts: its TypeScript through tsx (default) or a built tree with `node`. */
export interface Entry {
  cwd: string;
  args: string[];
  /** Only `env` (and PATH), nothing of this process's environment (NODE_OPTIONS, loaders). */
  cleanEnv?: boolean;
}

/** Starts a service (`src/server.ts` unless `entry` says otherwise) and waits for /healthz. */
export async function startServiceProcess(
  service: keyof typeof PORT_VARIABLE,
  port: number,
  env: Record<string, string>,
  entry: Entry = { cwd: root, args: ['--import', 'tsx', `services/${service}/src/server.ts`] },
): Promise<ServiceProcess> {
  let output = '';
  const child: ChildProcess = spawn(process.execPath, entry.args, {
    cwd: entry.cwd,
    env: {
      ...(entry.cleanEnv ? { PATH: process.env.PATH } : process.env),
      ...env,
      [PORT_VARIABLE[service]]: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${service} exited ${child.exitCode}:\n${output}`);
    const ok = await fetch(`${url}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${service} did not answer in time:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    output: () => output,
    stop: () =>
      new Promise((resolveStop) => {
        if (child.exitCode !== null) return resolveStop(child.exitCode);
        child.once('exit', (code) => resolveStop(code));
        child.kill('SIGTERM');
      }),
  };
}
