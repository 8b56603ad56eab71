import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyPMap, pentries, pfromEntries, pget, phas, pset, pupdate } from './pmap.ts';

describe('persistent map', () => {
  it('behaves like a Map, and every earlier version stays unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 400 }),
        (ops) => {
          const model = new Map<string, number>();
          let map = emptyPMap<number>();
          const versions: { map: typeof map; snapshot: [string, number][] }[] = [];
          for (const [key, value] of ops) {
            model.set(key, value);
            map = pset(map, key, value);
            versions.push({ map, snapshot: [...model] });
          }
          expect(map.size).toBe(model.size);
          for (const [key, value] of model) expect(pget(map, key)).toBe(value);
          for (const { map: version, snapshot } of versions) {
            expect(new Map(pentries(version))).toEqual(new Map(snapshot));
          }
        },
      ),
    );
  });
  it('splits leaves into branches as it grows and finds every key', () => {
    const map = pfromEntries(Array.from({ length: 5000 }, (_, i) => [`voter-${i}`, i] as const));
    expect(map.size).toBe(5000);
    expect('branch' in map.root).toBe(true);
    expect(pget(map, 'voter-4321')).toBe(4321);
    expect(phas(map, 'voter-5000')).toBe(false);
    expect(
      pget(
        pupdate(map, 'voter-1', (v) => (v ?? 0) + 10),
        'voter-1',
      ),
    ).toBe(11);
  });
  it('equal histories give equal maps', () => {
    const entries = Array.from({ length: 100 }, (_, i) => [`k${i}`, i] as const);
    expect(pfromEntries(entries)).toEqual(pfromEntries(entries));
  });
});
