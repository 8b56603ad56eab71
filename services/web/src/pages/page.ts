import { Id } from '@yishi/domain';
import type { Problem } from '@yishi/platform';
import type { CommunityView, PersonPage } from '@yishi/projection/contract';
import type { ApiClient, Query, Result } from '../api.ts';
import { type AsOfChoice, asOfChoice } from '../format.ts';
import { type Html, h } from '../html.ts';
import type { Translator } from '../i18n.ts';
import type { Viewer } from '../viewer.ts';
import {
  type Crumb,
  communityPath,
  layout,
  type PageContext,
  queryProblem,
} from '../views/layout.ts';

/** What a page handler gets: the page context, the user's API client and the request. */
export interface Page {
  ctx: PageContext;
  tr: Translator;
  api: ApiClient;
  viewer: Viewer;
  communityId: string;
  /** The position of the user's last command: queries wait until the read side passed it. */
  at: string | undefined;
  param(name: string): string;
  query(name: string): string | undefined;
}

/** What a page handler answers: a full page, or a status with a page (404, 502...). */
export interface PageAnswer {
  status?: 200 | 400 | 403 | 404 | 409 | 422 | 502 | 503;
  html: Html;
}

/**
 * A query that waits for the user's own last write (read-your-writes). If the read side does
 * not reach it in time, the page shows what it has, says so, and stops waiting.
 */
export async function read<T>(page: Page, path: string, query: Query = {}): Promise<Result<T>> {
  const at = page.at;
  const result = await page.api.query<T>(path, { ...query, ...(at ? { minPosition: at } : {}) });
  if (at && !result.ok && result.problem.code === 'position-not-reached') {
    page.at = undefined;
    page.ctx.behind = true;
    return page.api.query<T>(path, query);
  }
  return result;
}

export function communityApi(page: Page, rest = ''): string {
  return `/v1/communities/${encodeURIComponent(page.communityId)}${rest}`;
}

/** Reads the community (name, parties, procedures) and names it in the page header. */
export async function loadCommunity(page: Page): Promise<Result<CommunityView>> {
  const result = await read<CommunityView>(page, communityApi(page));
  if (result.ok) {
    page.ctx.community = { communityId: result.data.communityId, name: result.data.name };
  } else {
    page.ctx.community = { communityId: page.communityId, name: page.communityId };
  }
  return result;
}

export function statusOf(problem: Problem): NonNullable<PageAnswer['status']> {
  const allowed = [400, 403, 404, 409, 422, 502, 503] as const;
  return allowed.find((s) => s === problem.status) ?? 502;
}

/** The first crumb of a community's pages: the community, by name. */
export function communityCrumb(page: Page): Crumb {
  return {
    href: communityPath(page.communityId),
    label: page.ctx.community?.name ?? page.communityId,
  };
}

/** A thing the query service did not give (not found, forbidden…): its id, and why. */
export function problemPage(
  page: Page,
  id: string,
  crumbs: readonly Crumb[],
  problem: Problem,
): PageAnswer {
  return {
    status: statusOf(problem),
    html: layout(page.ctx, {
      title: id,
      crumbs: [...crumbs, { label: id }],
      body: h`<h1>${id}</h1>${queryProblem(page.tr, problem)}`,
    }),
  };
}

/** Party names by id, for showing positions, signatures and attendance. */
export function partyNames(community: CommunityView | undefined): Map<string, string> {
  return new Map((community?.parties ?? []).map((p) => [p.partyId, p.name]));
}

/** As many persons as one query names (the query service's limit). */
const NAMES_PER_QUERY = 200;

/**
 * How the query service names these persons to the viewer (a name only to those who may read
 * it, else the id), by person id. Ids it does not know, or cannot be, are left out.
 */
export async function personNames(
  page: Page,
  ids: readonly (string | null | undefined)[],
): Promise<Map<string, string>> {
  const wanted = [...new Set(ids)].filter(
    (id): id is string => typeof id === 'string' && Id.safeParse(id).success,
  );
  const names = new Map<string, string>();
  for (let i = 0; i < wanted.length; i += NAMES_PER_QUERY) {
    const result = await read<PersonPage>(page, communityApi(page, '/persons'), {
      ids: wanted.slice(i, i + NAMES_PER_QUERY).join(','),
    });
    if (!result.ok) break;
    for (const p of result.data.items) names.set(p.personId, p.displayName);
  }
  return names;
}

/** A person as the page shows them: the name with the id, or the id alone. */
export function personLabel(
  tr: Translator,
  names: ReadonlyMap<string, string>,
  personId: string,
): string {
  const name = names.get(personId);
  return name && name !== personId ? `${name}${tr.open}${personId}${tr.close}` : personId;
}

/** The time travel the page was asked for (`?asOf=` and `?asOfTime=`), if any. */
export function asOfOf(page: Page): AsOfChoice | undefined {
  return asOfChoice(page.query('asOf'), page.query('asOfTime'));
}
