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
});
