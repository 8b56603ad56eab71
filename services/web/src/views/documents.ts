import { type Query, withQuery } from '../api.ts';
import { type Html, h } from '../html.ts';
import type { MessageKey, Translator } from '../i18n.ts';

// Links to a printed document the projection service makes (through the console's
// pass-through): its A4 print page and its PDF, in the reader's language, as of the record
// the page shows.

export function documentLinks(
  tr: Translator,
  /** The document's API path without its extension, e.g. /v1/communities/c1/proposals/p1/notice */
  path: string,
  label: MessageKey,
  query: Query = {},
): Html {
  const at = { lang: tr.lang, ...query };
  const document = tr.t(label);
  return h`<a class="button secondary" href="${withQuery(`/api/projection${path}.html`, at)}">${document}</a>
  <a class="button secondary" href="${withQuery(`/api/projection${path}.pdf`, at)}"><span class="visually-hidden">${document} </span>${tr.t('print.pdf')}</a>`;
}
