import type { AttachmentMediaType } from '@yishi/domain';

// The type of an attachment is read from its first bytes, never taken from the client: a
// declared type or a file name can say anything. Only formats a paper-ballot scan, a signed
// page, a plan or a receipt comes in are admitted.

/** The media types an attachment may have (the domain lists them: events record one). */
export type AttachmentType = AttachmentMediaType;

const startsWith = (bytes: Uint8Array, at: number, signature: readonly number[]) =>
  bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** ISO BMFF brands of HEIC/HEIF still images (a phone camera's default on iOS). */
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'mif1', 'msf1']);

/** The media type the bytes are, or undefined when they are none of the admitted ones. */
export function sniffType(bytes: Uint8Array): AttachmentType | undefined {
  if (startsWith(bytes, 0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, 0, ascii('RIFF')) && startsWith(bytes, 8, ascii('WEBP'))) {
    return 'image/webp';
  }
  if (startsWith(bytes, 0, ascii('%PDF-'))) return 'application/pdf';
  if (startsWith(bytes, 4, ascii('ftyp')) && bytes.length >= 12) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12));
    if (HEIC_BRANDS.has(brand)) return 'image/heic';
  }
  return undefined;
}

/** The types `@yishi/attachments/preview` makes a preview of (HEIC through libheif). */
const PREVIEWED: ReadonlySet<AttachmentType> = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/heic',
]);

export function hasPreview(type: AttachmentType): boolean {
  return PREVIEWED.has(type);
}

/** The file name extension that goes with a type (a download's name gets it). */
export function extensionOf(type: AttachmentType): string {
  switch (type) {
    case 'image/jpeg':
      return 'jpg';
    case 'image/png':
      return 'png';
    case 'image/webp':
      return 'webp';
    case 'image/heic':
      return 'heic';
    case 'application/pdf':
      return 'pdf';
    default: {
      const _exhaustive: never = type;
      return 'bin';
    }
  }
}

/** Whether a type is an image (images get previews). */
export const isImage = (type: AttachmentType) => type.startsWith('image/');
