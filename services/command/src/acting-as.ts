import type { Role } from '@yishi/domain';
import type { testAuth } from '@yishi/platform';
import { expect } from 'vitest';
import type { createApp } from './app.ts';

// For route tests: a person of one community sending commands through the app, each answer
// checked against the status the test expects.

export type Send = (
  path: string,
  body: unknown,
  expected?: number,
) => Promise<Record<string, unknown>>;

/**
 * `as(role, personId)` gives a sender with that person's token for community `cid`. A path
 * without a leading slash is under the community; the community's own path is a PUT.
 */
export function actingAs(
  app: () => ReturnType<typeof createApp>,
  auth: ReturnType<typeof testAuth>,
  cid: string,
) {
  const community = `/v1/communities/${cid}`;
  return async (role: Role, personId: string, partyId?: string): Promise<Send> => {
    const token = await auth.token({
      personId,
      role,
      communities: [cid],
      ...(partyId ? { partyId } : {}),
    });
    return async (path, body, expected = 201) => {
      const res = await app().request(path.startsWith('/') ? path : `${community}/${path}`, {
        method: path === community ? 'PUT' : 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as Record<string, unknown>;
      expect(res.status, `${personId} ${path}: ${JSON.stringify(json)}`).toBe(expected);
      return json;
    };
  };
}
