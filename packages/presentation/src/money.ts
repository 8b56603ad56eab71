// Money as people read it: integer fen shown as 元 with two decimals (¥1,234.50 is 123450 fen).
// Integer arithmetic only: the fen never pass through a float.

const GROUPS = /\B(?=(\d{3})+(?!\d))/g;

function twoDecimals(hundredthsOf: number | bigint | string, grouped: boolean): string {
  const value = BigInt(hundredthsOf);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = (abs / 100n).toString();
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${grouped ? whole.replace(GROUPS, ',') : whole}.${cents}`;
}

/** `123450` → `1,234.50`; negative amounts keep their sign (`-1,234.50`). */
export function yuan(fen: number | bigint | string): string {
  return twoDecimals(fen, true);
}

/**
 * Integer hundredths (fen, 0.01 m²) as a plain decimal with two places, no grouping, for files
 * machines read (CSV): `100005` → `1000.05`, `1` → `0.01`.
 */
export function hundredths(value: number | bigint | string): string {
  return twoDecimals(value, false);
}

/**
 * The ratio of two integers (a mean: a sum over a count) as a decimal with `places` places,
 * rounded half up (half away from zero), in integer arithmetic: `ratioDecimal(1, 8, 2)` is
 * `0.13`, `ratioDecimal(2, 3, 2)` is `0.67`. No denominator (nobody answered): `—`.
 */
export function ratioDecimal(
  numerator: number | bigint | string,
  denominator: number | bigint | string,
  places: number,
): string {
  if (!Number.isSafeInteger(places) || places < 0 || places > 20) {
    throw new RangeError(`ratioDecimal: ${places} places`);
  }
  const d = BigInt(denominator);
  if (d === 0n) return '—';
  const n = BigInt(numerator);
  const abs = (x: bigint) => (x < 0n ? -x : x);
  const scale = 10n ** BigInt(places);
  // round(|n| / |d| * scale) half up: floor((2 |n| scale + |d|) / (2 |d|)).
  const scaled = (2n * abs(n) * scale + abs(d)) / (2n * abs(d));
  const negative = n < 0n !== d < 0n && scaled > 0n;
  const whole = (scaled / scale).toString();
  const fraction = places > 0 ? `.${(scaled % scale).toString().padStart(places, '0')}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** At most 10,000,000,000,000 fen (the domain's largest amount). */
const MAX_FEN = 10_000_000_000_000n;
const YUAN_TEXT = /^(\d+)(?:\.(\d{1,2}))?$/;

/**
 * An amount typed in 元 ("12", "12.5", "1,234.50", "¥12") as integer fen, read from the
 * digits (never through a float); undefined when it is not a positive amount with at most
 * two decimals.
 */
export function fenFromYuan(text: string): number | undefined {
  const plain = text
    .trim()
    .replace(/^[¥￥]\s*/, '')
    .replace(/\s*元$/, '')
    .replace(/(\d),(?=\d{3}(\D|$))/g, '$1');
  const match = YUAN_TEXT.exec(plain);
  if (!match) return undefined;
  const fen = BigInt(match[1]!) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
  return fen > 0n && fen <= MAX_FEN ? Number(fen) : undefined;
}
