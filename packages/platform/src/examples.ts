import { problemTitle } from './problem.ts';

// An example for every request and response the document describes, built from the schema
// itself: a schema's own `example` where it has one, else a value of its type that its
// constraints accept (the lint checks each example against its schema). Ids read like ids,
// times like times, so a reader sees the shape of a real exchange.

type Schema = Record<string, unknown>;
const REF = '#/components/schemas/';

export function exampleOf(
  schema: unknown,
  components: Record<string, unknown>,
  name = '',
  depth = 0,
): unknown {
  // Deep enough for a decision's figures; a schema that refers to itself stops here.
  if (typeof schema !== 'object' || schema === null || depth > 40) return null;
  const s = schema as Schema;
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if (s.default !== undefined) return s.default;
  if (typeof s.$ref === 'string' && s.$ref.startsWith(REF)) {
    return exampleOf(components[s.$ref.slice(REF.length)], components, name, depth + 1);
  }
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = s[key];
    if (Array.isArray(options)) {
      const concrete = options.find((o: Schema) => o.type !== 'null') ?? options[0];
      return exampleOf(concrete, components, name, depth + 1);
    }
  }
  if (Array.isArray(s.allOf)) {
    return Object.assign(
      {},
      ...s.allOf.map((part) => exampleOf(part, components, name, depth + 1) as object),
    );
  }
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const properties = (s.properties ?? {}) as Record<string, unknown>;
      const value: Record<string, unknown> = {};
      for (const [key, property] of Object.entries(properties)) {
        value[key] = exampleOf(property, components, key, depth + 1);
      }
      return value;
    }
    case 'array': {
      const item = exampleOf(s.items, components, name.replace(/s$/, ''), depth + 1);
      const min = typeof s.minItems === 'number' ? s.minItems : 1;
      return Array.from({ length: Math.max(1, min) }, (_, i) => distinct(item, i));
    }
    case 'integer':
    case 'number':
      return numberFor(s);
    case 'boolean':
      return false;
    case 'string':
      return stringFor(s, name);
    default:
      return null;
  }
}

/** The i-th of several items: ids made distinct, so an example list has no duplicate id. */
function distinct(item: unknown, i: number): unknown {
  if (i === 0) return item;
  if (typeof item === 'string' && /^[a-z]+1$/.test(item)) return item.replace(/1$/, String(i + 1));
  if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
    return Object.fromEntries(
      Object.entries(item).map(([k, v]) => [k, /Id$|^id$/.test(k) ? distinct(v, i) : v]),
    );
  }
  return item;
}

function numberFor(s: Schema): number {
  const min = typeof s.minimum === 'number' ? s.minimum : undefined;
  const exclusive = typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : undefined;
  const max = typeof s.maximum === 'number' ? s.maximum : undefined;
  const value = min ?? exclusive ?? 1;
  return max !== undefined && value > max ? max : value;
}

function stringFor(s: Schema, name: string): string {
  const minLength = typeof s.minLength === 'number' ? s.minLength : 0;
  const maxLength = typeof s.maxLength === 'number' ? s.maxLength : 200;
  let value: string;
  if (s.format === 'date-time') value = '2026-03-01T09:00:00+08:00';
  else if (s.format === 'date') value = '2026-03-01';
  else if (s.format === 'uri' || s.format === 'url' || name === 'url')
    value = 'https://gateway.example.cn/yishi';
  else if (/At$|^at$/.test(name)) value = '2026-03-01T09:00:00+08:00';
  else if (name === 'birthDate') value = '1961-02-03';
  else if (/Id$|^id$/.test(name)) value = `${name.replace(/Id$/, '') || 'x'}1`.toLowerCase();
  else if (name === 'position' || name === 'next' || name === 'after') value = '812:40';
  else value = '示例';
  if (typeof s.pattern === 'string') {
    const pattern = new RegExp(s.pattern);
    const fits = [value, 'a1', '812:40', 'proposal-c1.p1', '0'.repeat(64), '1', '19:00'];
    value = fits.find((candidate) => pattern.test(candidate)) ?? value;
  }
  if (value.length < minLength) value = value.padEnd(minLength, '0');
  return value.slice(0, maxLength);
}

/** A problem's example for one status: its first documented code, as the service sends it. */
export function problemExample(status: number, description: string, path: string): unknown {
  const code = /`([a-z0-9-]+)`/.exec(description)?.[1] ?? 'invalid-input';
  return {
    type: `https://yishi.example/problems/${code}`,
    title: problemTitle(code),
    status,
    code,
    detail: description.replace(/`/g, '').split(/[;:(]/)[0]!.trim(),
    instance: path,
  };
}
