import { OwnersMatter } from '@yishi/domain';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiDocument, apiDescriptions, type Schema } from './documents.ts';

// Every field of every command body, nested ones too, is described in Chinese and in English.

let command: ApiDocument;
beforeAll(async () => {
  command = (await apiDescriptions()).command.document;
});

/** Each property of a body schema, with its path and description. */
function properties(schema: Schema, path = ''): { path: string; description: unknown }[] {
  const found: { path: string; description: unknown }[] = [];
  for (const [name, property] of Object.entries(
    (schema.properties ?? {}) as Record<string, Schema>,
  )) {
    found.push({ path: `${path}.${name}`, description: property.description });
    found.push(...properties(property, `${path}.${name}`));
  }
  if (schema.items) found.push(...properties(schema.items as Schema, `${path}[]`));
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    for (const option of (schema[key] ?? []) as Schema[]) found.push(...properties(option, path));
  }
  return found;
}

const bodies = () =>
  Object.values(command.paths).flatMap((item) =>
    Object.values(item).flatMap((op) => {
      const schema = op.requestBody?.content['application/json']?.schema;
      return schema ? [{ op: op.operationId, schema }] : [];
    }),
  );

describe('command body fields', () => {
  it('are all described, zh then en', () => {
    const fields = bodies().flatMap(({ op, schema }) =>
      properties(schema).map((p) => ({ ...p, path: `${op}${p.path}` })),
    );
    expect(fields.length).toBeGreaterThan(300);
    const bilingual = /^[^·]*[\u4e00-\u9fff][^·]* · .*[A-Za-z]{3}/;
    const lacking = fields.filter(
      (f) => typeof f.description !== 'string' || !bilingual.test(f.description),
    );
    expect(lacking.map((f) => f.path)).toEqual([]);
  });

  it("say what each owners' matter means and how the developer's unsold units vote", () => {
    const items = bodies().find((b) => b.op === 'SubmitProposal')!.schema;
    const matter = properties(items).find((p) => p.path === '.items[].matter')!.description;
    for (const value of OwnersMatter.options) expect(matter).toContain(value);
    const unit = bodies().find((b) => b.op === 'RegisterUnit')!.schema;
    expect(properties(unit).find((p) => p.path === '.developerUnsold')!.description).toContain(
      'developerId',
    );
    const settings = bodies().find((b) => b.op === 'ChangeCommunitySettings')!.schema;
    expect(properties(settings).find((p) => p.path === '.developerId')!.description).toMatch(
      /developer casts/,
    );
  });
});
