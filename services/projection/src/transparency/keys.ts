import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '@yishi/platform';
import {
  loadOrCreateSigningKey,
  loadSigningKey,
  type PublicKey,
  readPublicKeyFile,
  recordPublicKey,
  type SigningKey,
} from '@yishi/transparency';

// Where the deployment keeps the log's keys. Locally the signing key is generated into the data
// directory; in production it is a file the operator provides (`CHECKPOINT_KEY_FILE`), never
// generated. Every public key that signed is kept in the data directory's key ring, so that a
// rotation (a new key file, then a restart) leaves the old checkpoints verifiable.

type KeyConfig = Pick<Config, 'DATA_DIR' | 'CHECKPOINT_KEY_FILE'>;

export function keyFiles(config: KeyConfig): { signingKey: string; ring: string } {
  return {
    signingKey: config.CHECKPOINT_KEY_FILE ?? join(config.DATA_DIR, 'checkpoint-key'),
    ring: join(config.DATA_DIR, 'checkpoint-keys.pem'),
  };
}

/** The signing key (generated locally when there is none), its public key kept in the ring. */
export function deploymentSigningKey(config: KeyConfig, now: Date): SigningKey {
  const files = keyFiles(config);
  const key = config.CHECKPOINT_KEY_FILE
    ? loadSigningKey(files.signingKey)
    : loadOrCreateSigningKey(files.signingKey);
  recordPublicKey(files.ring, key.publicKey, now);
  return key;
}

/**
 * The public keys this deployment has signed with, from its own files (the key ring, and the
 * signing key's public half): what `pnpm verify` trusts when no `--key` is given.
 */
export function deploymentPublicKeys(config: KeyConfig): PublicKey[] {
  const files = keyFiles(config);
  const keys = readPublicKeyFile(files.ring);
  if (existsSync(files.signingKey)) {
    const current = loadSigningKey(files.signingKey).publicKey;
    if (!keys.some((k) => k.fingerprint === current.fingerprint)) keys.push(current);
  }
  return keys;
}
