import { randomUUID } from 'node:crypto';
import { type Child, type Html, h } from '../html.ts';
import type { PageContext } from './layout.ts';

// Form building blocks. Every control has a visible label tied to it; hints and errors are
// tied with aria-describedby; a refused form comes back with the values the user typed.

export interface FormSpec {
  /** Unique on the page; also the anchor the page returns to. */
  id: string;
  /** Where the form posts (a console route, never a service). */
  action: string;
  title?: string;
  submit: string;
  /** Secondary look for less prominent actions. */
  secondary?: boolean;
  /** Field markup, built with the helpers below. */
  fields?: Child;
  /** A short text shown above the fields. */
  intro?: Child;
}

/** A form bound to a page: reads the values and errors of a refused submission. */
export class FormScope {
  constructor(
    readonly ctx: PageContext,
    readonly id: string,
  ) {}

  private get refused() {
    const f = this.ctx.flash;
    return f?.kind === 'failed' && f.formId === this.id ? f : undefined;
  }

  fieldId(name: string): string {
    return `${this.id}-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  }

  /** The value typed before a refusal, else the default. */
  value(name: string, fallback = ''): string {
    const v = this.refused?.values?.[name];
    if (v === undefined) return fallback;
    return Array.isArray(v) ? (v[0] ?? '') : v;
  }

  values(name: string, fallback: readonly string[] = []): readonly string[] {
    const v = this.refused?.values?.[name];
    if (v === undefined) return fallback;
    return Array.isArray(v) ? v : [v];
  }

  /** The service's message about this field, if it named it. */
  error(name: string): string | undefined {
    const errors = this.refused?.problem?.errors ?? [];
    const base = name.split('.')[0];
    const found = errors.find((e) => {
      const path = e.field.split('.').slice(1);
      return path.join('.') === name || path[0] === base;
    });
    return found?.message;
  }
}

export interface FieldSpec {
  name: string;
  label: string;
  hint?: string;
  required?: boolean;
  value?: string;
  type?: 'text' | 'number' | 'datetime-local' | 'date';
  multiline?: boolean;
  min?: number;
  max?: number;
  pattern?: string;
  inputmode?: 'numeric' | 'decimal' | 'text';
  autocomplete?: string;
}

function describedBy(ids: (string | undefined)[]): Html | undefined {
  const list = ids.filter(Boolean).join(' ');
  return list ? h` aria-describedby="${list}"` : undefined;
}

function labelText(scope: FormScope, label: string, required: boolean | undefined): Html {
  const { tr } = scope.ctx;
  return h`${label}${required ? h` <span class="muted">${tr.t('form.required')}</span>` : undefined}`;
}

export function textField(scope: FormScope, spec: FieldSpec): Html {
  const id = scope.fieldId(spec.name);
  const error = scope.error(spec.name);
  const hintId = spec.hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const value = scope.value(spec.name, spec.value ?? '');
  const common = h`id="${id}" name="${spec.name}"${spec.required ? h` required` : undefined}${
    error ? h` aria-invalid="true"` : undefined
  }${describedBy([hintId, errorId])}${spec.autocomplete ? h` autocomplete="${spec.autocomplete}"` : undefined}`;
  const control = spec.multiline
    ? h`<textarea ${common} rows="4">${value}</textarea>`
    : h`<input ${common} type="${spec.type ?? 'text'}" value="${value}"${
        spec.min !== undefined ? h` min="${spec.min}"` : undefined
      }${spec.max !== undefined ? h` max="${spec.max}"` : undefined}${
        spec.pattern ? h` pattern="${spec.pattern}"` : undefined
      }${spec.inputmode ? h` inputmode="${spec.inputmode}"` : undefined}>`;
  return h`<div class="field">
  <label for="${id}">${labelText(scope, spec.label, spec.required)}</label>
  ${spec.hint ? h`<span class="hint" id="${hintId}">${spec.hint}</span>` : undefined}
  ${error ? h`<span class="error" id="${errorId}">${error}</span>` : undefined}
  ${control}
</div>`;
}

export function selectField(
  scope: FormScope,
  spec: { name: string; label: string; hint?: string; required?: boolean; value?: string },
  options: readonly (readonly [value: string, label: string])[],
): Html {
  const id = scope.fieldId(spec.name);
  const error = scope.error(spec.name);
  const hintId = spec.hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const selected = scope.value(spec.name, spec.value ?? '');
  return h`<div class="field">
  <label for="${id}">${labelText(scope, spec.label, spec.required)}</label>
  ${spec.hint ? h`<span class="hint" id="${hintId}">${spec.hint}</span>` : undefined}
  ${error ? h`<span class="error" id="${errorId}">${error}</span>` : undefined}
  <select id="${id}" name="${spec.name}"${spec.required ? h` required` : undefined}${
    error ? h` aria-invalid="true"` : undefined
  }${describedBy([hintId, errorId])}>
  ${options.map(
    ([value, label]) =>
      h`<option value="${value}"${value === selected ? h` selected` : undefined}>${label}</option>`,
  )}
  </select>
</div>`;
}

/** Radio buttons (one choice) or checkboxes (several) in a fieldset with a legend. */
export function choiceGroup(
  scope: FormScope,
  spec: {
    name: string;
    legend: string;
    multiple?: boolean;
    required?: boolean;
    value?: string | readonly string[];
    hint?: string;
  },
  options: readonly (readonly [value: string, label: string])[],
): Html {
  const base = scope.fieldId(spec.name);
  const error = scope.error(spec.name);
  const fallback =
    spec.value === undefined ? [] : typeof spec.value === 'string' ? [spec.value] : spec.value;
  const chosen = new Set(scope.values(spec.name, fallback));
  const hintId = spec.hint ? `${base}-hint` : undefined;
  const errorId = error ? `${base}-error` : undefined;
  return h`<fieldset class="choices field"${describedBy([hintId, errorId])}>
  <legend>${labelText(scope, spec.legend, spec.required)}</legend>
  ${spec.hint ? h`<span class="hint" id="${hintId}">${spec.hint}</span>` : undefined}
  ${error ? h`<span class="error" id="${errorId}">${error}</span>` : undefined}
  ${options.map(([value, label], i) => {
    const id = `${base}-${i}`;
    return h`<div class="choice"><input type="${spec.multiple ? 'checkbox' : 'radio'}" id="${id}" name="${spec.name}" value="${value}"${
      chosen.has(value) ? h` checked` : undefined
    }${spec.required && !spec.multiple ? h` required` : undefined}><label for="${id}">${label}</label></div>`;
  })}
</fieldset>`;
}

export function checkbox(
  scope: FormScope,
  spec: { name: string; label: string; checked?: boolean },
): Html {
  const id = scope.fieldId(spec.name);
  const refusedValue = scope.value(spec.name, '');
  const checked = refusedValue ? refusedValue === 'on' : spec.checked;
  return h`<div class="choice field"><input type="checkbox" id="${id}" name="${spec.name}" value="on"${
    checked ? h` checked` : undefined
  }><label for="${id}">${spec.label}</label></div>`;
}

/** The form's anti-forgery token, bound to the session: every form that posts carries it. */
export function tokenField(ctx: PageContext): Html {
  return h`<input type="hidden" name="_csrf" value="${ctx.formToken}">`;
}

/** A form that posts to the console, with an idempotency key and the page to return to. */
export function actionForm(ctx: PageContext, spec: FormSpec): Html {
  const refused = ctx.flash?.kind === 'failed' && ctx.flash.formId === spec.id;
  const headingId = `${spec.id}-title`;
  return h`<form class="action" id="${spec.id}" method="post" action="${spec.action}"${
    spec.title ? h` aria-labelledby="${headingId}"` : undefined
  }>
  ${spec.title ? h`<h3 id="${headingId}">${spec.title}</h3>` : undefined}
  ${refused ? h`<p class="error">${ctx.tr.t('form.errors')} <a href="#flash-error">↑</a></p>` : undefined}
  ${spec.intro}
  ${tokenField(ctx)}
  <input type="hidden" name="_key" value="${randomUUID()}">
  <input type="hidden" name="_form" value="${spec.id}">
  <input type="hidden" name="_back" value="${ctx.here}">
  ${spec.fields}
  <div class="actions"><button type="submit"${spec.secondary ? h` class="secondary"` : undefined}>${spec.submit}</button></div>
</form>`;
}
