import type { Context, Env, Hono } from 'hono';
import type { Upstreams } from './api.ts';

// Read-only pass-through to the services with the signed-in user's token, for what the pages
// link to and nothing else: the register as CSV, a proposal's dossier, the documents to print
// (A4 pages and PDFs), a fund's or a crowdfunding campaign's accounts (CSV, A4, PDF),
// attachments, the API documents. Anything more (`/metrics`, the rest of the API) is not the
// console's to hand out.

const enc = encodeURIComponent;

const PASS_THROUGH: readonly {
  route: string;
  upstream: keyof Upstreams;
  /** The service's path, rebuilt from the decoded parameters. */
  path(param: (name: string) => string): string;
}[] = [
  { route: '/api/command/openapi.json', upstream: 'commandUrl', path: () => '/openapi.json' },
  { route: '/api/projection/openapi.json', upstream: 'projectionUrl', path: () => '/openapi.json' },
  {
    route: '/api/projection/v1/communities/:cid/decisions.csv',
    upstream: 'projectionUrl',
    path: (p) => `/v1/communities/${enc(p('cid'))}/decisions.csv`,
  },
  {
    route: '/api/projection/v1/communities/:cid/proposals/:pid/dossier',
    upstream: 'projectionUrl',
    path: (p) => `/v1/communities/${enc(p('cid'))}/proposals/${enc(p('pid'))}/dossier`,
  },
  // A person's own data (PIPL Art. 45): the service answers only them (or a clerk, an admin).
  {
    route: '/api/projection/v1/communities/:cid/persons/:pid/personal-data',
    upstream: 'projectionUrl',
    path: (p) => `/v1/communities/${enc(p('cid'))}/persons/${enc(p('pid'))}/personal-data`,
  },
  // Attachments (scans, photos, receipts) and photos' previews, as the query service serves them.
  {
    route: '/api/projection/v1/communities/:cid/attachments/:sha',
    upstream: 'projectionUrl',
    path: (p) => `/v1/communities/${enc(p('cid'))}/attachments/${enc(p('sha'))}`,
  },
  {
    route: '/api/projection/v1/communities/:cid/attachments/:sha/preview',
    upstream: 'projectionUrl',
    path: (p) => `/v1/communities/${enc(p('cid'))}/attachments/${enc(p('sha'))}/preview`,
  },
  // 晒账: a fund's and a campaign's accounts, each as CSV, A4 page and PDF.
  ...(['funds', 'crowdfunding'] as const).flatMap((kind) =>
    (['csv', 'html', 'pdf'] as const).map((format) => ({
      route: `/api/projection/v1/communities/:cid/${kind}/:id/accounts.${format}`,
      upstream: 'projectionUrl' as const,
      path: (p: (name: string) => string) =>
        `/v1/communities/${enc(p('cid'))}/${kind}/${enc(p('id'))}/accounts.${format}`,
    })),
  ),
  ...(['html', 'pdf'] as const).flatMap((format) => [
    {
      route: `/api/projection/v1/communities/:cid/proposals/:pid/notice.${format}`,
      upstream: 'projectionUrl' as const,
      path: (p: (name: string) => string) =>
        `/v1/communities/${enc(p('cid'))}/proposals/${enc(p('pid'))}/notice.${format}`,
    },
    ...(['notice', 'minutes'] as const).map((doc) => ({
      route: `/api/projection/v1/communities/:cid/sessions/:sid/${doc}.${format}`,
      upstream: 'projectionUrl' as const,
      path: (p: (name: string) => string) =>
        `/v1/communities/${enc(p('cid'))}/sessions/${enc(p('sid'))}/${doc}.${format}`,
    })),
    {
      route: `/api/projection/v1/communities/:cid/decisions.${format}`,
      upstream: 'projectionUrl' as const,
      path: (p: (name: string) => string) => `/v1/communities/${enc(p('cid'))}/decisions.${format}`,
    },
  ]),
];

// A document's own policy (its one style, nothing else) replaces the console's.
const FORWARDED = [
  'content-type',
  'content-disposition',
  'x-as-of-position',
  'etag',
  'content-security-policy',
  'x-document-code',
  'retry-after',
  'cache-control',
  'x-content-type-options',
];

export function passThrough<E extends Env>(
  app: Hono<E>,
  upstreams: Upstreams,
  tokenOf: (c: Context<E>) => string | undefined,
): void {
  for (const { route, upstream, path } of PASS_THROUGH) {
    app.get(route, async (c) => {
      const token = tokenOf(c);
      const search = new URL(c.req.url).search;
      try {
        const res = await fetch(
          `${upstreams[upstream]}${path((n) => c.req.param(n) ?? '')}${search}`,
          {
            headers: {
              accept: c.req.header('accept') ?? '*/*',
              ...(token ? { authorization: `Bearer ${token}` } : {}),
              // Where the reader reached the console: the documents' QR codes lead back here
              // when WEB_PUBLIC_URL is not set.
              'x-forwarded-host': new URL(c.req.url).host,
              'x-forwarded-proto': new URL(c.req.url).protocol.replace(':', ''),
            },
            signal: AbortSignal.timeout(30_000),
          },
        );
        const headers = new Headers();
        for (const name of FORWARDED) {
          const value = res.headers.get(name);
          if (value) headers.set(name, value);
        }
        return new Response(res.body, { status: res.status, headers });
      } catch {
        return c.json(
          { status: 502, code: 'upstream-unavailable', title: 'Service not reachable' },
          502,
        );
      }
    });
  }
}
