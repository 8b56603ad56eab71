import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { streams, textHashOf } from '@yishi/domain';
import { formatCheckpoint, PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import jsqr from 'jsqr';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import type { DecisionView, SessionView } from '../contract.ts';
import { createDb } from '../db.ts';
import { projections } from '../main.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { Projector } from '../runtime/projector.ts';
import type { Database } from '../tables.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';
import { startTreeBuilder, testSigningKey } from '../testing/transparency.ts';
import { CheckpointLog } from '../transparency/checkpoints.ts';
import { createPdfRenderer, type PdfRenderer } from './renderer.ts';

// The printed documents read back as a person would: the PDF's text with pdftotext (the
// fonts embedded, the Chinese extractable), and its QR code decoded from the printed page.

const auth = testAuth();
const CONSOLE = 'https://yishi.example.cn';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let store: PostgresEventStore;
let db: Kysely<Database>;
let projectors: Projector[];
let pdf: PdfRenderer;
let app: ReturnType<typeof createApp>;
let sim: Simulator;
let token: string;
/** The printed PDFs and their last pages as images, kept as test artifacts to look at. */
const work = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../test-artifacts/documents',
);

beforeAll(async () => {
  const url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  db = createDb(url, 20);
  await migrateReadModels(db);
  projectors = projections.map(
    (p) => new Projector(store, db, p, { pollIntervalMs: 50, lockRetryMs: 50, heartbeatMs: 200 }),
  );
  for (const p of projectors) await p.start();
  pdf = createPdfRenderer({ executablePath: CHROMIUM });
  app = createApp({
    db,
    store,
    verify: auth.verify,
    projectors,
    minPositionWaitMs: 5_000,
    pdf,
    publicUrl: CONSOLE,
  });
  token = await auth.token({ personId: 'r1', role: 'resident', communities: ['doc'] });
  sim = new Simulator(store, new Random(22));
  await sim.registerCommunity('doc');
  await sim.ownersDecision('doc', 'lift', 9, true, '加装电梯');
  await sim.jointSession('doc', 'parking', 's1');
  mkdirSync(work, { recursive: true });
});
afterAll(async () => {
  await pdf.close();
  for (const p of projectors) await p.stop();
  await db.destroy();
  await store.close();
});

const position = () => formatCheckpoint(sim.last!.checkpoint);
const get = (path: string) => app.request(path, { headers: { authorization: `Bearer ${token}` } });
const json = async <T>(path: string) => (await (await get(path)).json()) as T;

/** The PDF as pdftotext reads it, and the QR code of its first page as jsQR decodes it. */
async function readPdf(res: Response, name: string): Promise<{ text: string; qr: string }> {
  expect(
    res.status,
    await res
      .clone()
      .text()
      .then((t) => t.slice(0, 300)),
  ).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/pdf');
  const file = join(work, `${name}.pdf`);
  writeFileSync(file, new Uint8Array(await res.arrayBuffer()));
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  // The QR code sits on the last page, after the body.
  const pages = Number(
    /Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))![1],
  );
  execFileSync('pdftoppm', [
    '-r',
    '150',
    '-gray',
    '-f',
    String(pages),
    '-l',
    String(pages),
    file,
    join(work, name),
  ]);
  const image = readPgm(
    join(work, `${name}-${String(pages).padStart(String(pages).length, '0')}.pgm`),
  );
  // jsqr is CommonJS whose typings name its function `default`.
  const code = jsqr.default(image.rgba, image.width, image.height);
  return { text: text.replace(/\s+/g, ' '), qr: code?.data ?? '' };
}

/** A binary PGM (P5) as RGBA, for jsQR. */
function readPgm(path: string): { width: number; height: number; rgba: Uint8ClampedArray } {
  const bytes = readFileSync(path);
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(bytes.subarray(0, 40).toString('latin1'))!;
  const width = Number(header[1]);
  const height = Number(header[2]);
  const pixels = bytes.subarray(header[0].length);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba.set([pixels[i]!, pixels[i]!, pixels[i]!, 255], i * 4);
  }
  return { width, height, rgba };
}

/** 0.01 m² as the notice writes it: "1,234.56". */
const area = (centi: number) =>
  `${Math.trunc(centi / 100).toLocaleString('en-US')}.${String(centi % 100).padStart(2, '0')}`;

describe('the 公示 of a decision', () => {
  it('prints the rule, every figure in words, the period and how to object, with a QR code to verify it', async () => {
    const decision = await json<DecisionView>(
      `/v1/communities/doc/proposals/lift/decision?minPosition=${position()}`,
    );
    const res = await get('/v1/communities/doc/proposals/lift/notice.pdf');
    const code = res.headers.get('x-document-code');
    const { text, qr } = await readPdf(res, 'notice');
    expect(text).toContain('关于“加装电梯”表决结果的公示');
    expect(text).toContain('doc 社区');
    expect(text).toContain('业主共同决定（民法典第 278 条）');
    // Every test of the rule, with its figures, and the verdict in words.
    const fund = decision.items[0]!.result as {
      tests: { name: string; value: number; base: number; passed: boolean }[];
      figures: { yes: { owners: number; areaCentiM2: number } };
    };
    expect(fund.tests.length).toBeGreaterThan(0);
    expect(text).toContain('三分之二');
    for (const name of fund.tests.map((t) => t.name)) {
      const subject = {
        'participation-area': '参与表决面积',
        'participation-owners': '参与表决人数',
      }[name];
      if (subject) expect(text).toContain(subject);
    }
    const participation = fund.tests.find((t) => t.name === 'participation-area')!;
    expect(text).toContain(`${area(participation.value)} / ${area(participation.base)} 平方米`);
    expect(text).toContain(`${area(fund.figures.yes.areaCentiM2)} 平方米`);
    // The publication period and how to object.
    expect(text).toContain('公示期自');
    expect(text).toContain(`${CONSOLE}/c/doc/proposals/lift`);
    expect(text).toContain('提出异议');
    expect(decision.implementation.responsibleId).toBe('clerk1');
    expect(text).toContain('落实责任人：clerk1');
    // The document code and the chain head, and a QR code that opens the console's verify
    // page at that very head (checked against the store, not against the page).
    const head = (await store.streamHead(streams.proposal('doc', 'lift')))!;
    expect(code).toMatch(/^[0-9a-f]{12}$/);
    expect(text).toContain(code!);
    expect(text).toContain(head.hash.slice(0, 12));
    const url = new URL(qr);
    expect(`${url.origin}${url.pathname}`).toBe(`${CONSOLE}/c/doc/verify`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      run: '1',
      scope: 'proposal',
      proposal: 'lift',
      version: String(head.version),
      head: head.hash.slice(0, 12),
      doc: 'notice',
    });
    expect(decision.outcome).toBe('adopted');
    expect(decision.items).toHaveLength(2);
    expect(text).toContain(
      { adopted: '通过', 'partly-adopted': '部分通过', rejected: '未通过' }[decision.outcome]!,
    );
  });

  it('embeds its fonts (CJK included), so the page prints and reads the same anywhere', async () => {
    const file = join(work, 'notice.pdf');
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .slice(2);
    expect(fonts.length).toBeGreaterThan(0);
    // name type encoding emb sub uni object ID: every font embedded.
    for (const line of fonts) expect(line, line).toMatch(/\s+yes\s+yes\s+yes\s+\d+\s+\d+$/);
    expect(fonts.join('\n')).toMatch(/WenQuanYi|wqy/i);
  });

  it('is the same document at the same head: same code as HTML, in English too, and as of then', async () => {
    const html = await get('/v1/communities/doc/proposals/lift/notice.html');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await html.text();
    // The policy allows the page's one style by its hash, and nothing else.
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)![1]!;
    const hash = createHash('sha256').update(style).digest('base64');
    expect(html.headers.get('content-security-policy')).toContain(`style-src 'sha256-${hash}'`);
    expect(page).not.toContain('<script');
    const code = html.headers.get('x-document-code')!;
    expect(page).toContain(code);
    expect(page).toContain('<svg');
    expect(page).toContain('href="notice.pdf"');
    const en = await get('/v1/communities/doc/proposals/lift/notice.html?lang=en');
    expect(await en.text()).toContain('Public notice of the decision on “加装电梯”');
    // The language is how it is printed, not what it says.
    expect(en.headers.get('x-document-code')).toBe(code);
    // Later events change the record: the head moves, and the document as of the old head
    // is still the one printed.
    const at = html.headers.get('x-as-of-position')!;
    await sim.proposal(
      'doc',
      'lift',
      'RateSatisfaction',
      { rating: 3 },
      { personId: 'o9', role: 'owner' },
    );
    const later = await get(
      `/v1/communities/doc/proposals/lift/notice.html?minPosition=${position()}`,
    );
    expect(later.headers.get('x-as-of-position')).not.toBe(at);
    const then = await get(`/v1/communities/doc/proposals/lift/notice.html?asOf=${at}`);
    expect(then.headers.get('x-document-code')).toBe(code);
  });
});

describe('verifying a printed document', () => {
  it('says whether the printed head is in the chain, and how many events came after it', async () => {
    const res = await get(
      `/v1/communities/doc/proposals/lift/notice.html?minPosition=${position()}`,
    );
    const at = res.headers.get('x-as-of-position')!;
    const head = (await store.streamHead(streams.proposal('doc', 'lift')))!;
    const printed = `stream=proposal-doc.lift&version=${head.version}&head=${head.hash.slice(0, 12)}`;
    const now = await json<{ ok: boolean; head: unknown }>(
      `/v1/communities/doc/verification?${printed}`,
    );
    expect(now).toMatchObject({
      ok: true,
      head: { version: head.version, matches: true, latestVersion: head.version, position: at },
    });
    // A later event: the printed head is an ancestor now.
    await sim.proposal(
      'doc',
      'lift',
      'RateSatisfaction',
      { rating: 4 },
      { personId: 'o8', role: 'owner' },
    );
    const later = await json<{ head: { matches: boolean; latestVersion: number } }>(
      `/v1/communities/doc/verification?${printed}`,
    );
    expect(later.head).toMatchObject({ matches: true, latestVersion: head.version + 1 });
    // Another hash at that version: the paper and the record differ.
    const forged = await json<{ head: { matches: boolean } }>(
      `/v1/communities/doc/verification?stream=proposal-doc.lift&version=${head.version}&head=${'0'.repeat(12)}`,
    );
    expect(forged.head.matches).toBe(false);
    for (const [query, field] of [
      [`version=${head.version}&head=${head.hash.slice(0, 12)}`, 'query.stream'],
      ['stream=proposal-doc.lift&version=3', 'query.head'],
      ['stream=proposal-doc.lift&head=ABC', 'query.head'],
    ] as const) {
      const refused = await get(`/v1/communities/doc/verification?${query}`);
      expect(refused.status, query).toBe(400);
      expect(await refused.json()).toMatchObject({
        errors: expect.arrayContaining([expect.objectContaining({ field })]),
      });
    }
  });
});

describe('a session’s notice and minutes', () => {
  it('prints the meeting notice: time, parties, agenda and the notice as given', async () => {
    const session = await json<SessionView>(
      `/v1/communities/doc/sessions/s1?minPosition=${position()}`,
    );
    const { text, qr } = await readPdf(
      await get('/v1/communities/doc/sessions/s1/notice.pdf'),
      'meeting',
    );
    expect(text).toContain('联席会议 会议通知');
    for (const party of session.parties) expect(text).toContain(party.name);
    expect(text).toContain('议题讨论');
    expect(text).toContain('其他事项');
    expect(text).toContain('会议通知');
    const scheduled = new Date(Date.parse(session.scheduledAt) + 8 * 3600_000).toISOString();
    expect(text).toContain(`${scheduled.slice(0, 10)} ${scheduled.slice(11, 16)}`);
    expect(new URL(qr).searchParams.get('scope')).toBe('session');
    expect(new URL(qr).searchParams.get('doc')).toBe('meeting-notice');
  });

  it('prints the minutes with their text, its digest and every signature', async () => {
    const session = await json<SessionView>(
      `/v1/communities/doc/sessions/s1?minPosition=${position()}`,
    );
    const { text, qr } = await readPdf(
      await get('/v1/communities/doc/sessions/s1/minutes.pdf'),
      'minutes',
    );
    const version = session.minutes.versions.find(
      (v) => v.version === session.minutes.finalVersion,
    );
    expect(version).toBeDefined();
    expect(text).toContain('联席会议 会议纪要');
    expect(text).toContain(version!.text);
    // The digest wraps in the narrow column: compare without the breaks.
    expect(text.replace(/ /g, '')).toContain(textHashOf(version!.text));
    expect(version!.signatures.length).toBe(4);
    for (const signature of version!.signatures) {
      const party = session.parties.find((p) => p.partyId === signature.partyId)!;
      expect(text).toContain(party.name);
      expect(text).toContain(`协商主体代表 ${signature.personId}`);
    }
    const head = (await store.streamHead(streams.session('doc', 's1')))!;
    expect(new URL(qr).searchParams.get('head')).toBe(head.hash.slice(0, 12));
    // The chain head of the proposal the session decided, as it stood when the session's
    // record ended, is printed beside the session's.
    const last = (await store.readStream(streams.session('doc', 's1'))).at(-1)!;
    const proposal = (await store.readStream(streams.proposal('doc', 'parking')))
      .filter(
        (e) =>
          e.transactionId < last.transactionId ||
          (e.transactionId === last.transactionId && e.globalPosition <= last.globalPosition),
      )
      .at(-1)!;
    expect(text).toContain(proposal.hash.slice(0, 12));
  });
});

describe('the signed checkpoint on a printed document', () => {
  it('prints the latest checkpoint covering it (tree size, short root hash), once one is signed', async () => {
    const noticePath = '/v1/communities/doc/proposals/lift/notice';
    // No checkpoint yet: the page says so rather than print one that does not cover it.
    const before = await (await get(`${noticePath}.html`)).text();
    expect(before).toContain('尚无签名检查点覆盖本文件');
    const builder = await startTreeBuilder(store, db, testSigningKey());
    try {
      const { rows } = await store.pool.query<{ n: string }>('SELECT count(*) AS n FROM es_events');
      const total = Number(rows[0]!.n);
      await expect
        .poll(async () => (await new CheckpointLog(db).latest())?.treeSize, { timeout: 30_000 })
        .toBe(total);
      const latest = (await json<{ treeSize: number; shortHash: string }>(
        '/v1/checkpoints/latest',
      ))!;
      expect(latest.treeSize).toBe(total);
      for (const [path, name] of [
        [`${noticePath}.pdf`, 'notice-checkpoint'],
        ['/v1/communities/doc/sessions/s1/minutes.pdf', 'minutes-checkpoint'],
      ] as const) {
        const { text } = await readPdf(await get(path), name);
        expect(text).toContain('日志签名检查点');
        expect(text.replace(/ /g, '')).toContain(`共${total}条·根${latest.shortHash}`);
        expect(text).not.toContain('尚无签名检查点');
      }
    } finally {
      await builder.stop();
    }
  });
});

describe('the register extract', () => {
  it('prints each decision with its outcome and chain head', async () => {
    const { text } = await readPdf(
      await get(`/v1/communities/doc/decisions.pdf?minPosition=${position()}`),
      'register',
    );
    expect(text).toContain('doc 社区 决议台账摘录');
    expect(text).toContain('加装电梯');
    expect(text).toContain('责任人 clerk1');
    const head = (await store.streamHead(streams.proposal('doc', 'lift')))!;
    expect(text).toContain(head.hash.slice(0, 12));
  });
});

describe('refusals', () => {
  it('answers 404 for what does not exist and 400 naming the field, as problem+json', async () => {
    for (const [path, status, code] of [
      ['/v1/communities/doc/proposals/nope/notice.pdf', 404, 'proposal-not-found'],
      ['/v1/communities/doc/sessions/nope/minutes.html', 404, 'session-not-found'],
      ['/v1/communities/doc/proposals/lift/notice.pdf?lang=fr', 400, 'invalid-input'],
    ] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({ code });
    }
    const lang = await (await get('/v1/communities/doc/proposals/lift/notice.pdf?lang=fr')).json();
    expect(lang).toMatchObject({ errors: [expect.objectContaining({ field: 'query.lang' })] });
  });

  it('answers 404 decision-not-found for a proposal not decided yet', async () => {
    await sim.proposal(
      'doc',
      'open',
      'SubmitProposal',
      {
        communityId: 'doc',
        proposalId: 'open',
        title: '未决议题',
        description: '尚未表决',
        procedure: 'owners-joint-decision',
        items: [
          { itemId: 'i1', title: '事项', kind: 'motion', matter: 'other-major', options: [] },
        ],
        submitterUnitIds: ['u1'],
      },
      { personId: 'o1', role: 'owner' },
    );
    const res = await get(
      `/v1/communities/doc/proposals/open/notice.pdf?minPosition=${position()}`,
    );
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'decision-not-found' });
  });

  it('answers 503 pdf-unavailable when Chromium is missing, and still serves the print page', async () => {
    const missing = createPdfRenderer({ executablePath: join(work, 'no-chromium') });
    const without = createApp({ db, store, verify: auth.verify, projectors, pdf: missing });
    const headers = { authorization: `Bearer ${token}` };
    const res = await without.request('/v1/communities/doc/proposals/lift/notice.pdf', { headers });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'pdf-unavailable' });
    const page = await without.request('/v1/communities/doc/proposals/lift/notice.html', {
      headers,
    });
    expect(page.status).toBe(200);
    await missing.close();
  });
});
