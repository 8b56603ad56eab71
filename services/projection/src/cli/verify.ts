// `pnpm verify [--community <id> | --stream <id>]` checks the hash chains in the database and
// names the first broken event; `pnpm verify dossier.json` checks an exported proposal dossier
// offline, without any database. Exit code 0: intact; 1: broken; 2: usage.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { openEventStore } from '@yishi/event-store';
import { ConfigError } from '@yishi/platform';
import { createDb } from '../db.ts';
import { verifyDossier } from '../verification/dossier.ts';
import { type Scope, verifyScope } from '../verification/verify.ts';
import { openDatabase } from './database.ts';

interface Report {
  ok: boolean;
  streams: number;
  events: number;
  firstBroken?: { streamId: string; streamVersion: number; reason: string };
  problem?: string;
}

function print(what: string, report: Report): number {
  if (report.ok) {
    console.log(`✓ ${what}: intact (${report.streams} streams, ${report.events} events)`);
    return 0;
  }
  console.log(`✗ ${what}: NOT intact`);
  if (report.firstBroken) {
    const b = report.firstBroken;
    console.log(`  first broken event: ${b.streamId} version ${b.streamVersion}: ${b.reason}`);
  }
  if (report.problem) console.log(`  ${report.problem}`);
  return 1;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      community: { type: 'string' },
      stream: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length > 1 || (values.community && values.stream)) {
    console.error(
      'usage: pnpm verify [--community <id> | --stream <id>]   (the database)\n' +
        '       pnpm verify <dossier.json>                     (offline)',
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
    return print(`dossier ${file}`, verifyDossier(json));
  }
  const scope: Scope = values.stream
    ? { kind: 'stream', streamId: values.stream }
    : values.community
      ? { kind: 'community', communityId: values.community }
      : { kind: 'all' };
  const database = await openDatabase();
  const store = await openEventStore({
    databaseUrl: database.url,
    eventsDatabaseUrl: database.eventsUrl,
    eventstoreUrl: database.eventstoreUrl,
  });
  const db = createDb(database.url, 4);
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
    );
    return print(report.scope, report);
  } finally {
    await db.destroy();
    await store.close();
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof ConfigError
        ? error.message
        : `verify failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(2);
  },
);
