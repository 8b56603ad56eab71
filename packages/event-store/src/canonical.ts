/** Why a value is not plain JSON; `path` names where (e.g. `.votes[3].weight`). */
export class JsonProblem extends Error {
  path = '';
  constructor(readonly problem: string) {
    super(problem);
    this.name = 'JsonProblem';
  }
  /** Adds the segment leading to where the problem is (as the error unwinds). */
  within(segment: string): this {
    this.path = `${segment}${this.path}`;
    this.message = `${this.path}: ${this.problem}`;
    return this;
  }
}

export const MAX_JSON_DEPTH = 64;

/** U+0000 (PostgreSQL's jsonb cannot hold it) or any surrogate (checked one by one). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is what it looks for.
const SUSPECT = /[\u0000\ud800-\udfff]/;

function checkString(text: string): void {
  if (!SUSPECT.test(text)) return;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) throw new JsonProblem('contains U+0000');
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) throw new JsonProblem('contains a lone surrogate');
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      throw new JsonProblem('contains a lone surrogate');
    }
  }
}

/**
 * What JSON.stringify escapes in a string (`"`, `\\`, U+0000 to U+001F, lone surrogates) and
 * surrogates in general (checked one by one): a string without any is written as it is.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const SPECIAL = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as RFC 8785 writes it (JSON.stringify's escaping), refused if not storable. */
function quote(text: string): string {
  if (!SPECIAL.test(text)) return `"${text}"`;
  checkString(text);
  return JSON.stringify(text);
}

/** Member names in UTF-16 code unit order, as Array.prototype.sort orders strings. */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  if (keys.length > 16) return keys.sort();
  // Insertion sort in place: members are few, and sort() allocates a work area per call.
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

function serialize(value: unknown, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) throw new JsonProblem(`${value} is not a JSON number`);
      // ES6 number serialisation, as RFC 8785 requires (-0 becomes 0).
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (depth >= MAX_JSON_DEPTH) throw new JsonProblem(`nested deeper than ${MAX_JSON_DEPTH}`);
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          try {
            if (!(i in value)) throw new JsonProblem('hole in a sparse array');
            out += serialize(value[i], depth + 1);
          } catch (error) {
            if (error instanceof JsonProblem) error.within(`[${i}]`);
            throw error;
          }
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        const name = (proto as { constructor?: { name?: string } }).constructor?.name ?? 'object';
        throw new JsonProblem(`${name} is not a plain object`);
      }
      const record = value as Record<string, unknown>;
      // RFC 8785: members sorted by the UTF-16 code units of their names (the default sort).
      const keys = sortedKeys(record);
      let out = '{';
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        try {
          const name = quote(key);
          const member = record[key];
          if (member === undefined) throw new JsonProblem('undefined is not JSON');
          if (k > 0) out += ',';
          out += `${name}:${serialize(member, depth + 1)}`;
        } catch (error) {
          if (error instanceof JsonProblem) error.within(`.${key.slice(0, 40)}`);
          throw error;
        }
      }
      return `${out}}`;
    }
    default:
      throw new JsonProblem(`${typeof value} is not JSON`);
  }
}

/**
 * RFC 8785 (JCS) canonical JSON of a plain JSON value, checking it on the way: only null,
 * booleans, finite numbers, well-formed strings without U+0000, dense arrays and plain objects
 * without undefined members, nested at most {@link MAX_JSON_DEPTH} deep. Throws a
 * {@link JsonProblem} otherwise, so nothing is silently dropped or changed.
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, 0);
}
