import { createHash } from 'node:crypto';
import { escapeHtml, formatTime, type Html, h, htmlLang, raw } from '@yishi/presentation';
import type { DocumentWords } from './messages.ts';

// The sheet every printed document is laid on: A4 with print styles, a heading with the
// community, the body, and a verification block (QR code, document code, chain heads).
// The same HTML is the console's print page and what Chromium prints to PDF.

const STYLE = `
@page { size: A4; margin: 16mm 16mm 18mm; }
/* No synthetic bold: the CJK font has one weight, and a faked one prints as Type 3 glyphs. */
b, strong, th, dt, h1, h2, h3, .verdict { font-weight: normal; }
* { box-sizing: border-box; }
html { font-synthesis: none; font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; font-size: 10.5pt; line-height: 1.6; color: #000; }
body { margin: 0; }
main { max-width: 178mm; margin: 0 auto; }
header { text-align: center; border-bottom: 1.5pt solid #000; margin-bottom: 5mm; padding-bottom: 2mm; }
header .community { font-size: 11pt; margin: 0; }
h1 { font-size: 17pt; margin: 1mm 0; line-height: 1.35; }
header .kind { margin: 0; font-size: 10pt; letter-spacing: 0.3em; }
h2 { font-size: 12pt; margin: 5mm 0 1.5mm; border-left: 3pt solid #000; padding-left: 2mm; }
h3 { font-size: 11pt; margin: 3mm 0 1mm; }
p { margin: 1mm 0; }
ul, ol { margin: 1mm 0; padding-left: 6mm; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.5mm 4mm; margin: 1mm 0; }
dt { color: #333; }
dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 1.5mm 0; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 0.5pt solid #444; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.verdict { font-size: 11.5pt; }
.muted { color: #444; font-size: 9pt; }
.text { white-space: pre-wrap; border: 0.5pt solid #888; padding: 2mm 3mm; margin: 1.5mm 0; }
.mono { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; word-break: break-all; }
.url { word-break: break-all; }
.nowrap { white-space: nowrap; word-break: normal; }
.item { page-break-inside: avoid; margin-bottom: 2mm; }
.verification { display: flex; gap: 5mm; align-items: flex-start; border-top: 1pt solid #000; margin-top: 6mm; padding-top: 3mm; page-break-inside: avoid; }
.verification .qr { flex: none; width: 32mm; height: 32mm; }
.verification .qr svg { width: 100%; height: 100%; }
.verification h2 { margin-top: 0; border: 0; padding: 0; }
.screen { display: none; }
@media screen {
  html { background: #ddd; }
  main { background: #fff; max-width: 210mm; min-height: 297mm; margin: 6mm auto; padding: 16mm; box-shadow: 0 0 3mm rgba(0, 0, 0, 0.3); }
  .screen { display: block; max-width: 210mm; margin: 4mm auto 0; padding: 2mm 3mm; background: #ffd; border: 1px solid #cc9; font-size: 10pt; }
}
`;

/** The page's only style, allowed by hash: the print page runs nothing and fetches nothing. */
export const DOCUMENT_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/** A stream's last event the document stands on (the timeline witnessed its hash). */
export interface ChainHead {
  streamId: string;
  version: number;
  hash: string;
  /** Its position "txid:pos": the document as of this position is the same document. */
  position: string;
}

/** How a short hash is printed: the first 12 hex digits (48 bits), as in the verify link. */
export const shortHash = (hash: string) => hash.slice(0, 12);

export interface Verification {
  /** The console's verify page for this document: what the QR code encodes. */
  url: string;
  /** The first 12 hex digits of the digest of what the document says. */
  code: string;
  heads: readonly { label: string; head: ChainHead }[];
  /** The position the document stands at. */
  position: string;
  madeAt: string;
  /**
   * The latest signed checkpoint of the log, when it covers that position: its tree size and
   * the first 8 bytes of its root in hex, as the API's `shortHash` (an official checks them
   * against a checkpoint kept with `pnpm verify --witness`).
   */
  checkpoint: { treeSize: number; shortHash: string } | undefined;
}

export function verificationBlock(w: DocumentWords, v: Verification, qr: Html): Html {
  return h`<section class="verification" aria-label="${w.t('doc.verify.title')}">
  <div class="qr">${qr}</div>
  <div>
    <h2>${w.t('doc.verify.title')}</h2>
    <dl>
      <dt>${w.t('doc.verify.code')}</dt><dd class="mono" data-code>${v.code}</dd>
      ${v.heads.map(
        ({ label, head }) =>
          h`<dt>${label}</dt><dd class="mono">${w.t('doc.verify.headLine', {
            stream: head.streamId,
            version: head.version,
            hash: shortHash(head.hash),
          })}</dd>`,
      )}
      <dt>${w.t('doc.verify.checkpoint')}</dt><dd class="mono" data-checkpoint>${
        v.checkpoint
          ? w.t('doc.verify.checkpointLine', {
              size: v.checkpoint.treeSize,
              hash: v.checkpoint.shortHash,
            })
          : w.t('doc.verify.checkpointPending')
      }</dd>
    </dl>
    <p class="muted">${w.t('doc.verify.how')}</p>
    <p class="muted url">${v.url}</p>
    <p class="muted">${w.t('doc.verify.made', { at: formatTime(v.madeAt), position: v.position })}</p>
  </div>
</section>`;
}

export interface Sheet {
  w: DocumentWords;
  community: string;
  kind: string;
  title: string;
  body: Html;
  verification: Html;
  /** The PDF of this page, linked on screen only (relative to the page). */
  pdfHref?: string;
}

export function documentHtml(sheet: Sheet): string {
  const { w } = sheet;
  const screen = sheet.pdfHref
    ? h`<p class="screen">${w.t('doc.screen.print')} <a href="${sheet.pdfHref}">${w.t('doc.screen.pdf')}</a></p>`
    : undefined;
  return `<!doctype html>${
    h`<html lang="${htmlLang(w.lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${sheet.title}</title>
<style>${raw(STYLE)}</style></head>
<body>${screen}<main>
<header><p class="community">${sheet.community}</p><h1>${sheet.title}</h1><p class="kind">${sheet.kind}</p></header>
${sheet.body}
${sheet.verification}
</main></body></html>`.html
  }`;
}

/** Chromium's footer on every page: the document code and the page number. */
export function pdfFooter(w: DocumentWords, code: string): string {
  const page = w.t('doc.page', {
    page: '<span class="pageNumber"></span>',
    pages: '<span class="totalPages"></span>',
  });
  // The footer is its own small document: its style must be inline.
  return `<div style="width:100%;font-size:7pt;padding:0 16mm;display:flex;justify-content:space-between;font-family:'WenQuanYi Micro Hei',sans-serif;color:#444"><span>${escapeHtml(w.t('doc.verify.code'))} ${escapeHtml(code)}</span><span>${page}</span></div>`;
}
