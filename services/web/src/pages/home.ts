import type { CommunityList } from '@yishi/projection/contract';
import type { ApiClient } from '../api.ts';
import { type Html, h } from '../html.ts';
import type { Viewer } from '../viewer.ts';
import { tokenField } from '../views/forms.ts';
import { layout, type PageContext, queryProblem } from '../views/layout.ts';

/** Sign-in: paste a token (local installs issue one with `pnpm run token`). */
export function signInPage(ctx: PageContext, error: string | undefined): Html {
  const { tr } = ctx;
  const message =
    error === 'expired' ? tr.t('signin.expired') : error ? tr.t('signin.invalid') : undefined;
  return layout(ctx, {
    title: tr.t('signin.title'),
    body: h`<h1>${tr.t('app.name')} · ${tr.t('signin.title')}</h1>
<p>${tr.t('app.tagline')}</p>
${message ? h`<div class="banner bad" role="alert"><p>${message}</p></div>` : undefined}
<form class="action" method="post" action="/sign-in">
  ${tokenField(ctx)}
  <p>${tr.t('signin.intro')}</p>
  <pre class="minutes"><code>pnpm -s run token --community c1 --role clerk --person k1</code></pre>
  <div class="field">
    <label for="token">${tr.t('signin.token')} <span class="muted">${tr.t('form.required')}</span></label>
    <span class="hint" id="token-hint">${tr.t('signin.token.hint')}</span>
    <textarea id="token" name="token" rows="4" required autocomplete="off" spellcheck="false" aria-describedby="token-hint"${
      message ? h` aria-invalid="true"` : undefined
    }></textarea>
  </div>
  <div class="actions"><button type="submit">${tr.t('signin.submit')}</button></div>
</form>`,
  });
}

/** The communities this token may read. */
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
${list}`,
  });
}
