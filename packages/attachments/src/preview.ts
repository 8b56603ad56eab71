import sharp from 'sharp';
import type { AttachmentType } from './sniff.ts';

// Previews of images: a small WebP a list or a form shows instead of a 20 MB photo. sharp
// (libvips, prebuilt binaries from npm) decodes JPEG, PNG and WebP; its prebuilt libvips has
// no HEVC decoder, so HEIC photos get no preview (the original is still served).

/** The longest side of a preview, in pixels. */
export const PREVIEW_SIZE = 320;

const DECODABLE: ReadonlySet<AttachmentType> = new Set(['image/jpeg', 'image/png', 'image/webp']);

export function hasPreview(type: AttachmentType): boolean {
  return DECODABLE.has(type);
}

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
    const out = await sharp(bytes, { limitInputPixels: 100_000_000 })
      .rotate()
      .resize(PREVIEW_SIZE, PREVIEW_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 70 })
      .toBuffer();
    return new Uint8Array(out);
  } catch {
    return undefined;
  }
}
