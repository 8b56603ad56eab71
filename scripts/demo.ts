// `pnpm demo`: seeds a realistic community and runs six scenarios through the public HTTP API
// of a running `DEMO_CLOCK=1 pnpm start` (the clock is advanced past notice periods); gives its
// people phone numbers and signs some of them in to the console with development codes.
import { resolve } from 'node:path';
import {
  createIdentityDb,
  identityKey,
  migrateIdentity,
  TablePhoneDirectory,
} from '@yishi/identity';
import { localLogin, localPostgresUrl } from '@yishi/local-postgres';
import { ConfigError, loadConfig, localSecret } from '@yishi/platform';
import { loadDemo } from './demo/load.ts';
import { demoLinks } from './demo/scenarios.ts';
import { DEMO_ADMIN, DEMO_OFFICIAL, demoPhone } from './demo/sign-in.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  const commandUrl = process.env.COMMAND_URL ?? `http://${host}:${config.COMMAND_PORT}`;
  const projectionUrl = process.env.PROJECTION_URL ?? `http://${host}:${config.PROJECTION_PORT}`;
  const webUrl = process.env.WEB_URL ?? `http://${host}:${config.WEB_PORT}`;
  const health = await fetch(`${commandUrl}/healthz`).catch(() => undefined);
  if (!health?.ok) {
    console.error(
      `没有找到命令服务 / no command service at ${commandUrl}: run \`DEMO_CLOCK=1 pnpm start\` first.`,
    );
    process.exit(1);
  }
  // The sign-in's directory, in the database `pnpm start` uses: the phone numbers people
  // sign in with, until the registry keeps them.
  const db = createIdentityDb(
    config.DATABASE_URL ??
      localPostgresUrl(
        config.EMBEDDED_PG_PORT,
        'yishi',
        localLogin(resolve(config.DATA_DIR, 'postgres')),
      ),
  );
  try {
    await migrateIdentity(db);
  } catch (error) {
    // 28P01: another server's password (or none) in this DATA_DIR: not the `pnpm start` one.
    if ((error as { code?: string }).code !== '28P01') throw error;
    console.error(
      `数据库拒绝了 ${config.DATA_DIR} 中的密码 / the database refused the password kept in ${config.DATA_DIR}: run \`pnpm demo\` with the DATA_DIR (and ports) you gave \`pnpm start\`.`,
    );
    process.exit(1);
  }
  const phones = new TablePhoneDirectory(db, identityKey(config));
  const console_ = await fetch(`${webUrl}/healthz`).catch(() => undefined);
  const started = performance.now();
  try {
    const { community, result } = await loadDemo(
      {
        commandUrl,
        projectionUrl,
        communityId: process.env.DEMO_COMMUNITY ?? 'xfl',
        secret: localSecret(config.DATA_DIR, config.JWT_SECRET),
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        phones,
        ...(console_?.ok ? { webUrl } : {}),
      },
      (line) => console.log(line),
    );
    const c = community.communityId;
    const owner = community.owners[0]!;
    const links = demoLinks(c, result);
    const width = Math.max(...links.map((l) => l.label.length));
    console.log(`
完成 / done in ${((performance.now() - started) / 1000).toFixed(1)} s, ${result.counts.requests} HTTP requests.

控制台 / console ${webUrl}/c/${c}: 用手机号登录，开发模式下验证码显示在页面上 (sign in by phone; the code is shown in development)
  业主 owner           ${demoPhone(owner).slice(3)}  (${owner})
  书记员 clerk         ${demoPhone(community.clerkId).slice(3)}  (${community.clerkId})
  召集人 convener      ${demoPhone(community.conveners[0]!).slice(3)}  (${community.conveners[0]})
  街道 official        ${DEMO_OFFICIAL.phone.slice(3)}  (${DEMO_OFFICIAL.personId})
  管理员 admin         ${DEMO_ADMIN.phone.slice(3)}  (${DEMO_ADMIN.personId}, if the demo recorded the first administrator)
  anyone else: 138 and their number (ps0042 → 13800000042)

在这里查看 / where to look (the API with a token: pnpm -s run token --community ${c} --role official --person off1):
${links.map((l) => `  ${l.label.padEnd(width)}  ${projectionUrl}${l.path}`).join('\n')}
  API 文档 docs  ${commandUrl}/docs  ${projectionUrl}/docs`);
  } finally {
    await db.destroy();
  }
}

main().catch((error) => {
  console.error(
    error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error,
  );
  process.exit(1);
});
