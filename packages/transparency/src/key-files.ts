import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  generateSigningKeyPem,
  KeyError,
  type PublicKey,
  publicKeyPem,
  publicKeysFromPem,
  type SigningKey,
  signingKeyFromPem,
} from './keys.ts';

// The log's keys on disk. The signing key is a PKCS#8 PEM file (generated on first use where
// the deployment lets it be). Every public key the log has signed with is kept in a PEM file
// (the key ring), so that checkpoints signed before a rotation still verify.

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new KeyError(`cannot read ${what} ${file}: ${(error as Error).message}`);
  }
}

/** The signing key in `file`. */
export function loadSigningKey(file: string): SigningKey {
  return signingKeyFromPem(readText(file, 'the checkpoint signing key'));
}

/** The signing key in `file`, generated there (readable by its owner only) when missing. */
export function loadOrCreateSigningKey(file: string): SigningKey {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, generateSigningKeyPem(), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Present already (or written by another process meanwhile): use it.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return loadSigningKey(file);
}

/** The public keys in a PEM file; none when it does not exist. */
export function readPublicKeyFile(file: string, required = false): PublicKey[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new KeyError(`cannot read the public key file ${file}: ${(error as Error).message}`);
  }
  const keys = publicKeysFromPem(text);
  if (required && keys.length === 0) throw new KeyError(`${file} holds no public key`);
  return keys;
}

/**
 * Adds a public key to the key ring file unless it is there; says whether it was added. Each
 * key is preceded by a comment line with its fingerprint and when it was added.
 */
export function recordPublicKey(ringFile: string, key: PublicKey, now: Date): boolean {
  const known = readPublicKeyFile(ringFile);
  if (known.some((k) => k.fingerprint === key.fingerprint)) return false;
  mkdirSync(dirname(ringFile), { recursive: true });
  appendFileSync(
    ringFile,
    `# checkpoint key ${key.fingerprint}, first used ${now.toISOString()}\n${publicKeyPem(key)}`,
    'utf8',
  );
  return true;
}
