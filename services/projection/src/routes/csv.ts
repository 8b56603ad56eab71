// CSV for spreadsheets (RFC 4180), safe against formula injection (OWASP "CSV Injection"):
// every CSV the service writes goes through `csvCell`.

/** First characters that make a spreadsheet read a cell as a formula (OWASP's list, and LF). */
const FORMULA_START = /^[=+\-@\t\r\n]/;

/**
 * One cell. Text a spreadsheet could run as a formula gets a leading `'`, then RFC 4180
 * quoting. Finite numbers and booleans are written as they are: their text is never a formula
 * (`-3` is minus three) and spreadsheets keep reading them as numbers. Objects are written as
 * JSON, which starts with `{` or `[`.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') {
    text = String(value);
  } else if (typeof value === 'object') {
    text = JSON.stringify(value);
  } else {
    text = String(value);
    if (FORMULA_START.test(text)) text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A CSV document: a BOM (so spreadsheets read the UTF-8 as such), a header, CRLF line ends. */
export function csvDocument(header: readonly string[], rows: Iterable<readonly unknown[]>): string {
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
