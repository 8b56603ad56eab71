import { issueToken, type Principal } from '@yishi/platform';

/** A client of the public HTTP API, acting as one person in one role. */
export interface Actor {
  principal: Principal;
  post(path: string, body: unknown, expected?: number[]): Promise<Record<string, unknown>>;
}

export interface ApiOptions {
  commandUrl: string;
  projectionUrl: string;
  communityId: string;
  secret: Uint8Array;
  issuer?: string;
  audience?: string;
}

export class Api {
  private readonly tokens = new Map<string, Promise<string>>();
  requests = 0;
  constructor(readonly options: ApiOptions) {}

  private token(p: Principal): Promise<string> {
    const key = `${p.role}/${p.personId}/${p.partyId ?? ''}`;
    let token = this.tokens.get(key);
    if (!token) {
      token = issueToken(
        {
          issuer: this.options.issuer ?? 'yishi',
          audience: this.options.audience ?? 'yishi',
          secret: this.options.secret,
        },
        p,
      );
      this.tokens.set(key, token);
    }
    return token;
  }

  as(role: Principal['role'], personId: string, partyId?: string): Actor {
    const principal: Principal = {
      personId,
      role,
      // The demo's admin also advances the simulated clock, which every community shares.
      communities: role === 'admin' ? ['*'] : [this.options.communityId],
      ...(partyId ? { partyId } : {}),
    };
    const base = `${this.options.commandUrl}/v1/communities/${this.options.communityId}`;
    return {
      principal,
      post: async (path, body, expected = [200, 201]) => {
        const url =
          path === ''
            ? base
            : path.startsWith('/')
              ? `${this.options.commandUrl}${path}`
              : `${base}/${path}`;
        this.requests += 1;
        const res = await fetch(url, {
          method: path === '' ? 'PUT' : 'POST',
          headers: {
            authorization: `Bearer ${await this.token(principal)}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify(body),
        });
        const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
        if (!expected.includes(res.status)) {
          throw new Error(`${personId} (${role}) ${path}: ${res.status} ${JSON.stringify(json)}`);
        }
        return json;
      },
    };
  }

  /**
   * Uploads a document or photo through the attachments route, as `actor`: its reference
   * (`attachment:<sha256>`) for a command's `documentRef`, and its hash.
   */
  async upload(
    actor: Actor,
    bytes: Uint8Array,
    type: string,
    fileName: string,
  ): Promise<{ ref: string; sha256: string }> {
    this.requests += 1;
    const base = `${this.options.commandUrl}/v1/communities/${this.options.communityId}`;
    const res = await fetch(`${base}/attachments?fileName=${encodeURIComponent(fileName)}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await this.token(actor.principal)}`,
        'content-type': type,
      },
      body: bytes,
    });
    const json = (await res.json().catch(() => ({}))) as { ref?: string; sha256?: string };
    if ((res.status !== 200 && res.status !== 201) || !json.ref || !json.sha256) {
      throw new Error(`upload ${fileName}: ${res.status} ${JSON.stringify(json)}`);
    }
    return { ref: json.ref, sha256: json.sha256 };
  }

  /** GET on the command service (the clock), as `actor`. */
  async commandGet(actor: Actor, path: string): Promise<unknown> {
    const res = await fetch(`${this.options.commandUrl}${path}`, {
      headers: { authorization: `Bearer ${await this.token(actor.principal)}` },
    });
    return res.json();
  }

  /** GET on the projection service, as `actor`, waiting for `minPosition` when given. */
  async read(actor: Actor, path: string): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${this.options.projectionUrl}${path}`, {
      headers: { authorization: `Bearer ${await this.token(actor.principal)}` },
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  }
}

/** Runs tasks with at most `limit` in flight; fails on the first error. */
export async function inPool<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await task(items[i]!, i);
      }
    }),
  );
}
