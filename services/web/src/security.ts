import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Config, localSecret } from '@yishi/platform';

// What keeps the console's forms to the console: the addresses it redirects to, the origin a
// post must come from, the token each form carries, and how large a form may be.

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

/**
 * Each form carries `_csrf`: an HMAC of the session cookie (or, on the sign-in page, of a
 * pre-session cookie) under the console's key. A page of another site can neither read it nor
 * compute it, and a token from one session is worthless in another.
 */
export function formTokens(key: Uint8Array) {
  const token = (binding: string | undefined): string =>
    binding ? createHmac('sha256', key).update(binding).digest('base64url') : '';
  return {
    token,
    verify(binding: string | undefined, given: string): boolean {
      const expected = Buffer.from(token(binding));
      const actual = Buffer.from(given);
      return expected.length > 0 && expected.length === actual.length
        ? timingSafeEqual(expected, actual)
        : false;
    },
  };
}

/**
 * The console's form key, derived from WEB_FORM_SECRET when set (a key of its own, changed
 * without changing the tokens' secret), else from the deployment secret as the webhook keys are.
 */
export function formKey(
  config: Pick<Config, 'WEB_FORM_SECRET' | 'JWT_SECRET' | 'DATA_DIR'>,
): Uint8Array {
  return createHmac(
    'sha256',
    localSecret(config.DATA_DIR, config.WEB_FORM_SECRET ?? config.JWT_SECRET),
  )
    .update('yishi console form key v1')
    .digest();
}

/**
 * A post from the console's own pages. Browsers send Origin with every form post; a missing
 * one (an old or non-browser client) or `null` (a sandboxed page, or a redirect through another
 * site) is refused, not guessed from `Sec-Fetch-Site` or `Referer`. Sec-Fetch-Site, when sent,
 * must agree.
 */
export function fromOrigin(headers: Headers, origin: string): boolean {
  const site = headers.get('sec-fetch-site');
  return headers.get('origin') === origin && (site === null || site === 'same-origin');
}
