import { inflateRawSync } from 'node:zlib';

// An .xlsx is a zip. Before exceljs inflates one, its central directory is read here: too many
// entries or too many bytes once inflated (a zip bomb) are refused without inflating anything.
// Then each entry is inflated once with its declared size as the bound, so a directory that
// understates a size is refused after at most that many bytes, never a bomb's worth.

/** An .xlsx holds ~20 entries and one per sheet; a thousand is no register. */
export const MAX_ZIP_ENTRIES = 1000;
/**
 * A sheet row is ~400 bytes of XML (the example workbook): 20,000 units and 20,000 residents
 * are ~20 MB with the shared strings; 100 MiB leaves five times that.
 */
export const MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024;

export class ZipProblem extends Error {}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** The end record is 22 bytes and may be followed by a comment of up to 65,535 bytes. */
const EOCD_SIZE = 22;
const ZIP64 = 0xffffffff;

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
}

function endRecord(bytes: Buffer): number {
  const last = bytes.length - EOCD_SIZE;
  for (let at = last; at >= 0 && at >= last - 0xffff; at--) {
    if (bytes.readUInt32LE(at) === EOCD) return at;
  }
  throw new ZipProblem('不是 zip 文件（找不到中央目录） / not a zip file: no central directory');
}

/** The central directory's entries, refusing a directory over the limits before any inflating. */
export function centralDirectory(
  bytes: Buffer,
  limits = { entries: MAX_ZIP_ENTRIES, uncompressed: MAX_UNCOMPRESSED_BYTES },
): ZipEntry[] {
  if (bytes.length < EOCD_SIZE) throw new ZipProblem('不是 zip 文件 / not a zip file');
  const end = endRecord(bytes);
  const count = bytes.readUInt16LE(end + 10);
  const size = bytes.readUInt32LE(end + 12);
  const offset = bytes.readUInt32LE(end + 16);
  if (bytes.readUInt16LE(end + 4) !== 0 || bytes.readUInt16LE(end + 6) !== 0) {
    throw new ZipProblem('不支持分卷 zip / a zip split over several files is not read');
  }
  if (count === 0xffff || size === ZIP64 || offset === ZIP64) {
    throw new ZipProblem('文件过大（ZIP64） / too large: a ZIP64 archive is no register');
  }
  if (count > limits.entries) {
    throw new ZipProblem(
      `压缩包条目过多：${count} 个，最多 ${limits.entries} 个 / too many entries in the zip: ${count}, at most ${limits.entries}`,
    );
  }
  if (offset + size > end) throw new ZipProblem('zip 中央目录损坏 / the zip directory is damaged');
  const entries: ZipEntry[] = [];
  let total = 0;
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || bytes.readUInt32LE(at) !== CENTRAL) {
      throw new ZipProblem('zip 中央目录损坏 / the zip directory is damaged');
    }
    const entry: ZipEntry = {
      method: bytes.readUInt16LE(at + 10),
      compressedSize: bytes.readUInt32LE(at + 20),
      uncompressedSize: bytes.readUInt32LE(at + 24),
      localOffset: bytes.readUInt32LE(at + 42),
      name: '',
    };
    const nameLength = bytes.readUInt16LE(at + 28);
    entry.name = bytes.toString('utf8', at + 46, Math.min(end, at + 46 + nameLength));
    if ((bytes.readUInt16LE(at + 8) & 1) !== 0) {
      throw new ZipProblem(`加密的 zip 条目 / an encrypted zip entry: ${entry.name}`);
    }
    if (entry.uncompressedSize === ZIP64 || entry.compressedSize === ZIP64) {
      throw new ZipProblem('文件过大（ZIP64） / too large: a ZIP64 archive is no register');
    }
    total += entry.uncompressedSize;
    if (total > limits.uncompressed) {
      throw new ZipProblem(
        `解压后超过 ${limits.uncompressed} 字节 / more than ${limits.uncompressed} bytes once uncompressed (a zip bomb?): split the workbook`,
      );
    }
    entries.push(entry);
    at += 46 + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
  }
  return entries;
}

/**
 * Checks an .xlsx before it is handed to exceljs: the directory within the limits, and every
 * entry inflating to exactly the size it declares (inflating stops one byte past it).
 */
export function checkZip(bytes: Buffer, limits?: Parameters<typeof centralDirectory>[1]): void {
  for (const entry of centralDirectory(bytes, limits)) {
    const local = entry.localOffset;
    if (local + 30 > bytes.length || bytes.readUInt32LE(local) !== LOCAL) {
      throw new ZipProblem(`zip 条目损坏 / a damaged zip entry: ${entry.name}`);
    }
    const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    const data = bytes.subarray(start, start + entry.compressedSize);
    if (data.length !== entry.compressedSize) {
      throw new ZipProblem(`zip 条目不完整 / a truncated zip entry: ${entry.name}`);
    }
    let size: number;
    if (entry.method === 0) size = data.length;
    else if (entry.method === 8) {
      try {
        size = inflateRawSync(data, { maxOutputLength: entry.uncompressedSize + 1 }).length;
      } catch {
        size = -1;
      }
    } else {
      throw new ZipProblem(`不支持的压缩方式 / unsupported compression in ${entry.name}`);
    }
    if (size !== entry.uncompressedSize) {
      throw new ZipProblem(
        `zip 条目与目录不符 / ${entry.name} does not hold the ${entry.uncompressedSize} bytes its directory declares`,
      );
    }
  }
}
