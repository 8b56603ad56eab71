import { type ChildProcess, spawn } from 'node:child_process';

// A process of this service's code for crash tests: started under tsx with stdin held open (it
// exits when its parent goes), ready once it prints "started".

export interface Child {
  child: ChildProcess;
  /** Resolves when the process printed "started"; rejects if it exits before. */
  started: Promise<void>;
  exited: Promise<void>;
}

export function startChild(script: string, args: string[], children?: Set<ChildProcess>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children?.add(child);
  child.once('exit', () => children?.delete(child));
  let output = '';
  const started = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('started')) resolve();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`${script} exited (${code ?? signal}) before starting:\n${output}`)),
    );
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  started.catch(() => {});
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, started, exited };
}
