// A minimal browser without JavaScript for the console's HTTP tests: a cookie jar, forms as
// the page renders them (hidden fields included), and redirects followed.

export interface Answer {
  status: number;
  url: string;
  html: string;
  headers: Headers;
}

/** `fetch`, or an app's `request` (Hono's `app.request`) to test without a port. */
export type Fetch = (url: string, init: RequestInit) => Response | Promise<Response>;

export class ConsoleClient {
  private readonly cookies = new Map<string, string>();
  last: Answer | undefined;

  /**
   * @param origin the Origin the browser sends: the console's public address, which differs
   *   from `base` behind a TLS-terminating proxy.
   */
  constructor(
    readonly base: string,
    private readonly fetch: Fetch = globalThis.fetch,
    readonly origin: string = base,
  ) {}

  /** The cookie `name` as this client would send it. */
  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

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
      const res = await this.fetch(url, {
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
    origin: string | null = this.origin,
  ): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) {
      for (const value of Array.isArray(v) ? v : [v]) body.append(k, value);
    }
    // `origin` null: no Origin header; 'null': the opaque origin a sandboxed page sends.
    const originHeader: Record<string, string> =
      origin === null ? {} : { origin: origin === 'null' ? 'null' : new URL(origin).origin };
    const res = await this.fetch(new URL(path, this.base).toString(), {
      method: 'POST',
      headers: {
        ...this.cookieHeader(),
        'content-type': 'application/x-www-form-urlencoded',
        ...originHeader,
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
    origin: string | null = this.origin,
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

  /**
   * Signs in as a person does: the sign-in page, the phone number, the code the development
   * banner shows, then (when the registry gives several) the capacity whose label contains
   * `capacity`, e.g. `以书记员身份`.
   */
  async signIn(phone: string, capacity?: string): Promise<Answer> {
    const page = await this.get('/');
    const form = formOf(page.html, { action: '/sign-in' });
    if (!form) throw new Error('no sign-in form');
    const codePage = await this.post('/sign-in', { ...form.hidden, phone });
    const code = devCodeOf(codePage.html);
    const verify = formOf(codePage.html, { action: '/sign-in/code' });
    if (!code || !verify)
      throw new Error(`no development code: ${textOf(codePage.html).slice(0, 300)}`);
    const answer = await this.post('/sign-in/code', { ...verify.hidden, code });
    return capacity && answer.url.endsWith('/capacity') ? this.choose(capacity) : answer;
  }

  /** Chooses the capacity whose label contains `label` on the capacity page. */
  async choose(label: string): Promise<Answer> {
    const page = this.last?.url.endsWith('/capacity') ? this.last : await this.get('/capacity');
    const forms = page.html.split('<form method="post" action="/capacity">').slice(1);
    const form = forms.find((f) => textOf(f.slice(0, f.indexOf('</form>'))).includes(label));
    if (!form) throw new Error(`no capacity "${label}": ${textOf(page.html).slice(0, 400)}`);
    const key = /name="capacity" value="([^"]*)"/.exec(form)?.[1] ?? '';
    const csrf = /name="_csrf" value="([^"]*)"/.exec(form)?.[1] ?? '';
    return this.post('/capacity', { _csrf: csrf, capacity: decode(key) });
  }
}

/** The code a development banner shows, if any. */
export function devCodeOf(html: string): string | undefined {
  return /data-dev-code="(\d{6})"/.exec(html)?.[1];
}

/** A form of the page by its id, or by where it posts. */
export function formOf(
  html: string,
  by: string | { action: string },
): { action: string; hidden: Record<string, string> } | undefined {
  const attribute = typeof by === 'string' ? `id="${by}"` : `action="${by.action}"`;
  const start = html.search(new RegExp(`<form[^>]*\\s${attribute}`));
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
