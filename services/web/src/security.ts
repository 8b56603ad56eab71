// What keeps the console's forms to the console: the addresses it redirects to, and how
// large a form may be.

/**
 * The longest form is a minutes text: 100,000 characters, each CJK one 9 bytes when a browser
 * percent-encodes it (~900 kB), with a reason of 2,000 characters beside it.
 */
export const FORM_MAX_BYTES = 1024 * 1024;
/** Sign-in and sign-out: a token of at most 8,192 characters and the form's own fields. */
export const SIGN_IN_MAX_BYTES = 16 * 1024;

const CONSOLE = new URL('http://console.invalid');

/**
 * A path of this console for `_back` and `back`, normalised (`/a/../b` → `/b`), or `fallback`.
 * Refused: anything that is not a path starting with one `/`, whitespace or control characters
 * (URL parsers drop some of them, so `/\t/evil` would become `//evil`), and backslashes (read
 * as `/` by browsers). What remains is normalised as a browser would, then must still start
 * with a single `/`: `/..//evil` normalises to `//evil`, another site.
 */
export function safeBack(value: string | undefined, fallback = '/'): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are refused.
  if (!value?.startsWith('/') || /[\s\u0000-\u001f\u007f\\]/.test(value)) {
    return fallback;
  }
  let url: URL;
  try {
    url = new URL(value, CONSOLE);
  } catch {
    return fallback;
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  return url.origin === CONSOLE.origin && /^\/(?![/\\])/.test(path) ? path : fallback;
}
