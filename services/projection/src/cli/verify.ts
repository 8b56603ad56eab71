// `pnpm verify [--community <id> | --stream <id>]` checks the hash chains in the database and
// names the first broken event; `pnpm verify dossier.json [--key <file>]` checks an exported
// proposal dossier offline, without any database: chains, decisions, and each event's proof
// to a checkpoint signed by a trusted key; `pnpm verify --witness checkpoints.jsonl` keeps the
// log's latest checkpoint after checking that it extends every one kept before. Without
// `--key`, the keys trusted are the deployment's own (its data directory or configuration),
// never one a dossier or the log carries. Exit code 0: intact; 1: broken; 2: usage.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { openBlobStore } from '@yishi/attachments';
import { openEventStore } from '@yishi/event-store';
import { ConfigError, loadConfig } from '@yishi/platform';
import {
  formatFingerprint,
  KeyError,
  type PublicKey,
  readPublicKeyFile,
  WitnessFileError,
} from '@yishi/transparency';
import { createDb } from '../db.ts';
import { deploymentPublicKeys } from '../transparency/keys.ts';
import { verifyDossier } from '../verification/dossier.ts';
import { type Scope, verifyScope } from '../verification/verify.ts';
import { openDatabase } from './database.ts';
import { databaseLog, runWitness, serverLog } from './witness.ts';

interface Report {
  ok: boolean;
  streams: number;
  events: number;
  firstBroken?: { streamId: string; streamVersion: number; reason: string };
  problem?: string;
  checkpoint?: { treeSize: number; signedAt: string; keyFingerprint: string };
}

class UsageError extends Error {}

function print(what: string, report: Report): number {
  if (report.ok) {
    console.log(
      `✓ 完好 / intact: ${what}（${report.streams} 条流 / streams，${report.events} 个事件 / events）`,
    );
    if (report.checkpoint) {
      const c = report.checkpoint;
      const key = formatFingerprint(c.keyFingerprint);
      console.log(
        `  每个事件都在日志中：检查点共 ${c.treeSize} 条，${c.signedAt} 由密钥 ${key} 签署\n` +
          `  every event is in the log: checkpoint of ${c.treeSize} entries signed ${c.signedAt} by key ${key}`,
      );
    }
    return 0;
  }
  console.log(`✗ 不完好 / NOT intact: ${what}`);
  if (report.firstBroken) {
    const b = report.firstBroken;
    console.log(
      `  第一个损坏的事件 / first broken event: ${b.streamId} version ${b.streamVersion}（第 ${b.streamVersion} 版）: ${b.reason}`,
    );
  }
  if (report.problem) console.log(`  ${report.problem}`);
  return 1;
}

/** The keys to trust: `--key`'s file, else the deployment's own. */
function trustedKeys(file: string | undefined): PublicKey[] {
  const keys = file ? readPublicKeyFile(file, true) : deploymentPublicKeys(loadConfig());
  if (keys.length === 0) {
    throw new UsageError(
      "no public key of the log to verify with: pass --key <file> (the deployment's checkpoint-keys.pem)",
    );
  }
  return keys;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      community: { type: 'string' },
      stream: { type: 'string' },
      key: { type: 'string' },
      witness: { type: 'string' },
      server: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const modes = [
    positionals.length > 0,
    values.witness !== undefined,
    !!(values.community || values.stream),
  ];
  if (
    values.help ||
    positionals.length > 1 ||
    (values.community && values.stream) ||
    modes.filter(Boolean).length > 1 ||
    (values.server && !values.witness) ||
    (values.key && modes[2])
  ) {
    console.error(
      '用法 / usage:\n' +
        '       pnpm verify [--community <id> | --stream <id>]                 (the database)\n' +
        '       pnpm verify <dossier.json> [--key <public key file>]            (offline)\n' +
        '       pnpm verify --witness <checkpoints.jsonl> [--key <file>] [--server <projection URL>]\n' +
        '       (--server reads the log over HTTP with the token in YISHI_TOKEN; else the database)',
    );
    return values.help ? 0 : 2;
  }
  const file = positionals[0];
  if (file) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      console.error(
        `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
      );
      return 2;
    }
    return print(`dossier ${file}`, verifyDossier(json, trustedKeys(values.key)));
  }
  if (values.witness) {
    const trusted = trustedKeys(values.key);
    if (values.server) {
      return runWitness(values.witness, trusted, serverLog(values.server, process.env.YISHI_TOKEN));
    }
    const database = await openDatabase('projection');
    const db = createDb(database.url, 2);
    try {
      return await runWitness(values.witness, trusted, databaseLog(db));
    } finally {
      await db.destroy();
      await database.close();
    }
  }
  const scope: Scope = values.stream
    ? { kind: 'stream', streamId: values.stream }
    : values.community
      ? { kind: 'community', communityId: values.community }
      : { kind: 'all' };
  const database = await openDatabase('projection');
  const store = await openEventStore({
    databaseUrl: database.url,
    eventsDatabaseUrl: database.eventsUrl,
    eventstoreUrl: database.eventstoreUrl,
  });
  const db = createDb(database.url, 4);
  const blobs = await openBlobStore(loadConfig(), database.url);
  try {
    const schema = await db
      .selectFrom('projection_generations')
      .select('schema_name')
      .where('projection', '=', 'timeline')
      .where('status', '=', 'active')
      .executeTakeFirst()
      .catch(() => undefined);
    const report = await verifyScope(
      store,
      scope,
      schema ? { db, schema: schema.schema_name } : undefined,
      blobs,
    );
    return print(report.scope, report);
  } finally {
    await db.destroy();
    await blobs.close();
    await store.close();
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof ConfigError ||
        error instanceof UsageError ||
        error instanceof KeyError ||
        error instanceof WitnessFileError
        ? error.message
        : `核验失败 / verify failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(2);
  },
);
