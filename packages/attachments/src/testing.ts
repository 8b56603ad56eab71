import { readFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

// Test images without an image library: a PNG of one colour, as a phone's screenshot would be,
// or painted pixel by pixel.

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

type Rgb = readonly [number, number, number];

/**
 * A `width` x `height` RGB PNG filled with one colour, or painted pixel by pixel (the demo's
 * scan of signed minutes).
 */
export function pngOf(
  width: number,
  height: number,
  rgb: Rgb | ((x: number, y: number) => Rgb) = [40, 90, 160],
) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, no filter, no interlace
  const rowOf = (y: number) => {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) row.set(typeof rgb === 'function' ? rgb(x, y) : rgb, 1 + x * 3);
    return row;
  };
  const one = typeof rgb === 'function' ? undefined : rowOf(0);
  const pixels = Buffer.concat(Array.from({ length: height }, (_, y) => one ?? rowOf(y)));
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(pixels)),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

/** A real HEIC photo (640 x 480, HEVC; see fixtures/README.md), as an iPhone uploads one. */
export function heicPhoto(): Uint8Array {
  return new Uint8Array(readFileSync(new URL('./fixtures/photo-640x480.heic', import.meta.url)));
}
