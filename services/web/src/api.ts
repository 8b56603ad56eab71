import { randomUUID } from 'node:crypto';
import { type Problem, problemBody } from '@yishi/platform';

// The console talks to the two services over their public HTTP APIs only, with the user's
// own bearer token: the services authorise every read and every command themselves. What the
// query service answers is typed by its contract, `@yishi/projection/contract`.

export interface Upstreams {
  /** Base URL of the command service, e.g. http://127.0.0.1:3000 */
  commandUrl: string;
  /** Base URL of the projection (query) service, e.g. http://127.0.0.1:3001 */
  projectionUrl: string;
}

export type Result<T> = { ok: true; data: T } | { ok: false; problem: Problem };

/** What the command service answers on success. */
export interface CommandAnswer {
  streamId: string;
  version: number;
  position: string;
  duplicate?: boolean;
  proposalId?: string;
  sessionId?: string;
  wishId?: string;
  evaluationId?: string;
  campaignId?: string;
  requestId?: string;
}

export type Query = Record<string, string | number | undefined>;

const TIMEOUT_MS = 15_000;

function problemOf(status: number, body: unknown, fallbackTitle: string): Problem {
  if (typeof body !== 'object' || body === null || !('code' in body)) {
    return problemBody(status, `http-${status}`, fallbackTitle);
  }
  const p = body as Partial<Problem>;
  const message =
    typeof p.detail === 'string' ? p.detail : typeof p.title === 'string' ? p.title : fallbackTitle;
  // The services' `detail` already names each field: kept as sent, not built again.
  return {
    ...problemBody(typeof p.status === 'number' ? p.status : status, String(p.code), message),
    ...p,
    detail: message,
  };
}

function unavailable(error: unknown): Problem {
  const title = error instanceof Error ? error.message : 'service not reachable';
  return problemBody(502, 'upstream-unavailable', title);
}

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/** A client for one signed-in user (or none: only public endpoints answer then). */
export class ApiClient {
  constructor(
    private readonly upstreams: Upstreams,
    private readonly token: string | undefined,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      accept: 'application/json',
      ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      ...extra,
    };
  }

  /** GET from the projection service. */
  async query<T>(path: string, query?: Query): Promise<Result<T>> {
    const url = `${this.upstreams.projectionUrl}${withQuery(path, query)}`;
    try {
      const res = await fetch(url, {
        headers: this.headers(),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const body: unknown = await res.json().catch(() => undefined);
      if (!res.ok) return { ok: false, problem: problemOf(res.status, body, res.statusText) };
      return { ok: true, data: body as T };
    } catch (error) {
      return { ok: false, problem: unavailable(error) };
    }
  }

  /** A query whose input is kept out of URLs (and so out of request logs): POST JSON. */
  async ask<T>(path: string, body: unknown): Promise<Result<T>> {
    const url = `${this.upstreams.projectionUrl}${path}`;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: this.headers({ 'content-type': 'application/json' }),
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const json: unknown = await res.json().catch(() => undefined);
      if (!res.ok) return { ok: false, problem: problemOf(res.status, json, res.statusText) };
      return { ok: true, data: json as T };
    } catch (error) {
      return { ok: false, problem: unavailable(error) };
    }
  }

  /** Sends a command: POST (or PUT) a JSON body with an idempotency key. */
  async command<T = CommandAnswer>(
    path: string,
    body: unknown,
    options: { method?: 'POST' | 'PUT'; idempotencyKey?: string } = {},
  ): Promise<Result<T>> {
    const url = `${this.upstreams.commandUrl}${path}`;
    try {
      const res = await fetch(url, {
        method: options.method ?? 'POST',
        headers: this.headers({
          'content-type': 'application/json',
          'idempotency-key': options.idempotencyKey ?? randomUUID(),
        }),
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const json: unknown = await res.json().catch(() => undefined);
      if (!res.ok) return { ok: false, problem: problemOf(res.status, json, res.statusText) };
      return { ok: true, data: json as T };
    } catch (error) {
      return { ok: false, problem: unavailable(error) };
    }
  }
}
