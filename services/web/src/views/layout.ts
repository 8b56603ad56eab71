import { type Capacity, capacityKey } from '@yishi/identity';
import type { Problem } from '@yishi/platform';
import type { Flash } from '../flash.ts';
import { type Child, type Html, h } from '../html.ts';
import { htmlLang, type MessageKey, type Translator } from '../i18n.ts';
import type { Viewer } from '../viewer.ts';
import { tokenField } from './forms.ts';

/** What every page knows: the language, who is signed in, where we are, any flash. */
export interface PageContext {
  tr: Translator;
  viewer: Viewer | undefined;
  /** Path and query of this page: actions and the language switch come back here. */
  here: string;
  flash: Flash | undefined;
  /** The anti-forgery token of this session's forms (`_csrf`). */
  formToken: string;
  community?: { communityId: string; name: string };
  /** The read side had not caught up with the user's last action when the page was read. */
  behind?: boolean;
  /** Signed in, though no capacity is chosen yet (the header offers sign-out). */
  signedIn?: boolean;
}

export interface Crumb {
  href?: string;
  label: string;
}

export function communityPath(communityId: string, rest = ''): string {
  return `/c/${encodeURIComponent(communityId)}${rest}`;
}

function nav(ctx: PageContext): Html | undefined {
  const { tr, community, viewer } = ctx;
  if (!viewer) return undefined;
  const links: [string, string][] = [['/', tr.t('nav.home')]];
  if (community) {
    const base = communityPath(community.communityId);
    links.push(
      [base, tr.t('nav.community')],
      [`${base}/decisions`, tr.t('nav.register')],
      [`${base}/funds`, tr.t('nav.funds')],
      [`${base}/timeline`, tr.t('nav.timeline')],
      [`${base}/verify`, tr.t('nav.verify')],
    );
  }
  return h`<nav class="main" aria-label="${tr.t('nav.main')}"><ul>${links.map(
    ([href, label]) => h`<li><a href="${href}">${label}</a></li>`,
  )}</ul></nav>`;
}

/** How a capacity is named to the person: 以业主身份 · 幸福里社区. */
export function capacityLabel(tr: Translator, capacity: Capacity): string {
  const kind = tr.t('capacity.as', { kind: tr.label('capacity', capacity.kind) });
  return capacity.label ? `${kind} · ${capacity.label}` : kind;
}

function who(ctx: PageContext): Html | undefined {
  const { viewer, tr } = ctx;
  const signOut = h`<form method="post" action="/sign-out">${tokenField(ctx)}<button type="submit" class="link">${tr.t('signout')}</button></form>`;
  if (!viewer) return ctx.signedIn ? signOut : undefined;
  const others = viewer.held.length > 1;
  const current = capacityKey(viewer.capacity);
  // The capacities the registry gives the person: the one acted in, and a switch to another.
  return h`<span class="who"><span class="hide-narrow">${tr.t('who.label')}${tr.colon}</span>${viewer.personId} · ${
    others ? undefined : capacityLabel(tr, viewer.capacity)
  }</span>
  ${
    ctx.community
      ? h`<a href="/c/${encodeURIComponent(ctx.community.communityId)}/me">${tr.t('me.title')}</a>
  <a href="/api/projection/v1/communities/${encodeURIComponent(ctx.community.communityId)}/persons/${encodeURIComponent(viewer.personId)}/personal-data" download>${tr.t('who.export')}</a>`
      : undefined
  }
  ${
    others
      ? h`<form method="post" action="/capacity" class="switch">${tokenField(ctx)}
    <label for="capacity-switch" class="visually-hidden">${tr.t('capacity.label')}</label>
    <select id="capacity-switch" name="capacity">${viewer.held.map((capacity) => {
      const key = capacityKey(capacity);
      return h`<option value="${key}"${key === current ? h` selected` : undefined}>${capacityLabel(tr, capacity)}</option>`;
    })}</select>
    <button type="submit">${tr.t('capacity.switch')}</button>
  </form>`
      : undefined
  }
  ${signOut}`;
}

function languageSwitch(ctx: PageContext): Html {
  const to = ctx.tr.lang === 'zh' ? 'en' : 'zh';
  return h`<a href="/lang/${to}?back=${encodeURIComponent(ctx.here)}" lang="${to === 'en' ? 'en' : 'zh-CN'}" hreflang="${to === 'en' ? 'en' : 'zh-CN'}">${ctx.tr.t('lang.switch')}</a>`;
}

/** The flash of the last action: a status on success, an alert with reasons on refusal. */
export function flashBanner(ctx: PageContext): Html | undefined {
  const { flash, tr } = ctx;
  if (!flash) return undefined;
  const action = actionLabel(tr, flash.action);
  if (flash.kind === 'done') {
    return h`<div class="banner ok" role="status"><p>${tr.t('action.done', { action })}</p></div>`;
  }
  return h`<div class="banner bad" role="alert" id="flash-error" tabindex="-1">
    <p><strong>${tr.t('action.failed', { action })}</strong></p>
    ${flash.problem ? problemText(tr, flash.problem) : undefined}
  </div>`;
}

export function actionLabel(tr: Translator, action: string): string {
  return tr.lookup(`action.${action}`) ?? action;
}

/** A problem in words: the translated code, the service's own words, every field error. */
export function problemText(tr: Translator, problem: Problem): Html {
  const reason = tr.has('errorCode', problem.code)
    ? tr.label('errorCode', problem.code)
    : undefined;
  const detail = problem.detail || problem.title;
  return h`${reason ? h`<p>${reason}</p>` : undefined}
    <p class="muted" lang="en">${detail} <code>${problem.code}</code></p>
    ${
      problem.errors?.length
        ? h`<ul>${problem.errors.map(
            (e) => h`<li>${tr.t('error.field', { field: e.field, message: e.message })}</li>`,
          )}</ul>`
        : undefined
    }`;
}

export function layout(
  ctx: PageContext,
  page: { title: string; crumbs?: Crumb[]; body: Child },
): Html {
  const { tr } = ctx;
  const crumbs = page.crumbs?.length
    ? h`<nav class="breadcrumb" aria-label="${tr.t('nav.breadcrumb')}"><ol>${page.crumbs.map(
        (c, i, all) =>
          c.href && i < all.length - 1
            ? h`<li><a href="${c.href}">${c.label}</a></li>`
            : h`<li aria-current="page">${c.label}</li>`,
      )}</ol></nav>`
    : undefined;
  return h`<!doctype html>
<html lang="${htmlLang(tr.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · ${tr.t('app.name')}</title>
<link rel="stylesheet" href="/assets/style.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">${tr.t('skip.main')}</a>
<header class="top">
  <div class="top-row">
    <a class="brand" href="/">${tr.t('app.name')}${ctx.community ? h` · ${ctx.community.name}` : undefined}</a>
    ${who(ctx)}
    ${languageSwitch(ctx)}
  </div>
  ${nav(ctx)}
</header>
<main id="main" tabindex="-1">
${crumbs}
${flashBanner(ctx)}
${ctx.behind ? h`<div class="banner warn" role="status"><p>${tr.t('error.behind')}</p></div>` : undefined}
${page.body}
</main>
<footer><p>${tr.t('footer.time')} · <a href="/api/command/openapi.json">${tr.t('footer.api')}${tr.open}command${tr.close}</a> · <a href="/api/projection/openapi.json">${tr.t('footer.api')}${tr.open}query${tr.close}</a></p></footer>
</body>
</html>`;
}

export function badge(kind: 'ok' | 'bad' | 'warn' | 'info', text: string): Html {
  return h`<span class="badge ${kind}">${text}</span>`;
}

export function outcomeBadge(tr: Translator, outcome: string | null | undefined): Html | undefined {
  if (!outcome) return undefined;
  const kind = outcome === 'rejected' ? 'bad' : outcome === 'adopted' ? 'ok' : 'warn';
  return badge(kind, tr.label('outcome', outcome));
}

/** A problem answered by a query, shown in place of the content it would have filled. */
export function queryProblem(
  tr: Translator,
  problem: Problem,
  key: MessageKey = 'error.title',
): Html {
  return h`<div class="banner warn" role="status"><p><strong>${tr.t(key)}</strong></p>${problemText(tr, problem)}</div>`;
}
