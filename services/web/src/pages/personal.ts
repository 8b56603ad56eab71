import type { PersonalDataExport } from '@yishi/projection/contract';
import { offered } from '../actions/action.ts';
import { personalActions } from '../actions/personal.ts';
import { h } from '../html.ts';
import { communityPath, layout, queryProblem } from '../views/layout.ts';
import { communityApi, communityCrumb, type Page, type PageAnswer, read } from './page.ts';

// 我的: a person's own page in a community: the download of their data (PIPL Art. 45), the
// proxies they gave, and what they do for themselves (personalActions).

export const personalPath = (page: Page) => communityPath(page.communityId, '/me');

export async function personalPage(page: Page): Promise<PageAnswer> {
  const { tr, viewer } = page;
  const own = await read<PersonalDataExport>(
    page,
    communityApi(page, `/persons/${encodeURIComponent(viewer.personId)}/personal-data`),
  );
  const data = own.ok ? own.data : undefined;
  const active = (data?.proxies ?? []).filter((p) => p.active);
  const body = h`<h1>${tr.t('me.title')}</h1>
<p><a href="/api/projection/v1/communities/${encodeURIComponent(page.communityId)}/persons/${encodeURIComponent(viewer.personId)}/personal-data" download>${tr.t('who.export')}</a></p>
${own.ok ? undefined : queryProblem(tr, own.problem)}
<h2>${tr.t('me.proxies')}</h2>
${
  active.length
    ? h`<ul>${active.map((p) => h`<li data-authorisation="${p.authorisationId}">${tr.t(p.as === 'owner' ? 'me.proxy.given' : 'me.proxy.held', { owner: p.ownerId, proxy: p.proxyId, proposal: p.proposalId, item: p.itemId })}</li>`)}</ul>`
    : h`<p class="muted">${tr.t('me.proxies.none')}</p>`
}
${offered(personalActions, { page, base: personalPath(page), own: data })}`;
  return {
    status: 200,
    html: layout(page.ctx, {
      title: tr.t('me.title'),
      crumbs: [communityCrumb(page), { label: tr.t('me.title') }],
      body,
    }),
  };
}
