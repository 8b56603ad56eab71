import type { DomainCommandType } from '@yishi/domain';
import { type Child, type Html, h } from '../html.ts';
import type { Page } from '../pages/page.ts';
import { may, type Viewer } from '../viewer.ts';
import { actionForm, FormScope } from '../views/forms.ts';
import { actionLabel } from '../views/layout.ts';
import type { FormFields } from './form-fields.ts';

// Each console form is one action: the command it sends, when a page offers it, the fields
// it shows, and how the submitted form becomes the command's body. A page's actions are one
// table, keyed by the action's name (the kebab command name, which is also its route); the
// page filters the table and renders what is left (`offered`). The service decides; the
// console only offers.

/** What builds a command from a submitted form (all the console's routes need). */
export interface ActionSpec {
  command: DomainCommandType;
  build(form: FormFields, viewer: Viewer): Record<string, unknown>;
}

/** Where a page's actions are offered: the page, and the path its forms post under. */
export interface OnPage {
  page: Page;
  /** An action `name` posts to `${base}/${name}`. */
  base: string;
}

/** An action offered on a page whose context is `C` (and whose parts are `P`). */
export interface Action<C extends OnPage, P extends string = never> extends ActionSpec {
  /** Whether the page offers it now; the viewer's role must also be one `command` allows. */
  when(c: C): boolean;
  /** The form's fields; without, the form is its button (and intro). */
  fields?(c: C, scope: FormScope): Child;
  /** Text and hidden inputs above the fields. */
  intro?(c: C): Child;
  /** The form's id, which the page returns to; default: the action's name. */
  id?(c: C): string;
  /** The heading; default: the action's label. */
  title?(c: C): string;
  /** The button; default: the action's label. */
  submit?(c: C): string;
  secondary?: boolean;
  /** Folded away behind its label (rare or final steps). */
  folded?: boolean;
  /** The part of the page it belongs to, where a page has several. */
  place?: P;
  /** One form for each of these (each open objection, say); default: one form. */
  each?(c: C): readonly C[];
}

/** The forms of the actions of `table` the page offers now, in the table's order. */
export function offered<C extends OnPage, P extends string = never>(
  table: Readonly<Record<string, Action<C, P>>>,
  c: C,
  place?: P,
): Html[] {
  return Object.entries(table)
    .filter(([, a]) => a.place === place && may(c.page.viewer, a.command) && a.when(c))
    .flatMap(([name, a]) => (a.each?.(c) ?? [c]).map((one) => formOf(name, a, one)));
}

function formOf<C extends OnPage, P extends string>(
  name: string,
  action: Action<C, P>,
  c: C,
): Html {
  const { ctx, tr } = c.page;
  const id = action.id?.(c) ?? name;
  const label = actionLabel(tr, name);
  const form = actionForm(ctx, {
    id,
    action: `${c.base}/${name}`,
    title: action.folded ? undefined : (action.title?.(c) ?? label),
    submit: action.submit?.(c) ?? label,
    secondary: action.secondary,
    intro: action.intro?.(c),
    fields: action.fields?.(c, new FormScope(ctx, id)),
  });
  return action.folded ? h`<details><summary>${label}</summary>${form}</details>` : form;
}

/** A hidden input: what a form is about (an item, an objection). */
export function hidden(name: string, value: string | undefined): Html {
  return h`<input type="hidden" name="${name}" value="${value ?? ''}">`;
}

/** An action by its name, own names only: `constructor` or `__proto__` are not actions. */
export function actionSpec(
  actions: Readonly<Record<string, ActionSpec>>,
  name: string,
): ActionSpec | undefined {
  return Object.hasOwn(actions, name) ? actions[name] : undefined;
}
