import sharp, { type Sharp } from 'sharp';
import { type AttachmentType, hasPreview } from './sniff.ts';

export { hasPreview };

// Previews of images: a small WebP a list or a form shows instead of a 20 MB photo. sharp
// (libvips, prebuilt binaries from npm) decodes JPEG, PNG and WebP; its prebuilt libvips has
// no HEVC decoder, so an iPhone's HEIC photo is decoded by libheif (WebAssembly, heic-decode)
// and its pixels handed to sharp.

/** The longest side of a preview, in pixels. */
export const PREVIEW_SIZE = 320;

/** Pixels a preview decodes at most: sharp's limit; a HEIC is decoded whole into memory. */
const MAX_PIXELS = 100_000_000;
/** A 48 MP iPhone photo fits; RGBA of more would take hundreds of megabytes. */
const MAX_HEIC_PIXELS = 50_000_000;

/**
 * A WebP at most PREVIEW_SIZE on its longest side, turned upright by the photo's EXIF
 * orientation (and the EXIF, with its GPS position, left out). Undefined when the bytes
 * cannot be decoded (a truncated photo): the caller answers that there is no preview.
 */
export async function preview(
  bytes: Uint8Array,
  type: AttachmentType,
): Promise<Uint8Array | undefined> {
  if (!hasPreview(type)) return undefined;
  try {
    // A decompression bomb (a tiny PNG of 100k x 100k pixels) stops at sharp's pixel limit.
    const input =
      type === 'image/heic'
        ? await heicPixels(bytes)
        : sharp(bytes, { limitInputPixels: MAX_PIXELS });
    if (!input) return undefined;
    const out = await input
      .rotate()
      .resize(PREVIEW_SIZE, PREVIEW_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 70 })
      .toBuffer();
    return new Uint8Array(out);
  } catch {
    return undefined;
  }
}

/**
 * The primary image of a HEIC as raw RGBA for sharp; undefined when it is larger than
 * MAX_HEIC_PIXELS (checked from its header, before decoding). libheif applies the file's
 * rotation itself, so `rotate()` after it finds no EXIF orientation to apply again.
 */
async function heicPixels(bytes: Uint8Array): Promise<Sharp | undefined> {
  // Loaded on the first HEIC: libheif's WebAssembly takes ~100 ms and ~20 MB to load, which a
  // service that never sees an iPhone photo should not pay at start-up.
  const { default: decodeHeic } = await import('heic-decode');
  const images = await decodeHeic.all({ buffer: bytes });
  try {
    const primary = images[0];
    if (!primary || primary.width * primary.height > MAX_HEIC_PIXELS) return undefined;
    const { width, height, data } = await primary.decode();
    return sharp(data, { raw: { width, height, channels: 4 } });
  } finally {
    images.dispose();
  }
}
