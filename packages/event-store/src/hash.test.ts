import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, JsonProblem } from './canonical.ts';
import {
  canonicalEvent,
  canonicalEventTemplate,
  chainHash,
  chainHashOfText,
  fillTemplate,
  GENESIS_HASH,
  VERSION_MARK,
} from './hash.ts';
import type { JsonObject } from './types.ts';

const reference = createRequire(import.meta.url)('canonicalize') as (v: unknown) => string;

describe('canonical JSON (RFC 8785)', () => {
  it('matches the RFC 8785 example', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        ' "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts members by UTF-16 code units, numbers as ECMAScript prints them', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: -0 }], '10': 0, '9': 0, é: 1, z: 1e21 })).toBe(
      '{"10":0,"9":0,"a":[{"c":0,"d":2}],"b":1,"z":1e+21,"é":1}',
    );
    expect(canonicalJson({ '\u{1F600}': 1, '\uFFFF': 2 })).toBe('{"\u{1F600}":1,"\uFFFF":2}');
  });

  it('agrees with the reference implementation on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with the reference on any text, refusing only U+0000 and lone surrogates', () => {
    // Texts of the code units that need care: quotes, backslashes, control characters,
    // surrogates paired or not, and some that need none.
    const unit = fc.constantFrom(
      ...['"', '\\', '/', '\u0000', '\n', '\u001f', '\u007f', '\u2028', 'a', 'é', '中'],
      ...['\ud83d\ude00', '\ud800', '\udc00', '\uffff'],
    );
    const unstorable = /\\u0000|\\ud[89a-f][0-9a-f]{2}/;
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: unit }), (value) => {
        const expected = reference(value);
        let text: string | JsonProblem;
        try {
          text = canonicalJson(value);
        } catch (error) {
          if (!(error instanceof JsonProblem)) throw error;
          text = error;
        }
        if (text instanceof JsonProblem) expect(expected).toMatch(unstorable);
        else expect(text).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('is stable under a JSON round trip (what a database gives back)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('names where a value is not plain JSON', () => {
    const problem = (value: unknown) => {
      try {
        canonicalJson(value);
      } catch (error) {
        expect(error).toBeInstanceOf(JsonProblem);
        return (error as Error).message;
      }
      return undefined;
    };
    expect(problem({ a: [1, { b: Number.NaN }] })).toBe('.a[1].b: NaN is not a JSON number');
    expect(problem({ a: undefined })).toBe('.a: undefined is not JSON');
    expect(problem({ d: new Date(0) })).toBe('.d: Date is not a plain object');
    expect(problem({ s: 'x\ud800' })).toBe('.s: contains a lone surrogate');
    const sparse: unknown[] = [];
    sparse[1] = 1;
    expect(problem(sparse)).toBe('[0]: hole in a sparse array');
    expect(problem(Object.create(null))).toBeUndefined();
  });
});

describe('event hashes', () => {
  const fields = {
    streamId: 'proposal-c1.p1',
    streamVersion: 12,
    type: 'BallotCast',
    schemaVersion: 2,
    data: { option: 'A', area: 89.5, owner: '张三' },
    metadata: { commandId: 'k1', actorId: 'o1' },
  };

  it('the template with its version filled in is the canonical JSON of the whole event', () => {
    const template = canonicalEventTemplate(fields);
    expect(template.split(VERSION_MARK)).toHaveLength(2);
    expect(fillTemplate(template, 12)).toBe(reference(fields));
    expect(canonicalEvent(fields)).toBe(reference(fields));
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.integer({ min: 1, max: 2 ** 40 }),
        (data, metadata, streamVersion) => {
          const f = {
            ...fields,
            data: data as JsonObject,
            metadata: metadata as JsonObject,
            streamVersion,
          };
          expect(canonicalEvent(f)).toBe(reference(f));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hash = sha256(prev_hash ‖ canonical JSON), hex', () => {
    const expected = createHash('sha256')
      .update(GENESIS_HASH + reference(fields), 'utf8')
      .digest('hex');
    expect(chainHash(GENESIS_HASH, fields)).toBe(expected);
    expect(chainHashOfText(GENESIS_HASH, canonicalEvent(fields))).toBe(expected);
    expect(chainHash(expected, fields)).not.toBe(expected);
  });
});
