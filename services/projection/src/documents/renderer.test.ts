import { afterAll, describe, expect, it } from 'vitest';
import { createPdfRenderer, PdfUnavailable } from './renderer.ts';

// The renderer's limits, with the real Chromium: one at a time here, none waiting, and a
// time limit; each refusal is a PdfUnavailable (503 pdf-unavailable) that says to retry.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const page = { html: '<!doctype html><html lang="zh-CN"><body><p>公示</p></body></html>' };
const renderers: ReturnType<typeof createPdfRenderer>[] = [];
const renderer = (options: { concurrency?: number; queueLimit?: number; timeoutMs?: number }) => {
  const r = createPdfRenderer({ executablePath: CHROMIUM, ...options });
  renderers.push(r);
  return r;
};
afterAll(async () => {
  for (const r of renderers) await r.close();
});

describe('the PDF renderer', () => {
  it('prints a page to a PDF', async () => {
    const pdf = await renderer({}).render(page);
    expect(new TextDecoder().decode(pdf.subarray(0, 5))).toBe('%PDF-');
  });

  it('refuses at once, with a time to retry, when the queue is full', async () => {
    const r = renderer({ concurrency: 1, queueLimit: 0 });
    const first = r.render(page);
    const second = r.render(page).catch((error: unknown) => error);
    const refused = await second;
    expect(refused).toBeInstanceOf(PdfUnavailable);
    expect((refused as PdfUnavailable).retryAfterSeconds).toBeGreaterThan(0);
    await expect(first).resolves.toBeInstanceOf(Uint8Array);
    // The slot is free again.
    await expect(r.render(page)).resolves.toBeInstanceOf(Uint8Array);
  });

  it('gives up on a document that takes longer than its time limit', async () => {
    const r = renderer({ timeoutMs: 1 });
    await expect(r.render(page)).rejects.toBeInstanceOf(PdfUnavailable);
  });
});
