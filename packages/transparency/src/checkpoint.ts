import { sign, verify } from 'node:crypto';
import { noteKeyId, type PublicKey, type SigningKey } from './keys.ts';
import { HASH_SIZE } from './merkle.ts';

// A signed checkpoint (签名检查点) in the transparency-dev format (C2SP tlog-checkpoint, a
// signed note): the log's origin, the tree size, the base64 root hash, one extension line with
// the time it was signed, a blank line, and signature lines `— <key name> base64(key ID ‖
// Ed25519 signature)`. The signature covers the text above the blank line. The key name is the
// origin.

export interface CheckpointBody {
  origin: string;
  treeSize: number;
  rootHash: Buffer;
  signedAt: Date;
}

export interface SignedCheckpoint extends CheckpointBody {
  /** The whole signed note, as kept and exchanged. */
  note: string;
}

/** A checkpoint whose signature verified, with the key that made it. */
export interface VerifiedCheckpoint extends SignedCheckpoint {
  key: PublicKey;
  /** The signature's key ID, hex. */
  keyId: string;
}

export type Verification =
  | { ok: true; checkpoint: VerifiedCheckpoint }
  | { ok: false; reason: string };

const EM_DASH = '\u2014';
const TIME_PREFIX = 'time ';
/** Names without spaces or '+' (signed note); origins are schema-less URLs. */
const ORIGIN = /^[^\s+]{1,200}$/;

function text(body: CheckpointBody): string {
  if (!ORIGIN.test(body.origin)) throw new RangeError(`not a checkpoint origin: ${body.origin}`);
  if (!Number.isSafeInteger(body.treeSize) || body.treeSize < 0) {
    throw new RangeError(`not a tree size: ${body.treeSize}`);
  }
  if (body.rootHash.length !== HASH_SIZE) throw new RangeError('a root hash has 32 bytes');
  return `${body.origin}\n${body.treeSize}\n${body.rootHash.toString('base64')}\n${TIME_PREFIX}${body.signedAt.toISOString()}\n`;
}

/** Signs a checkpoint with the log's key. */
export function signCheckpoint(body: CheckpointBody, key: SigningKey): SignedCheckpoint {
  const signed = text(body);
  const signature = sign(null, Buffer.from(signed, 'utf8'), key.privateKey);
  const line = `${EM_DASH} ${body.origin} ${Buffer.concat([noteKeyId(body.origin, key.publicKey), signature]).toString('base64')}\n`;
  return { ...body, note: `${signed}\n${line}` };
}

interface ParsedNote {
  body: CheckpointBody;
  signedText: string;
  signatures: { name: string; keyId: Buffer; signature: Buffer }[];
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function parse(note: string): ParsedNote | string {
  if (note.length > 10_000) return 'too long for a checkpoint';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a note holds no control characters.
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) return 'contains control characters';
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n'))
    return 'not a signed note (no blank line before the signatures)';
  const signedText = note.slice(0, split + 1);
  const lines = signedText.slice(0, -1).split('\n');
  const [origin, size, root, time, ...rest] = lines;
  if (!origin || !ORIGIN.test(origin)) return 'no origin line';
  if (!size || !/^(0|[1-9]\d{0,15})$/.test(size) || !Number.isSafeInteger(Number(size))) {
    return 'no tree size line';
  }
  if (!root || !BASE64.test(root) || Buffer.from(root, 'base64').length !== HASH_SIZE) {
    return 'no root hash line';
  }
  if (!time?.startsWith(TIME_PREFIX) || rest.length > 0) return 'no time line';
  const signedAt = new Date(time.slice(TIME_PREFIX.length));
  if (
    Number.isNaN(signedAt.getTime()) ||
    signedAt.toISOString() !== time.slice(TIME_PREFIX.length)
  ) {
    return 'the time is not an ISO 8601 UTC time';
  }
  const signatures: ParsedNote['signatures'] = [];
  for (const line of note.slice(split + 2, -1).split('\n')) {
    const match = new RegExp(`^${EM_DASH} (\\S+) (\\S+)$`).exec(line);
    if (!match || !BASE64.test(match[2]!)) return 'a signature line is malformed';
    const bytes = Buffer.from(match[2]!, 'base64');
    if (bytes.length < 5) return 'a signature line is malformed';
    signatures.push({ name: match[1]!, keyId: bytes.subarray(0, 4), signature: bytes.subarray(4) });
  }
  if (signatures.length === 0 || signatures.length > 16) return 'no signature lines';
  return {
    body: { origin, treeSize: Number(size), rootHash: Buffer.from(root, 'base64'), signedAt },
    signedText,
    signatures,
  };
}

function verifies(message: Buffer, key: PublicKey, signature: Buffer): boolean {
  try {
    return verify(null, message, key.key, signature);
  } catch {
    return false; // a signature of the wrong length
  }
}

/**
 * Checks a signed checkpoint against the keys a verifier trusts (never a key that came with it).
 * Signatures by unknown keys are ignored, as the signed-note format requires; one by a trusted
 * key that does not verify rejects the note.
 */
export function verifyCheckpoint(note: string, trusted: readonly PublicKey[]): Verification {
  const parsed = parse(note);
  if (typeof parsed === 'string') return { ok: false, reason: `not a checkpoint: ${parsed}` };
  const message = Buffer.from(parsed.signedText, 'utf8');
  let verified: VerifiedCheckpoint | undefined;
  for (const signature of parsed.signatures) {
    // The log's own signature: by the origin's name (witnesses' cosignatures are ignored).
    if (signature.name !== parsed.body.origin) continue;
    for (const key of trusted) {
      if (!noteKeyId(signature.name, key).equals(signature.keyId)) continue;
      if (!verifies(message, key, signature.signature)) {
        return {
          ok: false,
          reason: `the signature by key ${key.fingerprint.slice(0, 16)}… does not verify`,
        };
      }
      verified ??= { ...parsed.body, note, key, keyId: signature.keyId.toString('hex') };
    }
  }
  if (!verified) {
    const ids = parsed.signatures.map((s) => s.keyId.toString('hex')).join(', ');
    return { ok: false, reason: `not signed by a trusted key (signed by key ID ${ids})` };
  }
  return { ok: true, checkpoint: verified };
}

/** The checkpoint a note states, unverified (to show it, or to say which key it needs). */
export function readCheckpoint(note: string): (CheckpointBody & { keyIds: string[] }) | string {
  const parsed = parse(note);
  if (typeof parsed === 'string') return parsed;
  return { ...parsed.body, keyIds: parsed.signatures.map((s) => s.keyId.toString('hex')) };
}
