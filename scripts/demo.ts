// `pnpm demo`: seeds a realistic community and runs four scenarios through the public HTTP API
// of a running `DEMO_CLOCK=1 pnpm start` (the clock is advanced past notice periods).
import { ConfigError, loadConfig, localSecret } from '@yishi/platform';
import { Api } from './demo/client.ts';
import { generateCommunity } from './demo/community.ts';
import { runDemo } from './demo/scenarios.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  const commandUrl = process.env.COMMAND_URL ?? `http://${host}:${config.COMMAND_PORT}`;
  const projectionUrl = process.env.PROJECTION_URL ?? `http://${host}:${config.PROJECTION_PORT}`;
  const community = generateCommunity(process.env.DEMO_COMMUNITY ?? 'xfl');
  const api = new Api({
    commandUrl,
    projectionUrl,
    communityId: community.communityId,
    secret: localSecret(config.DATA_DIR, config.JWT_SECRET),
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  const health = await fetch(`${commandUrl}/healthz`).catch(() => undefined);
  if (!health?.ok) {
    console.error(
      `没有找到命令服务 / no command service at ${commandUrl}: run \`DEMO_CLOCK=1 pnpm start\` first.`,
    );
    process.exit(1);
  }
  const started = performance.now();
  const result = await runDemo(api, community, (line) => console.log(line));
  const c = community.communityId;
  console.log(`
完成 / done in ${((performance.now() - started) / 1000).toFixed(1)} s, ${result.counts.requests} HTTP requests.

在这里查看 / where to look (token: pnpm -s run token --community ${c} --role official --person off1):
  提案 proposals        ${projectionUrl}/v1/communities/${c}/proposals
  决定登记 decisions    ${projectionUrl}/v1/communities/${c}/decisions
  联席会议 session      ${projectionUrl}/v1/communities/${c}/sessions/${result.sessionId}
  时间线 timeline       ${projectionUrl}/v1/communities/${c}/proposals/fund/timeline
  核验 verification     ${projectionUrl}/v1/communities/${c}/verification
  API 文档 docs         ${commandUrl}/docs  ${projectionUrl}/docs
  网页控制台 console    http://${host}:${config.WEB_PORT}`);
}

main().catch((error) => {
  console.error(
    error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error,
  );
  process.exit(1);
});
