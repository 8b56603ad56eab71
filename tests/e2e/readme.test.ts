import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@yishi/local-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The README's "Try it" block, run with bash exactly as printed, pasted as a new user would:
// right after `pnpm start` was started (so it has to wait), on free ports it reads from the
// environment, then pasted again.

const root = resolve(import.meta.dirname, '../..');
const secret = 'readme-secret-readme-secret-readme-se';
let stack: ChildProcess;
let stackOutput = '';
let dataDir: string;
let env: Record<string, string>;

/** The first ```sh block after the "## Try it" heading, as printed. */
async function tryItBlock(): Promise<string> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Try it'));
  const match = /```sh\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('no ```sh block under "## Try it" in README.md');
  return match[1]!;
}

function runBash(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn('bash', [], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    // If `pnpm start` dies, the block would wait for it until its own limit: stop at once and
    // answer with what the stack printed.
    const onStackExit = (code: number | null) => {
      stderr += `\n(pnpm start exited ${code} while the block ran)`;
      child.kill('SIGKILL');
    };
    if (stack.exitCode !== null) onStackExit(stack.exitCode);
    else stack.once('exit', onStackExit);
    child.on('exit', (code) => {
      stack.off('exit', onStackExit);
      resolveRun({ code, stdout, stderr });
    });
    child.stdin.end(script);
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'yishi-readme-'));
  env = {
    DATABASE_URL: '',
    DATA_DIR: dataDir,
    COMMAND_PORT: String(await freePort()),
    PROJECTION_PORT: String(await freePort()),
    WEB_PORT: String(await freePort()),
    EMBEDDED_PG_PORT: String(await freePort()),
    JWT_SECRET: secret,
    LOG_LEVEL: 'warn',
  };
  stack = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stack.stdout?.on('data', (d) => {
    stackOutput += d;
  });
  stack.stderr?.on('data', (d) => {
    stackOutput += d;
  });
});

afterAll(async () => {
  if (stack.exitCode === null) {
    const exited = new Promise((r) => stack.once('exit', r));
    stack.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (stack.exitCode === null) stack.kill('SIGKILL');
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe("the README's Try it block", () => {
  it('registers the community, submits the proposal and reads it back at its position', async () => {
    const block = await tryItBlock();
    const run = await runBash(block);
    const context = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}\nstack:\n${stackOutput}`;
    expect(run.code, context).toBe(0);
    // Nothing refused, nothing unreachable: every answer is JSON, and no curl error.
    expect(run.stderr, context).not.toMatch(/curl:/);
    const answers = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(answers, context).toHaveLength(3);
    const [registered, submitted, proposal] = answers;
    expect(registered).toMatchObject({ streamId: 'community-c1', duplicate: false });
    expect(submitted).toMatchObject({ streamId: 'proposal-c1.p1', proposalId: 'p1' });
    expect(submitted!.position).toMatch(/^\d+:\d+$/);
    expect(proposal).toMatchObject({ proposalId: 'p1', title: '加装电梯', status: 'active' });
  }, 180_000);

  it('pasted again, shows the refusal and the first answer to the same Idempotency-Key', async () => {
    const run = await runBash(await tryItBlock());
    expect(run.code, run.stderr).toBe(0);
    const answers = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(answers).toHaveLength(3);
    expect(answers[0]).toMatchObject({ status: 409, code: 'already-exists' });
    expect(answers[0]!.detail).toEqual(expect.any(String));
    expect(answers[1]).toMatchObject({ streamId: 'proposal-c1.p1', duplicate: true });
    expect(answers[2]).toMatchObject({ proposalId: 'p1' });
  }, 120_000);
});
