import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import {
  generateMasterKey,
  type MasterKey,
  MasterKeyError,
  masterKeyFile,
  masterKeyText,
  openPersonalData,
  parseMasterKey,
  writeMasterKeyFile,
} from '@yishi/personal-data';
import { describe, expect, it } from 'vitest';

// `pnpm run rotate-pii-key` as an operator runs it: the data keys are rewrapped under the new
// master key, every sealed value opens under it, the old one is refused.

const root = resolve(import.meta.dirname, '../../../..');

function rotate(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const { PII_MASTER_KEY: _a, PII_NEW_MASTER_KEY: _b, ...rest } = process.env;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'services/projection/src/cli/rotate-pii-key.ts'],
      { cwd: root, env: { ...rest, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => done({ code, out }));
  });
}

/** A database with two persons' data sealed under `masterKey`, one of them erased. */
async function sealedUnder(masterKey: MasterKey) {
  const url = await testDatabaseUrl();
  const data = await openPersonalData({ databaseUrl: url, masterKey });
  const name = await data.vault.seal('c1/p1', 'name', '张三');
  const phone = await data.vault.seal('c1/p1', 'phone', '+8613800000000');
  await data.vault.seal('c1/p2', 'name', '李四');
  await data.vault.destroy('c1/p2');
  await data.close();
  return { url, name, phone };
}

async function opensUnder(url: string, masterKey: MasterKey, sealed: string, field: string) {
  const data = await openPersonalData({ databaseUrl: url, masterKey });
  try {
    return await data.vault.unseal(sealed, field);
  } finally {
    await data.close();
  }
}

describe('pnpm run rotate-pii-key', () => {
  it('rewraps every key under PII_NEW_MASTER_KEY; the events stay as they are', async () => {
    const old = generateMasterKey();
    const next = generateMasterKey();
    const { url, name, phone } = await sealedUnder(old);
    const result = await rotate({
      DATABASE_URL: url,
      PII_MASTER_KEY: masterKeyText(old),
      PII_NEW_MASTER_KEY: masterKeyText(next),
    });
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain(`rewrapped 1 data keys from master key ${old.id} to ${next.id}`);
    expect(await opensUnder(url, next, name, 'name')).toBe('张三');
    expect(await opensUnder(url, next, phone, 'phone')).toBe('+8613800000000');
    await expect(opensUnder(url, old, name, 'name')).rejects.toBeInstanceOf(MasterKeyError);
  });

  it('asks for the new key when the master key is configured', async () => {
    const old = generateMasterKey();
    const { url } = await sealedUnder(old);
    const result = await rotate({ DATABASE_URL: url, PII_MASTER_KEY: masterKeyText(old) });
    expect(result.code).toBe(2);
    expect(result.out).toContain('set PII_NEW_MASTER_KEY');
  });

  it('replaces a local key file with a new key once the keys are rewrapped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pii-rotate-'));
    try {
      const old = generateMasterKey();
      writeMasterKeyFile(masterKeyFile(dir), old, 'wx');
      const { url, name } = await sealedUnder(old);
      const result = await rotate({ DATABASE_URL: url, DATA_DIR: dir });
      expect(result.code, result.out).toBe(0);
      const now = parseMasterKey(await readFile(masterKeyFile(dir), 'utf8'));
      expect(now.id).not.toBe(old.id);
      expect((await stat(masterKeyFile(dir))).mode & 0o777).toBe(0o600);
      expect(existsSync(`${masterKeyFile(dir)}.next`)).toBe(false);
      expect(await opensUnder(url, now, name, 'name')).toBe('张三');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
