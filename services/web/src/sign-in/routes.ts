import { Id } from '@yishi/domain';
import type { Capacity } from '@yishi/identity';
import { capacityKey, maskPhone, normalisePhone } from '@yishi/identity';
import type { Context, Hono } from 'hono';
import type { ConsoleEnv } from '../app.ts';
import type { MessageKey } from '../i18n.ts';
import { bootstrapPage, capacityPage, codePage, signInPage } from '../pages/sign-in.ts';
import type { PageContext } from '../views/layout.ts';
import { clientAddress } from './address.ts';
import type { ConsoleIdentity } from './sign-in.ts';

// The sign-in's pages: the number a code goes to, the code, the capacity to act in, sign-out,
// and the first administrator's one-time code. Each answer about a number is the same page
// whether the number is registered or not.

type Env = ConsoleEnv;

/** What the sign-in's routes need of the console. */
export interface SignInKit {
  identity: ConsoleIdentity;
  now: () => Date;
  /** `WEB_TRUST_PROXY`. */
  trustProxy: boolean;
  page(c: Context<Env>): PageContext;
  errorPage(c: Context<Env>, status: 403 | 502, message: MessageKey): Response | Promise<Response>;
  /** Makes sure the pre-session the sign-in forms' tokens bind to exists. */
  preSession(c: Context<Env>): void;
  session: {
    set(c: Context<Env>, sessionId: string): void;
    clear(c: Context<Env>): void;
    clearPre(c: Context<Env>): void;
  };
}

/** Where a capacity starts: its community; an official's one community; else the home page. */
export function landing(capacity: Capacity): string {
  if (capacity.kind === 'admin') return '/installation';
  const [only, ...more] = capacity.communities;
  return only && only !== '*' && more.length === 0 ? `/c/${encodeURIComponent(only)}` : '/';
}

export function signInRoutes(app: Hono<Env>, kit: SignInKit): void {
  /** Opens a session: its cookie (a new id), the pre-session gone, then its capacity's page. */
  function signedIn(c: Context<Env>, sessionId: string, capacity: Capacity | undefined) {
    kit.session.set(c, sessionId);
    kit.session.clearPre(c);
    return c.redirect(capacity ? landing(capacity) : '/capacity', 303);
  }

  /** A new sign-in in this browser ends the session it had. */
  async function endSession(c: Context<Env>) {
    const session = c.get('session');
    if (session) await kit.identity.signOut(session, kit.now());
  }

  // The number a code goes to. The answer is the same page for every number, registered or not.
  app.post('/sign-in', async (c) => {
    const phone = normalisePhone(c.get('form').text('phone'));
    const ctx = () => kit.page(c);
    if (!phone) {
      return c.html(
        signInPage(ctx(), { message: 'signin.invalidPhone', bootstrap: false }).html,
        400,
      );
    }
    const answer = await kit.identity.requestCode(
      phone,
      clientAddress(c, kit.trustProxy),
      kit.now(),
    );
    if (answer.limited) {
      return c.html(signInPage(ctx(), { message: 'signin.limited', bootstrap: false }).html, 429);
    }
    const masked = maskPhone(phone);
    return c.html(codePage(ctx(), { phone, masked, devCode: answer.devCode }).html);
  });

  app.post('/sign-in/code', async (c) => {
    const form = c.get('form');
    const phone = normalisePhone(form.text('phone'));
    if (!phone) return c.redirect('/', 303);
    const answer = await kit.identity.signIn(
      phone,
      form.text('code').trim(),
      clientAddress(c, kit.trustProxy),
      kit.now(),
    );
    const masked = maskPhone(phone);
    switch (answer.kind) {
      case 'wrong':
        return c.html(codePage(kit.page(c), { phone, masked, message: 'signin.wrong' }).html, 400);
      case 'limited':
        return c.html(
          codePage(kit.page(c), { phone, masked, message: 'signin.limited' }).html,
          429,
        );
      case 'unregistered':
        return c.html(
          signInPage(kit.page(c), { message: 'signin.unregistered', bootstrap: false }).html,
          403,
        );
      case 'signed-in':
        await endSession(c);
        return signedIn(c, answer.sessionId, answer.capacity);
      default: {
        const _exhaustive: never = answer;
        throw new Error('unknown answer');
      }
    }
  });

  app.get('/capacity', (c) => {
    if (!c.get('session')) return c.redirect('/', 303);
    return c.html(capacityPage(kit.page(c), c.get('held'), capacityKey).html);
  });

  // A capacity is acted in only if the registry gives it now: whatever a form says.
  app.post('/capacity', async (c) => {
    const session = c.get('session');
    if (!session) return c.redirect('/', 303);
    const chosen = await kit.identity.choose(session, c.get('form').text('capacity'), kit.now());
    if (!chosen) return kit.errorPage(c, 403, 'capacity.notHeld');
    kit.session.set(c, chosen.sessionId);
    return c.redirect(landing(chosen.capacity), 303);
  });

  app.post('/sign-out', async (c) => {
    await endSession(c);
    kit.session.clear(c);
    return c.redirect('/', 303);
  });

  app.get('/bootstrap', async (c) => {
    if (!(await kit.identity.deps.bootstrap.pending())) return c.redirect('/', 303);
    kit.preSession(c);
    return c.html(bootstrapPage(kit.page(c)).html);
  });

  app.post('/bootstrap', async (c) => {
    const form = c.get('form');
    const phone = normalisePhone(form.text('phone'));
    const personId = Id.safeParse(form.text('personId').trim());
    if (!phone || !personId.success) {
      return c.html(bootstrapPage(kit.page(c), 'bootstrap.invalid').html, 400);
    }
    const answer = await kit.identity.bootstrapAdmin(
      form.text('code'),
      personId.data,
      phone,
      kit.now(),
    );
    switch (answer.kind) {
      case 'wrong':
        return c.html(bootstrapPage(kit.page(c), 'bootstrap.wrong').html, 400);
      case 'exists':
        return c.html(bootstrapPage(kit.page(c), 'bootstrap.exists').html, 409);
      case 'signed-in':
        await endSession(c);
        return signedIn(c, answer.sessionId, answer.capacity);
      default:
        return kit.errorPage(c, 502, 'error.title');
    }
  });
}
