// `pnpm run rebuild [projection…] [--batch 2000] [--grace 5]`: builds new generations of the
// projections from the first event beside the ones serving queries, then switches queries to
// them and drops the old ones. (`pnpm rebuild` is pnpm's own command: use `pnpm run rebuild`.)
// `--community c1`: only that community's rows, rebuilt inside the generations serving queries.
import { parseArgs } from 'node:util';
import { openEventStore, PostgresEventStore } from '@yishi/event-store';
import { ConfigError } from '@yishi/platform';
import { createDb } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { projectionNamed, projections } from '../projections/index.ts';
import { rebuildCommunity } from '../runtime/community.ts';
import { rebuild } from '../runtime/rebuild.ts';
import { openDatabase } from './database.ts';
import { Progress } from './progress.ts';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      batch: { type: 'string', default: '2000' },
      grace: { type: 'string', default: '5' },
      community: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const names = projections.map((p) => p.name);
  const batchSize = Number(values.batch);
  const graceSeconds = Number(values.grace);
  const unknown = positionals.filter((n) => !projectionNamed(n));
  if (
    values.help ||
    unknown.length > 0 ||
    !Number.isInteger(batchSize) ||
    batchSize < 1 ||
    batchSize > 10_000 ||
    !(graceSeconds >= 0)
  ) {
    if (unknown.length) console.error(`未知的读模型 / unknown projection: ${unknown.join(', ')}`);
    console.error(
      `用法 / usage: pnpm run rebuild [${names.join('|')} …] [--batch 1..10000] [--grace seconds] [--community id]`,
    );
    return values.help ? 0 : 2;
  }
  const selected = positionals.length
    ? positionals.map((n) => projectionNamed(n)!)
    : [...projections];
  const database = await openDatabase('projection');
  const store = await openEventStore({
    databaseUrl: database.url,
    eventsDatabaseUrl: database.eventsUrl,
    eventstoreUrl: database.eventstoreUrl,
  });
  const db = createDb(database.url, 10 + selected.length * 2);
  try {
    await migrateReadModels(db);
    if (values.community !== undefined) {
      const started = performance.now();
      for (const done of await rebuildCommunity(store, db, selected, values.community, {
        batchSize,
      })) {
        console.error(
          `  ${done.projection.padEnd(10)} ${values.community}：重放 ${done.events.toLocaleString('en')} 个事件 / events applied again in ${done.schema}`,
        );
      }
      console.error(`完成 / done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      return 0;
    }
    // EventStoreDB does not say how many events it holds: the bar then grows with them.
    const total = store instanceof PostgresEventStore ? ((await store.head())?.events ?? 0) : 0;
    console.error(
      `重建 / rebuilding ${selected.map((p) => p.name).join(', ')}：${total ? total.toLocaleString('en') : '全部 / every'} 个事件 / events`,
    );
    const progress = new Progress(total);
    const result = await rebuild(store, db, selected, {
      batchSize,
      graceMs: graceSeconds * 1000,
      onBatch: (n) => progress.add(n),
      onIndexing: () => {
        const { ms } = progress.finish();
        console.error(
          `事件已重放 / events applied in ${(ms / 1000).toFixed(1)} s；建立查询索引 / building query indexes…`,
        );
      },
    });
    for (const g of result.generations) {
      console.error(
        `  ${g.projection.padEnd(10)} → ${g.schema}（第 ${g.version} 版 / version ${g.version}），已开始服务查询 / now serving queries`,
      );
    }
    return 0;
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
        : `重建失败 / rebuild failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);
