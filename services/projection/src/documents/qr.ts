import { type Html, raw } from '@yishi/presentation';
import QRCode from 'qrcode';

// The QR code a printed document carries: an SVG drawn into the page, so Chromium prints it
// as vectors (sharp at any size) and no image is fetched. Level M survives a smudged corner
// of a notice board print; a URL is encoded in byte mode as it is.

export async function qrSvg(text: string): Promise<Html> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
  // qrcode's own output: an <svg> of paths, nothing taken from the text but the modules.
  return raw(svg.replace('<svg ', '<svg role="img" aria-hidden="true" '));
}
