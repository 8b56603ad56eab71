import { createHash, sign } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint, signCheckpoint, verifyCheckpoint } from './checkpoint.ts';
import {
  loadOrCreateSigningKey,
  loadSigningKey,
  readPublicKeyFile,
  recordPublicKey,
} from './key-files.ts';
import {
  generateSigningKeyPem,
  KeyError,
  noteKeyId,
  publicKeyPem,
  publicKeysFromPem,
  signingKeyFromPem,
} from './keys.ts';

const keyA = signingKeyFromPem(generateSigningKeyPem());
const keyB = signingKeyFromPem(generateSigningKeyPem());
const body = {
  origin: 'yishi.example/log',
  treeSize: 1234,
  rootHash: createHash('sha256').update('root').digest(),
  signedAt: new Date('2026-12-08T02:00:00.000Z'),
};

describe('signed checkpoints', () => {
  it('are signed notes in the checkpoint format: origin, size, root, time, then the signature', () => {
    const { note } = signCheckpoint(body, keyA);
    const lines = note.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'yishi.example/log',
      '1234',
      body.rootHash.toString('base64'),
      'time 2026-12-08T02:00:00.000Z',
      '',
    ]);
    const signature = /^\u2014 yishi\.example\/log ([A-Za-z0-9+/=]+)$/.exec(lines[5]!);
    expect(signature).not.toBeNull();
    const bytes = Buffer.from(signature![1]!, 'base64');
    // Key ID per the signed-note spec: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4].
    const id = createHash('sha256')
      .update(
        Buffer.concat([Buffer.from('yishi.example/log\n'), Buffer.from([1]), keyA.publicKey.raw]),
      )
      .digest()
      .subarray(0, 4);
    expect(bytes.subarray(0, 4)).toEqual(id);
    expect(bytes.length).toBe(4 + 64);
    expect(lines.slice(6)).toEqual(['']);
  });

  it('verify with the key that signed them, and state what they say', () => {
    const signed = signCheckpoint(body, keyA);
    const result = verifyCheckpoint(signed.note, [keyB.publicKey, keyA.publicKey]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.checkpoint).toMatchObject({
      origin: body.origin,
      treeSize: 1234,
      signedAt: body.signedAt,
      keyId: noteKeyId(body.origin, keyA.publicKey).toString('hex'),
    });
    expect(result.checkpoint.rootHash.equals(body.rootHash)).toBe(true);
    expect(result.checkpoint.key.fingerprint).toBe(keyA.publicKey.fingerprint);
  });

  it('refuse a note signed by another key, or with its size, root or time changed', () => {
    const { note } = signCheckpoint(body, keyA);
    expect(verifyCheckpoint(note, [keyB.publicKey])).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^not signed by a trusted key/),
    });
    const edits = [
      note.replace('\n1234\n', '\n1235\n'),
      note.replace(body.rootHash.toString('base64'), Buffer.alloc(32).toString('base64')),
      note.replace('02:00:00.000Z', '02:00:01.000Z'),
    ];
    for (const edited of edits) {
      expect(verifyCheckpoint(edited, [keyA.publicKey])).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/does not verify/),
      });
    }
    // A forger's own note with a forged key: the verifier only trusts its own keys.
    const forged = signCheckpoint({ ...body, treeSize: 9 }, keyB);
    expect(verifyCheckpoint(forged.note, [keyA.publicKey]).ok).toBe(false);
    for (const junk of ['', 'x', `${note}trailing`, note.replaceAll('\n', '\r\n'), 'a\n1\n=\n\n']) {
      expect(verifyCheckpoint(junk, [keyA.publicKey]).ok).toBe(false);
    }
  });

  it('ignore signatures by unknown keys (witnesses, another log) beside the log’s own', () => {
    const { note } = signCheckpoint(body, keyA);
    const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
    const cosigned = `${note}\u2014 witness.example/w1 ${Buffer.concat([
      Buffer.alloc(4),
      sign(null, Buffer.from(text), keyB.privateKey),
    ]).toString('base64')}\n`;
    expect(verifyCheckpoint(cosigned, [keyA.publicKey]).ok).toBe(true);
    expect(readCheckpoint(cosigned)).toMatchObject({
      treeSize: 1234,
      keyIds: [expect.any(String), '00000000'],
    });
  });

  it('rotate: a new key signs on, checkpoints signed before still verify with the key ring', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'checkpoint-keys-'));
    const ring = join(dir, 'checkpoint-keys.pem');
    const file = join(dir, 'checkpoint-key');
    const first = loadOrCreateSigningKey(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // Loaded again, the same key (not a new one each start).
    expect(loadOrCreateSigningKey(file).publicKey.fingerprint).toBe(first.publicKey.fingerprint);
    expect(recordPublicKey(ring, first.publicKey, new Date())).toBe(true);
    expect(recordPublicKey(ring, first.publicKey, new Date())).toBe(false);
    const before = signCheckpoint(body, first);

    // Rotation: another signing key replaces it; its public key joins the ring.
    await writeFile(file, generateSigningKeyPem());
    const second = loadSigningKey(file);
    expect(second.publicKey.fingerprint).not.toBe(first.publicKey.fingerprint);
    expect(recordPublicKey(ring, second.publicKey, new Date())).toBe(true);
    const after = signCheckpoint({ ...body, treeSize: 2000 }, second);

    const trusted = readPublicKeyFile(ring, true);
    expect(trusted.map((k) => k.fingerprint)).toEqual([
      first.publicKey.fingerprint,
      second.publicKey.fingerprint,
    ]);
    expect(verifyCheckpoint(before.note, trusted)).toMatchObject({ ok: true });
    expect(verifyCheckpoint(after.note, trusted)).toMatchObject({ ok: true });
    // Only the new key: the old checkpoints no longer verify; only the old: the new ones do not.
    expect(verifyCheckpoint(before.note, [second.publicKey]).ok).toBe(false);
    expect(verifyCheckpoint(after.note, [first.publicKey]).ok).toBe(false);
    expect(await readFile(ring, 'utf8')).toContain(
      `# checkpoint key ${second.publicKey.fingerprint}`,
    );
  });

  it('read keys from PEM: public keys, a private key’s public half; refuse other kinds', () => {
    const pem = `${publicKeyPem(keyA.publicKey)}comment\n${publicKeyPem(keyB.publicKey)}`;
    expect(publicKeysFromPem(pem).map((k) => k.fingerprint)).toEqual([
      keyA.publicKey.fingerprint,
      keyB.publicKey.fingerprint,
    ]);
    const privatePem = keyA.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(publicKeysFromPem(privatePem)[0]!.fingerprint).toBe(keyA.publicKey.fingerprint);
    expect(() => signingKeyFromPem('not a key')).toThrow(KeyError);
    expect(() => readPublicKeyFile('/nonexistent/keys.pem', true)).toThrow(KeyError);
    expect(readPublicKeyFile('/nonexistent/keys.pem')).toEqual([]);
  });
});
