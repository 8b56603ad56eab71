import { pngOf } from '@yishi/attachments/testing';

// The demo's scan of the signed minutes (签字纪要扫描件): an A4 page as a phone photographs it,
// with the text as grey lines, five signatures in blue ink and the committee's red seal. Drawn
// pixel by pixel, so the demo needs no image library and no file.

const WIDTH = 620;
const HEIGHT = 877;
type Rgb = readonly [number, number, number];
const PAPER: Rgb = [246, 244, 236];
const TEXT: Rgb = [110, 110, 115];
const INK: Rgb = [30, 60, 150];
const SEAL: Rgb = [200, 40, 40];

/** Where a signature's stroke passes: a wave across its box. */
function onSignature(x: number, y: number): boolean {
  for (let i = 0; i < 5; i++) {
    const left = 60 + (i % 3) * 180;
    const top = 640 + Math.floor(i / 3) * 90;
    if (x < left || x > left + 130 || y < top || y > top + 50) continue;
    const wave = top + 25 + 16 * Math.sin((x - left) / (7 + i)) * Math.cos((x - left) / 23);
    if (Math.abs(y - wave) < 2.2) return true;
  }
  return false;
}

function pixel(x: number, y: number): Rgb {
  // The seal: a red ring with a star, over the lower right.
  const d = Math.hypot(x - 470, y - 560);
  if ((d > 56 && d < 63) || (d < 14 && Math.abs(x - 470) + Math.abs(y - 560) < 16)) return SEAL;
  if (onSignature(x, y)) return INK;
  // The title, then the lines of text; the last line of each paragraph is shorter.
  if (y >= 70 && y < 92 && x >= 190 && x < 430) return TEXT;
  const line = Math.floor((y - 140) / 28);
  if (y >= 140 && y < 560 && (y - 140) % 28 < 9) {
    const end = line % 5 === 4 ? 330 : 560;
    if (x >= (line % 5 === 0 ? 90 : 60) && x < end) return TEXT;
  }
  return PAPER;
}

/** The scan as PNG bytes. */
export function signedMinutesScan(): Uint8Array {
  return pngOf(WIDTH, HEIGHT, pixel);
}
