import { randomBytes } from 'node:crypto';
import { commandCatalog } from '@yishi/domain';
import { type Capacity, INSTALLATION, normalisePhone, type Session } from '@yishi/identity';
import { type Logger, problemBody, silentLogger } from '@yishi/platform';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';
import { type ActionSpec, actionSpec } from './actions/action.ts';
import { meetingListActions, meetingRequestActions } from './actions/convocation.ts';
import { createActions } from './actions/create.ts';
import { FormFields, FormInputError, type FormValues } from './actions/form-fields.ts';
import {
  campaignActions,
  campaignOpenActions,
  fundActions,
  fundListActions,
} from './actions/money.ts';
import {
  discussionActions,
  evaluationActions,
  evaluationListActions,
  wishActions,
  wishListActions,
} from './actions/participation.ts';
import { personalActions } from './actions/personal.ts';
import { proposalActions } from './actions/proposal.ts';
import { registryActions } from './actions/registry.ts';
import { sessionActions } from './actions/session.ts';
import { standingBodyActions } from './actions/standing-body.ts';
import { ApiClient, type CommandAnswer, type Upstreams } from './api.ts';
import { script, stylesheet } from './assets.ts';
import {
  attachmentScript,
  attachmentStyle,
  forwardUpload,
  UPLOAD_MAX_BYTES,
  UPLOAD_PATH,
} from './attachments.ts';
import { type Flash, FlashStore } from './flash.ts';
import { h } from './html.ts';
import { type Lang, type MessageKey, translator } from './i18n.ts';
import { communityPage } from './pages/community.ts';
import { convenePage, newProposalPage } from './pages/create.ts';
import { evaluationPage, evaluationsPage } from './pages/evaluations.ts';
import { campaignPage, fundsPage } from './pages/funds.ts';
import { homePage } from './pages/home.ts';
import { installationActions, installationPage } from './pages/installation.ts';
import { meetingRequestsPage } from './pages/meetings.ts';
import type { Page, PageAnswer } from './pages/page.ts';
import { personalPage } from './pages/personal.ts';
import { proposalPage, tallyFragment } from './pages/proposal.ts';
import { registerPage } from './pages/register.ts';
import { registryPage } from './pages/registry.ts';
import { sessionPage } from './pages/session.ts';
import { newCommunityPage, setupActions, setupPage, uploadReport } from './pages/setup.ts';
import { signInPage } from './pages/sign-in.ts';
import { communityTimelinePage, proposalTimelinePage } from './pages/timeline.ts';
import { verifyPage } from './pages/verify.ts';
import { wishesPage, wishPage } from './pages/wishes.ts';
import { passThrough } from './proxy.ts';
import { FORM_MAX_BYTES, formTokens, fromOrigin, SIGN_IN_MAX_BYTES, safeBack } from './security.ts';
import { DemoLoader, type LoadDemo } from './setup/demo.ts';
import { MAX_UPLOAD_BYTES, uploadRegistry, uploadsOf } from './setup/upload.ts';
import { signInRoutes } from './sign-in/routes.ts';
import type { ConsoleIdentity } from './sign-in/sign-in.ts';
import type { Viewer } from './viewer.ts';
import { layout, type PageContext } from './views/layout.ts';

// The web console (议事 控制台): server-rendered HTML over the two services' public APIs.
// People sign in with a phone number and a texted code; the session lives server-side, its id
// in an HttpOnly, SameSite=Strict cookie. Every read and command goes to the services with a
// short-lived token for the capacity the person chose among those the registry gives them, so
// the services authorise everything exactly as for any client.

export interface WebAppDeps {
  upstreams: Upstreams;
  logger?: Logger;
  /**
   * The console's address as browsers reach it (`WEB_PUBLIC_URL`): posts must come from its
   * origin, and over https the cookies are Secure with the `__Host-` prefix. Unset: the
   * address each request was sent to, plain cookies.
   */
  publicUrl?: string;
  /** Key of the forms' anti-forgery tokens; without one, a random key for this app. */
  formKey?: Uint8Array;
  /** Sign-in, sessions and capacities (`consoleIdentity`). */
  identity: ConsoleIdentity;
  /** `WEB_TRUST_PROXY`: the client's address is the proxy's last X-Forwarded-For entry. */
  trustProxy?: boolean;
  now?: () => Date;
  /** With the simulated clock (DEMO_CLOCK=1): loads the demo community from the setup page. */
  demo?: LoadDemo;
}

const SESSION_COOKIE = 'yishi_session';
/** Before sign-in: what the sign-in form's token is bound to (no session exists yet). */
const PRE_SESSION_COOKIE = 'yishi_pre';
const LANG_COOKIE = 'yishi_lang';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type ConsoleEnv = {
  Variables: {
    lang: Lang;
    /** The signed-in session, and the capacity it acts in (none until one is chosen). */
    session: Session | undefined;
    held: readonly Capacity[];
    viewer: Viewer | undefined;
    /** The posted form, read once and checked before any handler. */
    form: FormFields;
    /** A pre-session cookie set by this response. */
    preSession: string | undefined;
  };
};
type Env = ConsoleEnv;

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/** `back` with extra query parameters and an anchor. */
function withParams(back: string, params: Record<string, string | undefined>, anchor?: string) {
  const url = new URL(back, 'http://console.invalid');
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  return `${url.pathname}${url.search}${anchor ? `#${anchor}` : ''}`;
}

/** This page's address without the one-off parameters of a redirect. */
function hereOf(c: Context): string {
  const url = new URL(c.req.url);
  url.searchParams.delete('flash');
  url.searchParams.delete('at');
  return `${url.pathname}${url.search}`;
}

function formValues(body: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string') values[key] = value;
    else if (Array.isArray(value))
      values[key] = value.filter((v): v is string => typeof v === 'string');
  }
  return values;
}

/** Paths posted before there is a session: their forms' tokens bind to the pre-session. */
const BEFORE_SIGN_IN = new Set(['/sign-in', '/sign-in/code', '/bootstrap']);
/** Small forms: a phone number, a code, a capacity. */
const SMALL_FORMS = new Set([...BEFORE_SIGN_IN, '/sign-out', '/capacity']);
/** The registry's spreadsheets, posted as files. */
/** The registry spreadsheets' upload (setup checklist). */
const REGISTRY_UPLOAD = /^\/c\/[^/]+\/setup\/import$/;
/** Commands whose route is a PUT (they create the resource at its address). */
const PUT_COMMANDS: ReadonlySet<string> = new Set(['RegisterCommunity']);
/** What needs no session: the assets and the health check. */
const SESSIONLESS = /^\/(assets\/|healthz$|favicon\.ico$)/;

const POSITION = /^\d{1,20}:\d{1,20}$/;

export function createWebApp(deps: WebAppDeps): Hono<Env> {
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? (() => new Date());
  const flashes = new FlashStore();
  const flashOwners = new Map<string, string>();
  const tokens = formTokens(deps.formKey ?? randomBytes(32));
  const publicOrigin = deps.publicUrl ? new URL(deps.publicUrl).origin : undefined;
  const secure = publicOrigin?.startsWith('https:') ?? false;
  const sessionCookie: CookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'Strict',
    secure,
    ...(secure ? { prefix: 'host' } : {}),
  };
  const readCookie = (c: Context, name: string) => getCookie(c, name, secure ? 'host' : undefined);
  const identity = deps.identity;
  /** What the forms' token is bound to: the session, or before sign-in the pre-session. */
  const formBinding = (c: Context<Env>, beforeSignIn: boolean) => {
    const binding = beforeSignIn
      ? (c.get('preSession') ?? readCookie(c, PRE_SESSION_COOKIE))
      : readCookie(c, SESSION_COOKIE);
    return binding && `${beforeSignIn ? 'pre' : 'session'}:${binding}`;
  };
  /** The pre-session the sign-in forms' tokens bind to (made when there is none). */
  const preSession = (c: Context<Env>) => {
    let pre = readCookie(c, PRE_SESSION_COOKIE);
    if (!pre) {
      pre = randomBytes(18).toString('base64url');
      setCookie(c, PRE_SESSION_COOKIE, pre, sessionCookie);
    }
    c.set('preSession', pre);
  };
  const app = new Hono<Env>();

  app.use('*', async (c, next) => {
    const lang: Lang = getCookie(c, LANG_COOKIE) === 'en' ? 'en' : 'zh';
    c.set('lang', lang);
    const id = SESSIONLESS.test(c.req.path) ? undefined : readCookie(c, SESSION_COOKIE);
    const view = id ? await identity.resume(id, now()) : undefined;
    c.set('session', view?.session);
    c.set('held', view?.held ?? []);
    c.set('viewer', view?.viewer);
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      // A printed document passed through keeps its stricter policy (its one style allowed).
      if (!c.res.headers.has(name)) c.header(name, value);
    }
  });

  // Forms post only from this console's pages: SameSite=Strict keeps the cookie off
  // cross-site requests, the Origin must be the console's, and the form must carry the
  // session's token. The body is read only up to its limit, and once, before any handler.
  const fromConsole: MiddlewareHandler<Env> = async (c, next) => {
    const origin = publicOrigin ?? new URL(c.req.url).origin;
    if (!fromOrigin(c.req.raw.headers, origin)) return errorPage(c, 403, 'error.crossSite');
    await next();
  };
  const tooLarge = (c: Context) => errorPage(c as Context<Env>, 413, 'error.tooLarge');
  const smallLimit = bodyLimit({ maxSize: SIGN_IN_MAX_BYTES, onError: tooLarge });
  const formLimit = bodyLimit({ maxSize: FORM_MAX_BYTES, onError: tooLarge });
  const uploadLimit = bodyLimit({ maxSize: UPLOAD_MAX_BYTES, onError: tooLarge });
  const registryUploadLimit = bodyLimit({ maxSize: MAX_UPLOAD_BYTES, onError: tooLarge });
  const limited: MiddlewareHandler<Env> = (c, next) =>
    (SMALL_FORMS.has(c.req.path)
      ? smallLimit
      : UPLOAD_PATH.test(c.req.path)
        ? uploadLimit
        : REGISTRY_UPLOAD.test(c.req.path)
          ? registryUploadLimit
          : formLimit)(c, next);
  const withToken: MiddlewareHandler<Env> = async (c, next) => {
    let form: FormFields;
    try {
      form = new FormFields(formValues(await c.req.parseBody({ all: true })));
    } catch {
      return errorPage(c, 400, 'error.unreadable');
    }
    if (!tokens.verify(formBinding(c, BEFORE_SIGN_IN.has(c.req.path)), form.text('_csrf'))) {
      return errorPage(c, 403, 'error.staleForm');
    }
    c.set('form', form);
    await next();
  };
  /** Reads pass by; everything else is a form post. */
  const posts =
    (middleware: MiddlewareHandler<Env>): MiddlewareHandler<Env> =>
    (c, next) =>
      SAFE_METHODS.has(c.req.method) ? next() : middleware(c, next);
  app.use('*', posts(fromConsole), posts(limited), posts(withToken));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'cache-control': 'public, max-age=86400' }));
  app.get('/assets/style.css', (c) =>
    c.body(stylesheet + attachmentStyle, 200, {
      'content-type': 'text/css; charset=utf-8',
      'cache-control': 'public, max-age=300',
    }),
  );
  app.get('/assets/app.js', (c) =>
    c.body(script + attachmentScript, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=300',
    }),
  );

  app.get('/lang/:lang', (c) => {
    const lang = c.req.param('lang') === 'en' ? 'en' : 'zh';
    setCookie(c, LANG_COOKIE, lang, {
      path: '/',
      sameSite: 'Lax',
      maxAge: 365 * 24 * 3600,
      secure,
    });
    return c.redirect(safeBack(c.req.query('back')), 303);
  });

  function pageContext(c: Context<Env>, flash?: Flash): PageContext {
    const tr = translator(c.get('lang'));
    const viewer = c.get('viewer');
    const signedIn = c.get('session') !== undefined;
    const formToken = tokens.token(formBinding(c, !signedIn));
    return { tr, viewer, here: hereOf(c), flash, formToken, signedIn };
  }

  /** A page in place of what was asked for: refusals, missing pages, failures. */
  function errorPage(
    c: Context<Env>,
    status: 400 | 403 | 404 | 413 | 500 | 502,
    message: MessageKey,
  ) {
    const ctx = pageContext(c);
    return c.html(
      layout(ctx, {
        title: ctx.tr.t('error.title'),
        body: h`<h1>${ctx.tr.t('error.title')}</h1><p>${ctx.tr.t(message)}</p><p><a href="/">${ctx.tr.t('nav.home')}</a></p>`,
      }).html,
      status,
    );
  }

  function flashOf(c: Context<Env>): Flash | undefined {
    const id = c.req.query('flash');
    const flash = flashes.get(id);
    if (!flash || !id) return undefined;
    return flashOwners.get(id) === c.get('session')?.key ? flash : undefined;
  }

  function putFlash(c: Context<Env>, flash: Flash): string {
    const id = flashes.put(flash);
    if (flashOwners.size > 5000) flashOwners.clear();
    flashOwners.set(id, c.get('session')?.key ?? '');
    return id;
  }

  app.get('/', async (c) => {
    const viewer = c.get('viewer');
    if (!viewer) {
      if (c.get('session')) return c.redirect('/capacity', 303);
      preSession(c);
      // A session cookie that opens no session: it ended (timed out, or signed out elsewhere).
      const ended = readCookie(c, SESSION_COOKIE) ? 'signin.expired' : undefined;
      if (ended) deleteCookie(c, SESSION_COOKIE, sessionCookie);
      const bootstrap = await identity.deps.bootstrap.pending();
      return c.html(signInPage(pageContext(c, flashOf(c)), { message: ended, bootstrap }).html);
    }
    const api = new ApiClient(deps.upstreams, viewer.token);
    return c.html((await homePage(pageContext(c, flashOf(c)), api, viewer)).html);
  });

  signInRoutes(app, {
    identity,
    now,
    trustProxy: deps.trustProxy ?? false,
    page: (c) => pageContext(c, flashOf(c)),
    errorPage,
    preSession,
    session: {
      set: (c, id) => setCookie(c, SESSION_COOKIE, id, sessionCookie),
      clear: (c) => deleteCookie(c, SESSION_COOKIE, sessionCookie),
      clearPre: (c) => deleteCookie(c, PRE_SESSION_COOKIE, sessionCookie),
    },
  });

  // The installation: its administrators and officials, managed by an administrator.
  const adminOf = (c: Context<Env>) => {
    const viewer = c.get('viewer');
    return viewer?.role === 'admin' && viewer.communities.includes('*') ? viewer : undefined;
  };
  app.get('/installation', async (c) => {
    if (!adminOf(c)) {
      return c.get('viewer') ? errorPage(c, 403, 'capacity.notHeld') : c.redirect('/', 303);
    }
    const installation = await identity.deps.registry.installation();
    return c.html(installationPage(pageContext(c, flashOf(c)), installation).html);
  });
  app.post('/installation/:action', (c) => {
    if (!adminOf(c)) return errorPage(c, 403, 'capacity.notHeld');
    const action = c.req.param('action');
    const spec = actionSpec(installationActions, action);
    if (!spec) return c.notFound();
    // The number the appointed person signs in with: kept by the sign-in, never in an event.
    const linkPhone = async (form: FormFields, command: Record<string, unknown>) => {
      const phone = normalisePhone(form.text('phone'));
      if (phone && typeof command.personId === 'string') {
        await identity.deps.phones.link(phone, {
          communityId: INSTALLATION,
          personId: command.personId,
        });
      }
    };
    return act(c, action, spec, () => `/v1/installation/${action}`, undefined, linkPhone);
  });

  /** Pages inside a community: signed in, with the user's API client. */
  function communityRoute(handler: (page: Page) => Promise<PageAnswer>) {
    return async (c: Context<Env>) => {
      const viewer = c.get('viewer');
      if (!viewer) return c.redirect(c.get('session') ? '/capacity' : '/', 303);
      const ctx = pageContext(c, flashOf(c));
      const at = c.req.query('at');
      const page: Page = {
        ctx,
        tr: ctx.tr,
        api: new ApiClient(deps.upstreams, viewer.token),
        viewer,
        communityId: c.req.param('cid') ?? '',
        at: at && POSITION.test(at) ? at : undefined,
        param: (name) => c.req.param(name) ?? '',
        query: (name) => c.req.query(name),
      };
      try {
        const answer = await handler(page);
        return c.html(answer.html.html, answer.status ?? 200);
      } catch (error) {
        logger.error({ err: error, path: c.req.path }, 'page failed');
        throw error;
      }
    };
  }

  // The first visit: registering a community, its setup checklist and its registry.
  const demo = deps.demo ? new DemoLoader(deps.demo, logger) : undefined;
  app.get(
    '/setup',
    communityRoute((page) => newCommunityPage(page, demo)),
  );
  app.post('/setup/register-community', (c) => {
    const id = encodeURIComponent(c.get('form').text('communityId'));
    return act(
      c,
      'register-community',
      setupActions['register-community'],
      () => `/v1/communities/${id}`,
      () => `/c/${id}/setup`,
    );
  });
  app.post('/setup/demo', (c) => {
    if (!demo || !adminOf(c)) return errorPage(c, 403, 'capacity.notHeld');
    demo.start();
    return c.redirect('/setup', 303);
  });
  app.get('/c/:cid/setup', communityRoute(setupPage));
  app.get('/c/:cid/registry', communityRoute(registryPage));
  app.get('/c/:cid/me', communityRoute(personalPage));
  app.post('/c/:cid/setup/import', async (c) => {
    // The files: the checked form kept only its text fields (the parsed body is cached).
    const files = await uploadsOf(await c.req.parseBody({ all: true }));
    const form = c.get('form');
    return communityRoute(async (page) =>
      uploadReport(
        page,
        await uploadRegistry(page.api, page.communityId, files, {
          dryRun: form.bool('dryRun'),
          today: now().toISOString().slice(0, 10),
        }),
      ),
    )(c);
  });
  app.get('/c/:cid', communityRoute(communityPage));
  app.get('/c/:cid/proposals/new', communityRoute(newProposalPage));
  app.get('/c/:cid/proposals/:pid', communityRoute(proposalPage));
  app.get('/c/:cid/proposals/:pid/timeline', communityRoute(proposalTimelinePage));
  app.get('/c/:cid/sessions/new', communityRoute(convenePage));
  app.get('/c/:cid/sessions/:sid', communityRoute(sessionPage));
  app.get('/c/:cid/decisions', communityRoute(registerPage));
  app.get('/c/:cid/funds', communityRoute(fundsPage));
  app.get('/c/:cid/residents-meeting-requests', communityRoute(meetingRequestsPage));
  app.get('/c/:cid/crowdfunding/:campaignId', communityRoute(campaignPage));
  app.get('/c/:cid/timeline', communityRoute(communityTimelinePage));
  app.get('/c/:cid/verify', communityRoute(verifyPage));
  app.get('/c/:cid/wishes', communityRoute(wishesPage));
  app.get('/c/:cid/wishes/:wid', communityRoute(wishPage));
  app.get('/c/:cid/evaluations', communityRoute(evaluationsPage));
  app.get('/c/:cid/evaluations/:eid', communityRoute(evaluationPage));

  // The live tally, as an HTML fragment the page's script swaps in.
  app.get('/c/:cid/proposals/:pid/tally', async (c) => {
    const viewer = c.get('viewer');
    if (!viewer) return c.body(null, 401);
    const ctx = pageContext(c);
    const page: Page = {
      ctx,
      tr: ctx.tr,
      api: new ApiClient(deps.upstreams, viewer.token),
      viewer,
      communityId: c.req.param('cid'),
      at: undefined,
      param: (name) => c.req.param(name) ?? '',
      query: (name) => c.req.query(name),
    };
    const html = await tallyFragment(page);
    c.header('cache-control', 'no-store');
    return c.html(html.html);
  });

  /** Runs a form's command and redirects back with the outcome (post/redirect/get). */
  async function act(
    c: Context<Env>,
    action: string,
    spec: ActionSpec,
    path: (body: Record<string, unknown>) => string,
    created?: (answer: CommandAnswer) => string,
    /** What the console itself keeps once the command is accepted. */
    after?: (form: FormFields, command: Record<string, unknown>) => Promise<void>,
  ) {
    const viewer = c.get('viewer');
    if (!viewer) return c.redirect('/', 303);
    const form = c.get('form');
    const back = safeBack(form.text('_back'), `/c/${encodeURIComponent(c.req.param('cid') ?? '')}`);
    const formId = form.text('_form') || undefined;
    const values = Object.fromEntries(
      Object.entries(form.values).filter(([k]) => !k.startsWith('_')),
    );
    const fail = (flash: Flash) =>
      c.redirect(withParams(back, { flash: putFlash(c, flash), at: undefined }, formId), 303);
    let command: Record<string, unknown>;
    try {
      command = spec.build(form, viewer);
    } catch (error) {
      if (!(error instanceof FormInputError)) throw error;
      return fail({
        kind: 'failed',
        action,
        formId,
        values,
        problem: problemBody(400, 'invalid-input', 'The form is not complete', {
          errors: [{ field: `form.${error.field}`, message: error.message }],
        }),
      });
    }
    const api = new ApiClient(deps.upstreams, viewer.token);
    const result = await api.command(path(command), command, {
      idempotencyKey: form.text('_key') || undefined,
      ...(PUT_COMMANDS.has(spec.command) ? { method: 'PUT' as const } : {}),
    });
    if (!result.ok) {
      logger.info({ action, code: result.problem.code }, 'command refused');
      return fail({ kind: 'failed', action, formId, values, problem: result.problem });
    }
    await after?.(form, command);
    const target = created ? created(result.data) : back;
    return c.redirect(
      withParams(target, {
        flash: putFlash(c, { kind: 'done', action }),
        at: result.data.position,
      }),
      303,
    );
  }

  const cidOf = (c: Context) => encodeURIComponent(c.req.param('cid') ?? '');
  const api = (c: Context, rest: string) => `/v1/communities/${cidOf(c)}${rest}`;

  app.post('/c/:cid/attachments', (c) => forwardUpload(c, deps.upstreams, c.get('viewer')?.token));
  app.post('/c/:cid/proposals', (c) =>
    act(
      c,
      'submit-proposal',
      createActions['submit-proposal'],
      () => api(c, '/proposals'),
      (answer) => `/c/${cidOf(c)}/proposals/${encodeURIComponent(answer.proposalId ?? '')}`,
    ),
  );
  app.post('/c/:cid/sessions', (c) =>
    act(
      c,
      'convene-session',
      createActions['convene-session'],
      () => api(c, '/sessions'),
      (answer) => `/c/${cidOf(c)}/sessions/${encodeURIComponent(answer.sessionId ?? '')}`,
    ),
  );
  app.post('/c/:cid/proposals/:pid/:action', (c) => {
    const action = c.req.param('action');
    const spec = actionSpec(proposalActions, action);
    if (!spec) return c.notFound();
    return act(c, action, spec, () =>
      api(c, `/proposals/${encodeURIComponent(c.req.param('pid'))}/${action}`),
    );
  });
  // Participation: comments and amendments, micro-wishes, evaluations.
  app.post('/c/:cid/proposals/:pid/discussion/:action', (c) => {
    const action = c.req.param('action');
    const spec = actionSpec(discussionActions, action);
    if (!spec) return c.notFound();
    // Comments have their stream; amendments are the proposal's commands.
    const under = commandCatalog[spec.command].aggregate === 'discussion' ? '/discussion' : '';
    return act(c, action, spec, () =>
      api(c, `/proposals/${encodeURIComponent(c.req.param('pid'))}${under}/${action}`),
    );
  });
  app.post('/c/:cid/wishes/post-wish', (c) =>
    act(
      c,
      'post-wish',
      wishListActions['post-wish'],
      () => api(c, '/wishes'),
      (answer) => `/c/${cidOf(c)}/wishes/${encodeURIComponent(answer.wishId ?? '')}`,
    ),
  );
  app.post('/c/:cid/wishes/:wid/:action', (c) => {
    const action = c.req.param('action');
    const spec = actionSpec(wishActions, action);
    if (!spec) return c.notFound();
    return act(c, action, spec, () =>
      api(c, `/wishes/${encodeURIComponent(c.req.param('wid'))}/${action}`),
    );
  });
  app.post('/c/:cid/evaluations/open-evaluation', (c) =>
    act(
      c,
      'open-evaluation',
      evaluationListActions['open-evaluation'],
      () => api(c, '/evaluations'),
      (answer) => `/c/${cidOf(c)}/evaluations/${encodeURIComponent(answer.evaluationId ?? '')}`,
    ),
  );
  app.post('/c/:cid/evaluations/:eid/:action', (c) => {
    const action = c.req.param('action');
    const spec = actionSpec(evaluationActions, action);
    if (!spec) return c.notFound();
    return act(c, action, spec, () =>
      api(c, `/evaluations/${encodeURIComponent(c.req.param('eid'))}/${action}`),
    );
  });
  /** A table of actions under `console` (…/:id/:action), each sent to `service(id)/:action`. */
  const tableRoute = (
    console: string,
    table: Readonly<Record<string, ActionSpec>>,
    service: (c: Context<Env>, id: string) => string,
  ) =>
    app.post(`${console}/:id/:action`, (c) => {
      const action = c.req.param('action');
      const spec = actionSpec(table, action);
      if (!spec) return c.notFound();
      return act(c, action, spec, () => `${service(c, c.req.param('id'))}/${action}`);
    });
  /** A creating action under `console`, sent to `service`, returning to what it made. */
  const creatingRoute = (
    console: string,
    name: string,
    spec: ActionSpec,
    service: string,
    made: (answer: CommandAnswer) => string | undefined,
  ) =>
    app.post(`${console}/${name}`, (c) =>
      act(
        c,
        name,
        spec,
        () => api(c, service),
        (answer) => `/c/${cidOf(c)}${service}/${encodeURIComponent(made(answer) ?? '')}`,
      ),
    );
  // Money (众筹, 专项维修资金, 微基金) and residents' meeting requests (提议召开居民会议).
  app.post('/c/:cid/funds/open-fund', (c) =>
    act(c, 'open-fund', fundListActions['open-fund'], () => api(c, '/funds')),
  );
  tableRoute('/c/:cid/funds', fundActions, (c, id) => api(c, `/funds/${encodeURIComponent(id)}`));
  creatingRoute(
    '/c/:cid/crowdfunding',
    'open-crowdfunding',
    campaignOpenActions['open-crowdfunding'],
    '/crowdfunding',
    (answer) => answer.campaignId,
  );
  tableRoute('/c/:cid/crowdfunding', campaignActions, (c, id) =>
    api(c, `/crowdfunding/${encodeURIComponent(id)}`),
  );
  app.post('/c/:cid/standing-bodies/:action', (c) => {
    const action = c.req.param('action');
    const spec = actionSpec(standingBodyActions, action);
    if (!spec) return c.notFound();
    return act(c, action, spec, () => api(c, `/registry/${action}`));
  });
  app.post('/c/:cid/residents-meeting-requests/request-residents-meeting', (c) =>
    act(c, 'request-residents-meeting', meetingListActions['request-residents-meeting'], () =>
      api(c, '/residents-meeting-requests'),
    ),
  );
  tableRoute('/c/:cid/residents-meeting-requests', meetingRequestActions, (c, id) =>
    api(c, `/residents-meeting-requests/${encodeURIComponent(id)}`),
  );
  // What a person does for themselves: their own proxies, their reminders (registry commands).
  app.post('/c/:cid/me/:action', (c) => {
    const action = c.req.param('action');
    const spec = actionSpec(personalActions, action);
    if (!spec) return c.notFound();
    return act(c, action, spec, () => api(c, `/registry/${action}`));
  });
  app.post('/c/:cid/registry/:action', (c) => {
    const action = c.req.param('action');
    const spec = actionSpec(registryActions, action);
    if (!spec) return c.notFound();
    return act(c, action, spec, () => api(c, `/registry/${action}`));
  });
  app.post('/c/:cid/sessions/:sid/:action', (c) => {
    const action = c.req.param('action');
    const spec = actionSpec(sessionActions, action);
    if (!spec) return c.notFound();
    return act(c, action, spec, () =>
      api(c, `/sessions/${encodeURIComponent(c.req.param('sid'))}/${action}`),
    );
  });

  passThrough(app, deps.upstreams, (c) => c.get('viewer')?.token);

  app.notFound((c) => errorPage(c as Context<Env>, 404, 'error.notFound'));

  app.onError((error, c) => {
    logger.error({ err: error, path: c.req.path }, 'console error');
    const ctx = pageContext(c as Context<Env>);
    return c.html(
      layout(ctx, {
        title: ctx.tr.t('error.title'),
        body: h`<h1>${ctx.tr.t('error.title')}</h1><p>${ctx.tr.t('error.upstream', { detail: error.message })}</p>`,
      }).html,
      500,
    );
  });

  return app;
}
