import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, MAX_TABLE_ROWS, readTables, tablesFromXlsx } from './read.ts';
import { MAX_UNCOMPRESSED_BYTES, MAX_ZIP_ENTRIES } from './zip.ts';

// Crafted files: what the import refuses before it reads a register, and why.

interface Entry {
  name: string;
  data: Buffer;
  method: 0 | 8;
  /** The uncompressed size the directory declares; the real one by default. */
  declared: number;
}

/** A zip as written by hand: local headers, the central directory, the end record. */
function zip(entries: readonly Entry[], zip64 = false): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.method, 8);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.declared, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(entry.method, 10);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.declared, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.data);
    centrals.push(central, name);
    offset += 30 + name.length + entry.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 8);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const deflated = (name: string, data: Buffer, declared = data.length): Entry => ({
  name,
  data: deflateRawSync(data),
  method: 8,
  declared,
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yishi-import-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('reading a register: limits', () => {
  it('refuses a zip bomb by its directory: more than 100 MiB once inflated', async () => {
    // Eleven honest entries of 10 MiB of zeros: 110 MiB from ~110 kB.
    const zeros = deflated('xl/worksheets/sheet1.xml', Buffer.alloc(10 * 1024 * 1024));
    const bomb = zip(Array.from({ length: 11 }, (_, i) => ({ ...zeros, name: `x${i}.xml` })));
    expect(bomb.length).toBeLessThan(200_000);
    await expect(tablesFromXlsx(bomb, 'bomb.xlsx')).rejects.toThrow(
      `more than ${MAX_UNCOMPRESSED_BYTES} bytes once uncompressed`,
    );
  });

  it('refuses an entry that inflates past the size its directory declares', async () => {
    const liar = zip([deflated('xl/worksheets/sheet1.xml', Buffer.alloc(4 * 1024 * 1024), 1000)]);
    await expect(tablesFromXlsx(liar, 'liar.xlsx')).rejects.toThrow(
      'does not hold the 1000 bytes its directory declares',
    );
  });

  it('refuses more zip entries than a workbook has, and ZIP64', async () => {
    const empty: Entry = { name: 'e', data: Buffer.alloc(0), method: 0, declared: 0 };
    const many = zip(
      Array.from({ length: MAX_ZIP_ENTRIES + 1 }, (_, i) => ({ ...empty, name: `e${i}` })),
    );
    await expect(tablesFromXlsx(many, 'many.xlsx')).rejects.toThrow(
      `too many entries in the zip: ${MAX_ZIP_ENTRIES + 1}`,
    );
    await expect(tablesFromXlsx(zip([empty], true), 'z64.xlsx')).rejects.toThrow(/ZIP64/);
  });

  it('refuses a file over the size limit without reading it', async () => {
    const path = join(dir, '大名册.xlsx');
    await writeFile(path, '');
    // Sparse: the size is there, the bytes are not.
    await truncate(path, MAX_FILE_BYTES + 1);
    await expect(readTables([path])).rejects.toThrow(
      `too large: ${MAX_FILE_BYTES + 1} bytes, at most ${MAX_FILE_BYTES}`,
    );
  });

  it('refuses a CSV or a sheet with more rows than one import takes', async () => {
    const csv = join(dir, '房屋.csv');
    const rows = Array.from({ length: MAX_TABLE_ROWS }, (_, i) => `u${i},3号楼,住宅,88`);
    await writeFile(csv, ['单元编号,楼栋,类型,面积', ...rows].join('\n'));
    await expect(readTables([csv])).rejects.toThrow(
      `too many rows: 房屋.csv has ${MAX_TABLE_ROWS + 1}, at most ${MAX_TABLE_ROWS}`,
    );
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('房屋');
    for (let i = 0; i <= MAX_TABLE_ROWS; i++) sheet.addRow([`u${i}`]);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    await expect(tablesFromXlsx(bytes, 'rows.xlsx')).rejects.toThrow(
      `too many rows: 房屋 has ${MAX_TABLE_ROWS + 1}`,
    );
  });
});
