import type { Capacity } from '@yishi/identity';
import { type Html, h } from '../html.ts';
import type { MessageKey, Translator } from '../i18n.ts';
import { tokenField } from '../views/forms.ts';
import { capacityLabel, layout, type PageContext } from '../views/layout.ts';

// Sign-in: a phone number, then the code texted to it; the capacity to act in when the registry
// gives several; the first administrator's one-time code. Every page posts with the
// pre-session's (or the session's) anti-forgery token.

function alert(message: string | undefined): Html | undefined {
  return message ? h`<div class="banner bad" role="alert"><p>${message}</p></div>` : undefined;
}

function phoneField(tr: Translator, invalid: boolean): Html {
  return h`<div class="field">
    <label for="phone">${tr.t('signin.phone')} <span class="muted">${tr.t('form.required')}</span></label>
    <span class="hint" id="phone-hint">${tr.t('signin.phone.hint')}</span>
    <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" required maxlength="40" aria-describedby="phone-hint"${
      invalid ? h` aria-invalid="true"` : undefined
    }>
  </div>`;
}

/** The first page: the phone number a code goes to. */
export function signInPage(
  ctx: PageContext,
  options: { message?: MessageKey; bootstrap: boolean; status?: 200 | 400 | 429 },
): Html {
  const { tr } = ctx;
  return layout(ctx, {
    title: tr.t('signin.title'),
    body: h`<h1>${tr.t('app.name')} · ${tr.t('signin.title')}</h1>
<p>${tr.t('app.tagline')}</p>
${alert(options.message && tr.t(options.message))}
<form class="action" id="sign-in" method="post" action="/sign-in">
  ${tokenField(ctx)}
  <p>${tr.t('signin.intro')}</p>
  ${phoneField(tr, options.message === 'signin.invalidPhone')}
  <div class="actions"><button type="submit">${tr.t('signin.send')}</button></div>
</form>
${options.bootstrap ? h`<p><a href="/bootstrap">${tr.t('signin.bootstrap')}</a></p>` : undefined}`,
  });
}

/** The code's page: the same for every number; in development, the code itself. */
export function codePage(
  ctx: PageContext,
  options: { phone: string; masked: string; devCode?: string; message?: MessageKey },
): Html {
  const { tr } = ctx;
  const dev = options.devCode
    ? h`<div class="banner warn dev" role="status" data-dev-code="${options.devCode}">
  <p><strong>${tr.t('signin.devTitle')}</strong></p>
  <p>${tr.t('signin.dev', { code: options.devCode })}</p>
  <p><code lang="en">${options.devCode}</code></p>
</div>`
    : undefined;
  return layout(ctx, {
    title: tr.t('signin.title'),
    body: h`<h1>${tr.t('app.name')} · ${tr.t('signin.title')}</h1>
${dev}
${alert(options.message && tr.t(options.message))}
<p>${tr.t('signin.sent', { phone: options.masked })}</p>
<form class="action" id="sign-in-code" method="post" action="/sign-in/code">
  ${tokenField(ctx)}
  <input type="hidden" name="phone" value="${options.phone}">
  <div class="field">
    <label for="code">${tr.t('signin.code')} <span class="muted">${tr.t('form.required')}</span></label>
    <span class="hint" id="code-hint">${tr.t('signin.code.hint')}</span>
    <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required aria-describedby="code-hint"${
      options.message ? h` aria-invalid="true"` : undefined
    }>
  </div>
  <div class="actions"><button type="submit">${tr.t('signin.submit')}</button></div>
</form>
<form id="sign-in-again" method="post" action="/sign-in">
  ${tokenField(ctx)}
  <input type="hidden" name="phone" value="${options.phone}">
  <button type="submit" class="secondary">${tr.t('signin.again')}</button>
</form>`,
  });
}

/** The capacities the registry gives the person, one button each. */
export function capacityPage(
  ctx: PageContext,
  held: readonly Capacity[],
  keyOf: (capacity: Capacity) => string,
): Html {
  const { tr } = ctx;
  const body =
    held.length === 0
      ? h`<div class="banner warn" role="status"><p>${tr.t('capacity.none')}</p></div>`
      : h`<p>${tr.t('capacity.intro')}</p>
<ul class="capacities">${held.map(
          (capacity) => h`<li><form method="post" action="/capacity">
  ${tokenField(ctx)}
  <input type="hidden" name="capacity" value="${keyOf(capacity)}">
  <button type="submit" class="secondary">${capacityLabel(tr, capacity)}</button>
</form></li>`,
        )}</ul>`;
  return layout(ctx, {
    title: tr.t('capacity.title'),
    body: h`<h1>${tr.t('capacity.title')}</h1>${body}`,
  });
}

/** The first administrator: the code `pnpm start` printed, an id and a phone number. */
export function bootstrapPage(ctx: PageContext, message?: MessageKey): Html {
  const { tr } = ctx;
  return layout(ctx, {
    title: tr.t('bootstrap.title'),
    body: h`<h1>${tr.t('bootstrap.title')}</h1>
${alert(message && tr.t(message))}
<form class="action" id="bootstrap" method="post" action="/bootstrap">
  ${tokenField(ctx)}
  <p>${tr.t('bootstrap.intro')}</p>
  <div class="field">
    <label for="code">${tr.t('bootstrap.code')} <span class="muted">${tr.t('form.required')}</span></label>
    <input id="code" name="code" type="text" autocomplete="off" required maxlength="40">
  </div>
  <div class="field">
    <label for="personId">${tr.t('bootstrap.personId')} <span class="muted">${tr.t('form.required')}</span></label>
    <span class="hint" id="personId-hint">${tr.t('bootstrap.personId.hint')}</span>
    <input id="personId" name="personId" type="text" autocomplete="username" required maxlength="64" pattern="[A-Za-z0-9_\\-]{1,64}" aria-describedby="personId-hint">
  </div>
  ${phoneField(tr, false)}
  <div class="actions"><button type="submit">${tr.t('bootstrap.submit')}</button></div>
</form>`,
  });
}
