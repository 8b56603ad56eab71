// `pnpm token --community c1 --role clerk --person p1 [--party pty1] [--expires 12h]`
import { parseArgs } from 'node:util';
import { Role } from '@yishi/domain';
import { ConfigError, issueToken, loadConfig, localSecret } from '@yishi/platform';

function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      community: { type: 'string', multiple: true },
      role: { type: 'string' },
      person: { type: 'string' },
      party: { type: 'string' },
      expires: { type: 'string', default: '12h' },
    },
  });
  const role = Role.safeParse(values.role);
  if (!values.community?.length || !role.success || !values.person) {
    console.error(
      `usage: pnpm token --community <id> [--community <id>…] --role <${Role.options.join('|')}> --person <id> [--party <id>] [--expires 12h]`,
    );
    process.exit(2);
  }
  const config = loadConfig();
  if (config.JWT_JWKS_URL) {
    console.error('JWT_JWKS_URL is set: tokens come from your identity provider, not from here.');
    process.exit(2);
  }
  return issueToken(
    {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      secret: localSecret(config.DATA_DIR, config.JWT_SECRET),
    },
    {
      personId: values.person,
      role: role.data,
      communities: values.community,
      ...(values.party ? { partyId: values.party } : {}),
    },
    values.expires,
  ).then((token) => {
    // The services refuse a token living longer than JWT_MAX_LIFETIME_SECONDS: say so here.
    const { iat, exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
      iat: number;
      exp: number;
    };
    if (exp - iat > config.JWT_MAX_LIFETIME_SECONDS) {
      console.error(
        `--expires ${values.expires} is longer than JWT_MAX_LIFETIME_SECONDS (${config.JWT_MAX_LIFETIME_SECONDS} s): the services would refuse the token`,
      );
      process.exit(2);
    }
    process.stdout.write(`${token}\n`);
  });
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
