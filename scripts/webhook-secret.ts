// `pnpm -s webhook-secret --community c1 --webhook sms`: the key the gateway checks signatures
// with. Keys are never stored: each is derived from WEBHOOK_SECRET (else the JWT secret) and the
// webhook's identity, so this prints what the projection service signs with.
import { parseArgs } from 'node:util';
import { CommunityId, Id } from '@yishi/domain';
import { ConfigError, loadConfig, webhookKey, webhookSecret } from '@yishi/platform';

function main(): void {
  const { values } = parseArgs({
    options: { community: { type: 'string' }, webhook: { type: 'string' } },
  });
  const community = CommunityId.safeParse(values.community);
  const webhook = Id.safeParse(values.webhook);
  if (!community.success || !webhook.success) {
    console.error('usage: pnpm -s webhook-secret --community <communityId> --webhook <webhookId>');
    process.exit(2);
  }
  const config = loadConfig();
  process.stdout.write(`${webhookKey(webhookSecret(config), community.data, webhook.data)}\n`);
}

try {
  main();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
