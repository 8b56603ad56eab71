import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withoutMembers } from './members.ts';

const without = (value: Record<string, unknown>, fields: readonly string[]) =>
  Object.fromEntries(Object.entries(value).filter(([k]) => !fields.includes(k)));

describe('withoutMembers', () => {
  it('leaves out the named top-level members, whatever the JSON around them', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.array(fc.string(), { maxLength: 3 }),
        fc.boolean(),
        (generated, extra, pretty) => {
          // What a stored event is: JSON text. The round trip makes the expectation one that
          // JSON can hold (-0 is written as 0).
          const value: Record<string, unknown> = JSON.parse(JSON.stringify(generated));
          const keys = Object.keys(value);
          const fields = [...keys.filter((_, i) => i % 2 === 0), ...extra];
          const text = pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value);
          expect(JSON.parse(withoutMembers(text, new Set(fields)))).toEqual(without(value, fields));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('skips strings with escaped quotes and brackets, and nested members of the same name', () => {
    const text = `{"a\\"[":"x\\\\","electorate":[{"name":"业主 \\"甲\\" ]}","electorate":[1]},
      {"n":-1.5e3,"t":true}] , "voteId":"v1","nested":{"electorate":[2]}}`;
    expect(JSON.parse(withoutMembers(text, new Set(['electorate'])))).toEqual({
      'a"[': 'x\\',
      voteId: 'v1',
      nested: { electorate: [2] },
    });
    // Nothing left out: the text itself.
    expect(withoutMembers(text, new Set(['absent']))).toBe(text);
    expect(withoutMembers('{}', new Set(['a']))).toBe('{}');
    expect(() => withoutMembers('[1]', new Set(['a']))).toThrow('not a JSON object');
  });
});
