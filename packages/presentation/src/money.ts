// Money as people read it: integer fen shown as 元 with two decimals (¥1,234.50 is 123450 fen).
// Integer arithmetic only: the fen never pass through a float.

/** `123450` → `1,234.50`; negative amounts keep their sign (`-1,234.50`). */
export function yuan(fen: number | bigint | string): string {
  const value = BigInt(fen);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole}.${cents}`;
}
