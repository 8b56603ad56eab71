// What keeps the console's forms to the console: the addresses it redirects to.

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
