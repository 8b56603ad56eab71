import type { CommunityList } from '@yishi/projection/contract';
import type { ApiClient } from '../api.ts';
import { type Html, h } from '../html.ts';
import type { Viewer } from '../viewer.ts';
import { layout, type PageContext, queryProblem } from '../views/layout.ts';

/** The communities the viewer's capacity reaches. */
export async function homePage(ctx: PageContext, api: ApiClient, viewer: Viewer): Promise<Html> {
  const { tr } = ctx;
  const result = await api.query<CommunityList>('/v1/communities');
  const list = result.ok
    ? result.data.items.length
      ? h`<ul class="cards">${result.data.items.map(
          (c) =>
            h`<li><a class="title" href="/c/${encodeURIComponent(c.communityId)}">${c.name}</a>
            <span class="muted">${c.communityId} · ${tr.t(c.kind === 'rural' ? 'community.kind.rural' : 'community.kind.urban')}</span></li>`,
        )}</ul>`
      : h`<p>${tr.t('home.none')}</p>`
    : queryProblem(tr, result.problem);
  return layout(ctx, {
    title: tr.t('home.title'),
    body: h`<h1>${tr.t('home.title')}</h1>
${viewer.communities.includes('*') ? h`<p class="muted">${tr.t('home.all')}</p>` : undefined}
${viewer.role === 'admin' ? h`<p><a href="/installation">${tr.t('installation.link')}</a> · <a href="/setup">${tr.t('setup.link')}</a></p>` : undefined}
${list}`,
  });
}
