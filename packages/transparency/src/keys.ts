import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';

// Ed25519 keys of the log (node:crypto): PEM files, the raw 32-byte public key, its fingerprint
// (what people compare) and its signed-note key ID (what a signature line carries).

/** A public key a verifier trusts, with what identifies it. */
export interface PublicKey {
  key: KeyObject;
  /** The 32-byte Ed25519 public key (RFC 8032). */
  raw: Buffer;
  /** SHA-256 of the raw public key, hex: what officials compare and keep. */
  fingerprint: string;
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: PublicKey;
}

export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

function assertEd25519(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new KeyError(`${what} is a ${key.asymmetricKeyType ?? 'symmetric'} key, not Ed25519`);
  }
}

export function publicKeyOf(key: KeyObject): PublicKey {
  assertEd25519(key, 'the public key');
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new KeyError('the public key has no Ed25519 point');
  const raw = Buffer.from(jwk.x, 'base64url');
  return { key, raw, fingerprint: createHash('sha256').update(raw).digest('hex') };
}

/** A new Ed25519 private key as PKCS#8 PEM. */
export function generateSigningKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The signing key in a PKCS#8 PEM text. */
export function signingKeyFromPem(pem: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (error) {
    throw new KeyError(`not a private key in PEM: ${(error as Error).message}`);
  }
  assertEd25519(privateKey, 'the signing key');
  return { privateKey, publicKey: publicKeyOf(createPublicKey(privateKey)) };
}

const PEM_BLOCK = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g;

/**
 * Every public key (SPKI PEM block) in a text; lines outside the blocks (comments) are ignored.
 * A private key's text yields its public key.
 */
export function publicKeysFromPem(text: string): PublicKey[] {
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0 && text.includes('PRIVATE KEY-----')) {
    return [signingKeyFromPem(text).publicKey];
  }
  return blocks.map((block, i) => {
    let key: KeyObject;
    try {
      key = createPublicKey(block);
    } catch (error) {
      throw new KeyError(`public key ${i + 1} is not valid: ${(error as Error).message}`);
    }
    return publicKeyOf(key);
  });
}

/** The SPKI PEM of a public key. */
export function publicKeyPem(key: PublicKey): string {
  return key.key.export({ type: 'spki', format: 'pem' }).toString();
}

/** The fingerprint as people read it: eight groups of eight hex digits. */
export function formatFingerprint(fingerprint: string): string {
  return fingerprint.match(/.{1,8}/g)?.join(' ') ?? fingerprint;
}

/** Signed-note key ID: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4] (0x01: Ed25519). */
export function noteKeyId(name: string, key: PublicKey): Buffer {
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, 0x01]))
    .update(key.raw)
    .digest()
    .subarray(0, 4);
}
