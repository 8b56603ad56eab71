import { describe, expect, it } from 'vitest';
import { documentRef } from './attachments.ts';

describe('document references in the console', () => {
  it('links an uploaded attachment through the pass-through, and shows any other text as text', () => {
    const sha256 = 'ab12'.repeat(16);
    const shown = documentRef('c-1', `attachment:${sha256}`, '附件');
    expect(typeof shown === 'string' ? shown : shown.html).toBe(
      `<a href="/api/projection/v1/communities/c-1/attachments/${sha256}" target="_blank" rel="noopener">附件 ${sha256.slice(0, 12)}</a>`,
    );
    expect(documentRef('c-1', '发票 <2026-01>', '附件')).toBe('发票 <2026-01>');
  });

  it('shows a photo by its preview and names a PDF, as the query service describes them', () => {
    const photo = 'cd34'.repeat(16);
    const pdf = 'ef56'.repeat(16);
    const infos = new Map([
      [
        photo,
        {
          sha256: photo,
          mediaType: 'image/jpeg',
          size: 9,
          fileName: '完成照片<1>.jpg',
          uploadedAt: '2026-03-01T00:00:00.000Z',
          preview: true,
        },
      ],
      [
        pdf,
        {
          sha256: pdf,
          mediaType: 'application/pdf',
          size: 9,
          uploadedAt: '2026-03-01T00:00:00.000Z',
          preview: false,
        },
      ],
    ] as const);
    const html = (ref: string) => {
      const shown = documentRef('c-1', ref, '附件', infos);
      return typeof shown === 'string' ? shown : shown.html;
    };
    const base = '/api/projection/v1/communities/c-1/attachments';
    expect(html(`attachment:${photo}`)).toBe(
      `<a class="thumb" href="${base}/${photo}" target="_blank" rel="noopener"><img src="${base}/${photo}/preview" alt="完成照片&lt;1&gt;.jpg" loading="lazy" decoding="async"></a>`,
    );
    expect(html(`attachment:${pdf}`)).toBe(
      `<a href="${base}/${pdf}" target="_blank" rel="noopener">附件 ${pdf.slice(0, 12)}</a> (PDF)`,
    );
  });
});
