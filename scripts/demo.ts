// `pnpm demo`: seeds a realistic community and runs six scenarios through the public HTTP API
// of a running `DEMO_CLOCK=1 pnpm start` (the clock is advanced past notice periods).
import { ConfigError, loadConfig, localSecret } from '@yishi/platform';
import { Api } from './demo/client.ts';
import { generateCommunity } from './demo/community.ts';
import { demoLinks, runDemo } from './demo/scenarios.ts';

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
  const links = demoLinks(community.communityId, result.sessionId);
  const width = Math.max(...links.map((l) => l.label.length));
  console.log(`
完成 / done in ${((performance.now() - started) / 1000).toFixed(1)} s, ${result.counts.requests} HTTP requests.

在这里查看 / where to look (the API with a token: pnpm -s run token --community ${community.communityId} --role official --person off1):
${links.map((l) => `  ${l.label.padEnd(width)}  ${projectionUrl}${l.path}`).join('\n')}
  API 文档 docs  ${commandUrl}/docs  ${projectionUrl}/docs
  网页控制台 console  http://${host}:${config.WEB_PORT}/c/${community.communityId}`);
}

main().catch((error) => {
  console.error(
    error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error,
  );
  process.exit(1);
});
