import type pg from 'pg';

// Bulk inserts with COPY … FROM STDIN in PostgreSQL's binary format: the database stores the
// values as sent, without parsing text (JSON or per-field input functions), which is most of
// the cost of inserting read-model rows during a rebuild.

interface Column {
  name: string;
  type: string;
}

const columnsCache = new Map<string, Promise<Column[]>>();

/**
 * The table's columns in order, as the catalogue has them (cached per schema and table; not
 * those of temporary tables, whose schema's name is each session's own and whose columns are
 * those of whichever table they copied).
 */
function columnsOf(client: pg.PoolClient, schema: string, table: string): Promise<Column[]> {
  const key = `${schema}.${table}`;
  let found = schema === 'pg_temp' ? undefined : columnsCache.get(key);
  if (!found) {
    found = client
      .query<Column>(
        `SELECT attname AS name, format_type(atttypid, atttypmod) AS type
           FROM pg_attribute
          WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped
          ORDER BY attnum`,
        [`"${schema}"."${table}"`],
      )
      .then((r) => {
        if (r.rows.length === 0) throw new Error(`no table ${key}`);
        return r.rows;
      });
    if (schema !== 'pg_temp') {
      found.catch(() => columnsCache.delete(key));
      columnsCache.set(key, found);
    }
  }
  return found;
}

const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const TEXT_OID = 25;
const TWO_32 = 2 ** 32;
/** Strings up to this length are tried as ASCII first. */
const SHORT_TEXT = 64;

/** A first guess of a row's size in COPY's binary format (a timeline line is ~400 bytes). */
const ROW_BYTES_GUESS = 512;

/** A growing buffer of big-endian binary fields. */
class Writer {
  buffer: Buffer;
  length = 0;

  /**
   * `guess`: the bytes expected. Sized to the batch: a live batch of a few rows in a buffer of
   * a megabyte made V8 collect for "external memory pressure" ~5 times a second (pauses of
   * 5-27 ms in the projectors' process at 1,000 ballots/s).
   */
  constructor(guess: number) {
    this.buffer = Buffer.allocUnsafe(Math.min(1 << 20, Math.max(1 << 12, guess)));
  }

  room(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
  int16(v: number): void {
    this.room(2);
    this.length = this.buffer.writeInt16BE(v, this.length);
  }
  int32(v: number): void {
    this.room(4);
    this.length = this.buffer.writeInt32BE(v, this.length);
  }
  /** An integer known to be exact as a double (|v| < 2^53), as int64. */
  int64(v: number): void {
    this.room(8);
    const high = Math.floor(v / TWO_32);
    this.buffer.writeInt32BE(high, this.length);
    this.buffer.writeUInt32BE(v - high * TWO_32, this.length + 4);
    this.length += 8;
  }
  bigint64(v: bigint): void {
    this.room(8);
    this.length = this.buffer.writeBigInt64BE(v, this.length);
  }
  /** A length-prefixed UTF-8 string, with an optional first byte (jsonb's version). */
  text(s: string, prefix?: number): void {
    const n = s.length;
    this.room(5 + n * 3);
    const at = this.length;
    let offset = at + 4;
    if (prefix !== undefined) offset = this.buffer.writeUInt8(prefix, offset);
    // Short ASCII (ids, codes, times) byte by byte: cheaper than a call into the encoder.
    if (n <= SHORT_TEXT) {
      const b = this.buffer;
      let i = 0;
      while (i < n) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[offset + i] = c;
        i++;
      }
      if (i === n) {
        b.writeInt32BE(offset - at - 4 + n, at);
        this.length = offset + n;
        return;
      }
    }
    const written = this.buffer.write(s, offset, 'utf8');
    this.buffer.writeInt32BE(offset - at - 4 + written, at);
    this.length = offset + written;
  }
  result(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

type Encode = (w: Writer, value: unknown) => void;

function int8(w: Writer, value: unknown): void {
  w.int32(8);
  const n = typeof value === 'bigint' ? value : typeof value === 'number' ? value : Number(value);
  if (typeof n === 'number' && Number.isSafeInteger(n)) w.int64(n);
  else w.bigint64(BigInt(value as string | number | bigint));
}

function textArray(w: Writer, value: unknown): void {
  const items = value as readonly unknown[];
  const start = w.length;
  w.int32(0);
  w.int32(items.length > 0 ? 1 : 0);
  w.int32(items.some((i) => i === null || i === undefined) ? 1 : 0);
  w.int32(TEXT_OID);
  if (items.length > 0) {
    w.int32(items.length);
    w.int32(1);
  }
  for (const item of items) {
    if (item === null || item === undefined) w.int32(-1);
    else w.text(String(item));
  }
  w.buffer.writeInt32BE(w.length - start - 4, start);
}

/** The binary encoder of a column type. */
function encoderOf(type: string): Encode {
  switch (type) {
    case 'text':
      return (w, v) => w.text(typeof v === 'string' ? v : String(v));
    case 'bigint':
      return int8;
    case 'integer':
      return (w, v) => {
        w.int32(4);
        w.int32(Number(v));
      };
    case 'boolean':
      return (w, v) => {
        w.int32(1);
        w.room(1);
        w.length = w.buffer.writeUInt8(v ? 1 : 0, w.length);
      };
    case 'timestamp with time zone':
      return (w, v) => {
        const ms = v instanceof Date ? v.getTime() : Date.parse(String(v));
        if (Number.isNaN(ms)) throw new Error(`not a time: ${String(v)}`);
        w.int32(8);
        w.int64((ms - PG_EPOCH_MS) * 1000);
      };
    case 'json':
      return (w, v) => w.text(JSON.stringify(v));
    case 'jsonb':
      // Binary jsonb: a version byte, then the text.
      return (w, v) => w.text(JSON.stringify(v), 1);
    case 'text[]':
      return textArray;
    default:
      throw new Error(`COPY: no binary encoding for ${type}`);
  }
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

type RowsEncoder = (w: Writer, rows: readonly Record<string, unknown>[]) => void;

const rowEncoders = new Map<string, RowsEncoder>();

/**
 * An encoder for one table's rows, compiled once per column list: every property is read with
 * a constant name and every value goes to its column's encoder, so each access site sees one
 * row shape and one encoder (a generic loop over names sees every table's, and is much slower).
 */
function rowsEncoderOf(columns: readonly Column[]): RowsEncoder {
  const key = columns.map((c) => `${c.name}:${c.type}`).join(',');
  let found = rowEncoders.get(key);
  if (!found) {
    const encoders = columns.map((c) => encoderOf(c.type));
    const body = columns
      .map(
        (c, i) =>
          `v = row[${JSON.stringify(c.name)}];\n` +
          `if (v === null || v === undefined) w.int32(-1); else e${i}(w, v);`,
      )
      .join('\n');
    const compile = new Function(
      ...encoders.map((_, i) => `e${i}`),
      `return function encodeRows(w, rows) {\n` +
        `for (let r = 0; r < rows.length; r++) {\n` +
        `const row = rows[r];\nlet v;\nw.int16(${columns.length});\n${body}\n}\n};`,
    ) as (...encoders: Encode[]) => RowsEncoder;
    found = compile(...encoders);
    rowEncoders.set(key, found);
  }
  return found;
}

/** The rows in PostgreSQL's binary COPY format, columns in the table's order. */
function encode(columns: readonly Column[], rows: readonly Record<string, unknown>[]): Buffer {
  const w = new Writer(rows.length * ROW_BYTES_GUESS);
  w.room(SIGNATURE.length);
  w.length += SIGNATURE.copy(w.buffer, w.length);
  w.int32(0);
  w.int32(0);
  rowsEncoderOf(columns)(w, rows);
  w.int16(-1);
  return w.result();
}

/** A COPY … FROM STDIN that sends one prepared buffer (pg's custom query interface). */
class CopyIn {
  private error: Error | undefined;
  constructor(
    private readonly text: string,
    private readonly data: Buffer,
    private readonly done: (error?: Error) => void,
  ) {}
  submit(connection: { query(text: string): void }): void {
    connection.query(this.text);
  }
  handleCopyInResponse(connection: {
    sendCopyFromChunk(chunk: Buffer): void;
    endCopyFrom(): void;
  }): void {
    connection.sendCopyFromChunk(this.data);
    connection.endCopyFrom();
  }
  handleError(error: Error): void {
    this.error = error;
  }
  handleReadyForQuery(): void {
    this.done(this.error);
  }
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/** Inserts `rows` into `schema.table` with one binary COPY on `client` (inside its transaction). */
export async function copyRows(
  client: pg.PoolClient,
  schema: string,
  table: string,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = await columnsOf(client, schema, table);
  const data = encode(columns, rows);
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  await new Promise<void>((resolve, reject) => {
    const copy = new CopyIn(
      `COPY "${schema}"."${table}" (${names}) FROM STDIN (FORMAT binary)`,
      data,
      (error) => (error ? reject(error) : resolve()),
    );
    (client as unknown as { query(q: CopyIn): void }).query(copy);
  });
}
