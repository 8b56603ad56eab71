// Leaving members out of a JSON object's text without parsing them: a rebuild's readers that
// never look at a vote's electorate (20 kB a vote, 100 MB in a million events) would otherwise
// parse it into objects and collect them again, ~3 s of a rebuild's Node CPU.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** The index after the string that opens at `i` (a quote). */
function stringEnd(text: string, i: number): number {
  for (let j = text.indexOf('"', i + 1); j >= 0; j = text.indexOf('"', j + 1)) {
    let slashes = 0;
    while (text.charCodeAt(j - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return j + 1;
  }
  throw new SyntaxError('unterminated string in JSON');
}

/** The index after the value that starts at `i`. */
function valueEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return stringEnd(text, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === QUOTE) j = stringEnd(text, j) - 1;
      else if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    throw new SyntaxError('unterminated object or array in JSON');
  }
  // A number, true, false or null: up to the next delimiter.
  let j = i;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isSpace(d)) break;
    j++;
  }
  return j;
}

/**
 * The text of a JSON object without its top-level members named in `fields` (JSON.parse of it
 * equals the object without them). The members left out are skipped, not parsed: their text
 * is only scanned for where it ends. `text` must be valid JSON; other text may come back wrong.
 */
export function withoutMembers(text: string, fields: ReadonlySet<string>): string {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) throw new SyntaxError('not a JSON object');
  const kept: string[] = [];
  let dropped = false;
  i = skipSpace(text, i + 1);
  while (text.charCodeAt(i) !== CLOSE_BRACE) {
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    const colon = skipSpace(text, keyEnd);
    if (text.charCodeAt(colon) !== COLON) throw new SyntaxError('expected a colon in JSON');
    const end = valueEnd(text, skipSpace(text, colon + 1));
    if (fields.has(key)) dropped = true;
    else kept.push(text.slice(i, end));
    i = skipSpace(text, end);
    if (text.charCodeAt(i) === COMMA) i = skipSpace(text, i + 1);
  }
  return dropped ? `{${kept.join(',')}}` : text;
}
