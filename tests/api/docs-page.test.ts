import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiDescription, apiDescriptions } from './documents.ts';

// /docs shows, for every operation of the service's own document, who may call it and the
// schemas it refers to (each rendered on the page).

let described: { command: ApiDescription; projection: ApiDescription };
beforeAll(async () => {
  described = await apiDescriptions();
});

/** Component schemas a value refers to, directly or through other component schemas. */
function referred(value: unknown, schemas: Record<string, unknown>, found = new Set<string>()) {
  if (Array.isArray(value)) for (const v of value) referred(v, schemas, found);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') {
        const name = inner.replace('#/components/schemas/', '');
        if (!found.has(name) && name in schemas) {
          found.add(name);
          referred(schemas[name], schemas, found);
        }
      } else referred(inner, schemas, found);
    }
  }
  return found;
}

describe('/docs', () => {
  for (const name of ['command', 'projection'] as const) {
    it(`${name}: each operation with its roles and the schemas it refers to`, () => {
      const { document, page } = described[name];
      const { schemas } = document.components;
      let operations = 0;
      for (const [path, item] of Object.entries(document.paths)) {
        for (const [method, op] of Object.entries(item)) {
          operations++;
          const start = page.indexOf(`<section id="op-${op.operationId}">`);
          expect(start, `${method} ${path}`).toBeGreaterThan(-1);
          const section = page.slice(start, page.indexOf('</section>', start));
          expect(section).toContain(`<code>${path}</code>`);
          const roles = /可用角色 · Roles: (.*)<\/div>/.exec(section)?.[1] ?? '';
          expect(op['x-roles']?.length, `${method} ${path}: x-roles`).toBeGreaterThan(0);
          expect([...roles.matchAll(/<code>([^<]+)<\/code>/g)].map((m) => m[1])).toEqual(
            op['x-roles'],
          );
          for (const schema of referred(op, schemas)) {
            expect(section, `${method} ${path} refers to ${schema}`).toContain(
              `href="#schema-${schema}"`,
            );
            expect(page).toContain(`<section id="schema-${schema}"><h3>${schema}</h3><pre>`);
          }
        }
      }
      expect(operations).toBeGreaterThan(name === 'command' ? 70 : 25);
    });
  }

  it('shows the roles of a command from the catalogue', () => {
    const { page } = described.command;
    const start = page.indexOf('<section id="op-OpenVoting">');
    expect(page.slice(start, page.indexOf('</section>', start))).toContain(
      '可用角色 · Roles: <code>convener</code></div>',
    );
  });
});
