import type { EventStore } from '@yishi/event-store';
import {
  generateSigningKeyPem,
  publicKeyPem,
  type SigningKey,
  signingKeyFromPem,
} from '@yishi/transparency';
import type { Kysely } from 'kysely';
import type { Database } from '../tables.ts';
import { TreeBuilder, type TreeBuilderOptions } from '../transparency/builder.ts';
import { LogProofs } from '../transparency/proofs.ts';

// The transparency log in tests: a key made for the test, a builder that signs quickly, and
// proofs that wait for it.

export const TEST_ORIGIN = 'test.yishi/log';

export function testSigningKey(): SigningKey {
  return signingKeyFromPem(generateSigningKeyPem());
}

/** The public key as a verifier's key file holds it. */
export const publicKeyFile = (key: SigningKey) => publicKeyPem(key.publicKey);

/** A started builder that signs within 20 ms of new leaves. */
export async function startTreeBuilder(
  store: EventStore,
  db: Kysely<Database>,
  key: SigningKey,
  options: Partial<TreeBuilderOptions> = {},
): Promise<TreeBuilder> {
  const builder = new TreeBuilder(store, db, {
    key,
    origin: TEST_ORIGIN,
    intervalMs: 20,
    pollIntervalMs: 20,
    lockRetryMs: 50,
    heartbeatMs: 200,
    ...options,
  });
  await builder.start();
  return builder;
}

/** Proofs to checkpoints, waiting up to 30 s for one (and asking the builder for it). */
export function testLogProofs(db: Kysely<Database>, builder?: TreeBuilder): LogProofs {
  return new LogProofs(db, {
    waitMs: 30_000,
    pollMs: 20,
    ...(builder ? { signSoon: () => builder.signSoon() } : {}),
  });
}
