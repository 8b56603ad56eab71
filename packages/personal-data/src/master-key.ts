import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEY_BYTES } from './cipher.ts';

// The master key wraps every person's data key. It comes from the configuration
// (`PII_MASTER_KEY`, base64 of 32 bytes) or, outside production, from a file generated once in
// the data directory, as the JWT secret is. Its id (a keyed digest, not the key) is stored with
// each wrapped key, so a key wrapped under another master key is recognised, never misread.

export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

export class MasterKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyError';
  }
}

/** The file a local master key is kept in. */
export const masterKeyFile = (dataDir: string) => join(dataDir, 'pii-master-key');

export function masterKeyOf(key: Buffer): MasterKey {
  if (key.length !== KEY_BYTES) throw new MasterKeyError(`a master key is ${KEY_BYTES} bytes`);
  const id = `mk-${createHmac('sha256', key).update('yishi pii master key id').digest('hex').slice(0, 16)}`;
  return { id, key };
}

/** A master key from its base64 text (`PII_MASTER_KEY`). */
export function parseMasterKey(text: string): MasterKey {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64') !== text.trim()) {
    throw new MasterKeyError(`a master key is base64 of ${KEY_BYTES} bytes`);
  }
  return masterKeyOf(key);
}

export function generateMasterKey(): MasterKey {
  return masterKeyOf(randomBytes(KEY_BYTES));
}

export const masterKeyText = (masterKey: MasterKey) => masterKey.key.toString('base64');

export interface MasterKeyConfig {
  PII_MASTER_KEY?: string | undefined;
  DATA_DIR: string;
  NODE_ENV: string;
}

/**
 * `PII_MASTER_KEY`, or outside production the key in `DATA_DIR/pii-master-key` (created once,
 * mode 0600). In production the key must be configured: a key generated beside the data would
 * be lost with a machine, or copied with it.
 */
export function loadMasterKey(config: MasterKeyConfig): MasterKey {
  if (config.PII_MASTER_KEY) return parseMasterKey(config.PII_MASTER_KEY);
  if (config.NODE_ENV === 'production') {
    throw new MasterKeyError(
      'PII_MASTER_KEY is required in production (base64 of 32 random bytes: openssl rand -base64 32)',
    );
  }
  const file = masterKeyFile(config.DATA_DIR);
  if (!existsSync(file)) {
    try {
      writeMasterKeyFile(file, generateMasterKey(), 'wx');
    } catch (error) {
      // Another process of this installation created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return parseMasterKey(readFileSync(file, 'utf8'));
}

/** Writes a key file readable by its owner only (`wx`: only if there is none). */
export function writeMasterKeyFile(file: string, masterKey: MasterKey, flag: 'wx' | 'w'): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${masterKeyText(masterKey)}\n`, { mode: 0o600, flag });
}
