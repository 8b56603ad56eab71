import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// infra/compose.yaml publishes only the console: every other published port is bound to
// loopback. (No YAML parser is a dependency: the file's own layout is read, two-space services
// and `ports:` as an inline list or a block list, and anything else fails the test.)

const compose = readFileSync(new URL('../infra/compose.yaml', import.meta.url), 'utf8');
/** Services that may be published on every interface. */
const PUBLIC = new Set(['console', 'web']);

/** Each service's published port mappings. */
function publishedPorts(text: string): Map<string, string[]> {
  const ports = new Map<string, string[]>();
  const lines = text.split('\n').map((line) => line.replace(/\s+#.*$/, ''));
  let inServices = false;
  let service: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\S/.test(line)) inServices = line.startsWith('services:');
    const named = inServices ? /^ {2}([A-Za-z0-9_-]+):/.exec(line) : null;
    if (named) service = named[1];
    const entry = /^\s+ports:\s*(.*)$/.exec(line);
    if (!entry) continue;
    // Under an anchor (x-service) ports would reach every service that merges it, unseen here.
    if (!inServices || !service) throw new Error(`ports outside a service, line ${i + 1}`);
    const inline = entry[1]!.trim();
    const mappings: string[] = [];
    if (inline.startsWith('[')) {
      mappings.push(...(inline.match(/"[^"]*"|'[^']*'|[^\s,[\]]+/g) ?? []));
    } else if (inline === '') {
      for (let j = i + 1; j < lines.length && /^\s+-\s/.test(lines[j]!); j++) {
        mappings.push(lines[j]!.replace(/^\s+-\s+/, ''));
      }
    } else {
      throw new Error(`ports of ${service} in a form this test does not read: ${inline}`);
    }
    ports.set(service, [
      ...(ports.get(service) ?? []),
      ...mappings.map((m) => m.replace(/^["']|["']$/g, '')),
    ]);
  }
  return ports;
}

describe('infra/compose.yaml', () => {
  it('publishes no service but the console on every interface', () => {
    const published = publishedPorts(compose);
    const exposed = [...published].flatMap(([service, mappings]) =>
      PUBLIC.has(service)
        ? []
        : mappings.filter((m) => !m.startsWith('127.0.0.1:')).map((m) => `${service} ${m}`),
    );
    expect(exposed).toEqual([]);
    expect(published.has('command')).toBe(false);
    expect(published.has('projection')).toBe(false);
  });

  it('reads both forms of ports (the test itself)', () => {
    const text = [
      'services:',
      '  a:',
      '    ports: ["3000:3000", "127.0.0.1:1:1"] # c',
      '  b:',
      '    ports:',
      '      - "0.0.0.0:5432:5432"',
    ].join('\n');
    expect([...publishedPorts(text)]).toEqual([
      ['a', ['3000:3000', '127.0.0.1:1:1']],
      ['b', ['0.0.0.0:5432:5432']],
    ]);
  });

  it('gives each service the secrets it uses and no other', () => {
    const environment = environments(compose);
    // HS256: the console signs the services' tokens, the services verify them.
    for (const service of ['command', 'projection', 'web']) {
      expect(environment.get(service)).toContain('JWT_SECRET');
    }
    // Webhooks: notifications (projection), sign-in codes (console).
    expect(environment.get('projection')).toContain('WEBHOOK_SECRET');
    expect(environment.get('web')).toContain('WEBHOOK_SECRET');
    expect(environment.get('command')).not.toContain('WEBHOOK_SECRET');
    expect(environment.get('web')).toContain('COMMAND_URL');
    // Sealed personal fields (PIPL): the services that seal and open them, not the console.
    expect(environment.get('command')).toContain('PII_MASTER_KEY');
    expect(environment.get('projection')).toContain('PII_MASTER_KEY');
    expect(environment.get('web')).not.toContain('PII_MASTER_KEY');
    for (const service of ['postgres', 'kurrentdb', 'migrate']) {
      expect(environment.get(service)).not.toContain('JWT_SECRET');
      expect(environment.get(service)).not.toContain('WEBHOOK_SECRET');
      expect(environment.get(service)).not.toContain('PII_MASTER_KEY');
    }
  });

  it('migrates once, as the owner, before any service starts', () => {
    const blocks = serviceBlocks(compose);
    const migrate = blocks.get('migrate');
    expect(migrate, 'a migrate service').toBeDefined();
    // Built from the services' Dockerfile; the CLI it runs is one the image compiles.
    expect(migrate).toMatch(
      /build: \{ context: \.\., dockerfile: infra\/Dockerfile, args: \{ SERVICE: projection \} \}/,
    );
    expect(migrate).toContain(
      'command: ["node", "--enable-source-maps", "dist/cli/db-migrate.js"]',
    );
    const manifest = JSON.parse(
      readFileSync(new URL('../services/projection/package.json', import.meta.url), 'utf8'),
    ) as { yishi: { cli: string[] } };
    expect(manifest.yishi.cli).toContain('../../scripts/db-migrate.ts');
    expect(dockerfile).toMatch(/^COPY scripts\/db-migrate\.ts .*\.\/scripts\/$/m);
    expect(dockerfile).toMatch(/^COPY scripts\/db \.\/scripts\/db$/m);
    // One shot, after PostgreSQL is up, as the schemas' owner.
    expect(migrate).toContain('restart: "no"');
    expect(migrate).toMatch(/depends_on:\n\s+postgres: \{ condition: service_healthy \}/);
    expect(migrate).toMatch(/^ {6}DATABASE_URL: postgres:\/\/yishi:/m);
    // Every service waits for it to have succeeded: command and projection through the anchor.
    const anchor = /^x-service: &service\n((?: {2}.*\n|\n)*)/m.exec(compose)?.[1] ?? '';
    expect(anchor).toMatch(/migrate:\n\s+condition: service_completed_successfully/);
    for (const service of ['command', 'projection']) {
      expect(blocks.get(service)).toContain('<<: *service');
      expect(blocks.get(service)).not.toMatch(/^ {4}depends_on:/m);
    }
    expect(blocks.get('web')).toContain('migrate: { condition: service_completed_successfully }');
  });

  it("gives the services their roles' URLs on the events' own database", () => {
    expect(block('command')).toMatch(
      /EVENTS_DATABASE_URL: \$\{COMMAND_EVENTS_DATABASE_URL:-\$\{EVENTS_DATABASE_URL:-\}\}/,
    );
    expect(block('projection')).toMatch(
      /EVENTS_DATABASE_URL: \$\{PROJECTION_EVENTS_DATABASE_URL:-\$\{EVENTS_DATABASE_URL:-\}\}/,
    );
    expect(block('web')).not.toContain('EVENTS_DATABASE_URL');
  });
});

const dockerfile = readFileSync(new URL('../infra/Dockerfile', import.meta.url), 'utf8');
const block = (service: string) => serviceBlocks(compose).get(service) ?? '';

/** Each service's block of lines under `services:`, as written. */
function serviceBlocks(text: string): Map<string, string> {
  const blocks = new Map<string, string>();
  const services = text.slice(text.indexOf('\nservices:\n'));
  for (const match of services.matchAll(/^ {2}([A-Za-z0-9_-]+):\n((?: {4}.*\n|\n)*)/gm)) {
    blocks.set(match[1]!, match[2]!);
  }
  return blocks;
}

/** Each service's environment variable names, those merged from `<<: *service` included. */
function environments(text: string): Map<string, string[]> {
  const blocks = serviceBlocks(text);
  const anchor = /^x-service: &service\n((?: {2}.*\n|\n)*)/m.exec(text)?.[1] ?? '';
  const names = (block: string) =>
    [...block.matchAll(/^ {4,6}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
  return new Map(
    [...blocks].map(([service, block]) => [
      service,
      [...names(block), ...(block.includes('<<: *service') ? names(anchor) : [])],
    ]),
  );
}
