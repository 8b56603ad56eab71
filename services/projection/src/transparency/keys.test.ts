import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeyPem, KeyError, signingKeyFromPem } from '@yishi/transparency';
import { describe, expect, it } from 'vitest';
import { deploymentPublicKeys, deploymentSigningKey } from './keys.ts';

describe("the deployment's checkpoint keys", () => {
  it('are generated into the data directory locally, and kept in its key ring across a rotation', async () => {
    const DATA_DIR = await mkdtemp(join(tmpdir(), 'yishi-keys-'));
    const first = deploymentSigningKey({ DATA_DIR, CHECKPOINT_KEY_FILE: undefined }, new Date());
    expect(existsSync(join(DATA_DIR, 'checkpoint-key'))).toBe(true);
    expect(
      deploymentSigningKey({ DATA_DIR, CHECKPOINT_KEY_FILE: undefined }, new Date()).publicKey
        .fingerprint,
    ).toBe(first.publicKey.fingerprint);

    // Production: the operator's key file; the old key stays trusted through the ring.
    const file = join(DATA_DIR, 'operator.pem');
    const pem = generateSigningKeyPem();
    await writeFile(file, pem);
    const second = deploymentSigningKey({ DATA_DIR, CHECKPOINT_KEY_FILE: file }, new Date());
    expect(second.publicKey.fingerprint).toBe(signingKeyFromPem(pem).publicKey.fingerprint);
    expect(
      deploymentPublicKeys({ DATA_DIR, CHECKPOINT_KEY_FILE: file }).map((k) => k.fingerprint),
    ).toEqual([first.publicKey.fingerprint, second.publicKey.fingerprint]);
  });

  it('are never generated where the configuration names a file', async () => {
    const DATA_DIR = await mkdtemp(join(tmpdir(), 'yishi-keys-'));
    const missing = join(DATA_DIR, 'missing.pem');
    expect(() =>
      deploymentSigningKey({ DATA_DIR, CHECKPOINT_KEY_FILE: missing }, new Date()),
    ).toThrow(KeyError);
    expect(existsSync(missing)).toBe(false);
    expect(deploymentPublicKeys({ DATA_DIR, CHECKPOINT_KEY_FILE: undefined })).toEqual([]);
  });
});
