import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

export interface ServiceProcess {
  url: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts a service's `src/server.ts` as its own process and waits until /healthz answers. */
export async function startServiceProcess(
  service: 'command' | 'projection' | 'web',
  port: number,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const portVariable = { command: 'COMMAND_PORT', projection: 'PROJECTION_PORT', web: 'WEB_PORT' };
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', `services/${service}/src/server.ts`],
    {
      cwd: root,
      env: {
        ...process.env,
        ...env,
        [portVariable[service]]: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
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
