// A tiny, synchronous HTML template tag. Interpolated strings are escaped; nested `Html`
// values and arrays of them are inserted as they are. One way to build every page.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export interface Html {
  readonly html: string;
}

export type Child = Html | string | number | boolean | null | undefined | readonly Child[];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function isHtml(value: unknown): value is Html {
  return typeof value === 'object' && value !== null && 'html' in value && !Array.isArray(value);
}

function append(out: string[], value: Child): void {
  if (value === null || value === undefined || value === false || value === true) return;
  if (Array.isArray(value)) {
    for (const v of value as readonly Child[]) append(out, v);
  } else if (isHtml(value)) {
    out.push(value.html);
  } else {
    out.push(escapeHtml(String(value)));
  }
}

/** `h\`<p>${text}</p>\``: escapes `text`, keeps nested `h` results as markup. */
export function h(strings: TemplateStringsArray, ...values: Child[]): Html {
  const out: string[] = [strings[0]!];
  for (let i = 0; i < values.length; i++) {
    append(out, values[i]!);
    out.push(strings[i + 1]!);
  }
  return { html: out.join('') };
}

/** Markup that is already safe (our own constants only). */
export function raw(markup: string): Html {
  return { html: markup };
}

/** A list of children as one value. */
export function join(children: readonly Child[]): Html {
  const out: string[] = [];
  append(out, children);
  return { html: out.join('') };
}
