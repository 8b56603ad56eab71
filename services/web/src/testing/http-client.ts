// A minimal browser without JavaScript for the console's HTTP tests: a cookie jar, forms as
// the page renders them (hidden fields included), and redirects followed.

export interface Answer {
  status: number;
  url: string;
  html: string;
  headers: Headers;
}

export class ConsoleClient {
  private readonly cookies = new Map<string, string>();
  last: Answer | undefined;

  constructor(readonly base: string) {}

  private remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader(): Record<string, string> {
    const list = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return list ? { cookie: list } : {};
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    let url = new URL(path, this.base).toString();
    for (let hops = 0; hops < 5; hops++) {
      const res = await fetch(url, {
        headers: { ...this.cookieHeader(), ...headers },
        redirect: 'manual',
      });
      this.remember(res);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        url = new URL(location, url).toString();
        continue;
      }
      this.last = { status: res.status, url, html: await res.text(), headers: res.headers };
      return this.last;
    }
    throw new Error(`too many redirects from ${path}`);
  }

  /** Posts a form and answers the response as it is (a redirect is not followed). */
  async postRaw(
    path: string,
    fields: Record<string, string | string[]>,
    origin = this.base,
  ): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) {
      for (const value of Array.isArray(v) ? v : [v]) body.append(k, value);
    }
    const res = await fetch(new URL(path, this.base), {
      method: 'POST',
      headers: {
        ...this.cookieHeader(),
        'content-type': 'application/x-www-form-urlencoded',
        origin: new URL(origin).origin,
      },
      body,
      redirect: 'manual',
    });
    this.remember(res);
    return res;
  }

  /** Posts a form and follows the redirect, like a browser (same origin). */
  async post(
    path: string,
    fields: Record<string, string | string[]>,
    origin = this.base,
  ): Promise<Answer> {
    const res = await this.postRaw(path, fields, origin);
    const location = res.headers.get('location');
    if (res.status === 303 && location) return this.get(location);
    const url = new URL(path, this.base).toString();
    this.last = { status: res.status, url, html: await res.text(), headers: res.headers };
    return this.last;
  }

  /** Submits a form of the last page by id: its hidden fields, its action, and `fields`. */
  async submit(formId: string, fields: Record<string, string | string[]> = {}): Promise<Answer> {
    const page = this.last;
    if (!page) throw new Error('no page loaded');
    const form = formOf(page.html, formId);
    if (!form) throw new Error(`no form #${formId} on ${page.url}`);
    return this.post(form.action, { ...form.hidden, ...fields });
  }
}

export function formOf(
  html: string,
  id: string,
): { action: string; hidden: Record<string, string> } | undefined {
  const start = html.search(new RegExp(`<form[^>]*\\sid="${id}"`));
  if (start < 0) return undefined;
  const end = html.indexOf('</form>', start);
  const markup = html.slice(start, end);
  const action = /action="([^"]*)"/.exec(markup)?.[1] ?? '';
  const hidden: Record<string, string> = {};
  for (const m of markup.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    hidden[m[1]!] = decode(m[2]!);
  }
  return { action: decode(action), hidden };
}

function decode(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** The page's visible text, roughly: tags removed, entities decoded, spaces collapsed. */
export function textOf(html: string): string {
  return decode(html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}
