import { randomBytes } from 'node:crypto';
import { fenFromYuan } from '@yishi/presentation';
import { localInputToIso } from '../format.ts';

// Reading a submitted form: typed access to its fields, and the shapes several commands share
// (ballot choices, vote rules, plans). The service validates the body and decides; these only
// shape what the user entered and refuse input that cannot be shaped.

/** A form field the builder could not read: answered like a service's validation error. */
export class FormInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export type FormValues = Record<string, string | string[]>;

/** Typed access to submitted form fields. */
export class FormFields {
  constructor(readonly values: FormValues) {}

  text(name: string): string {
    const v = this.values[name];
    return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
  }

  /** The trimmed value, or undefined when empty. */
  opt(name: string): string | undefined {
    return this.text(name) || undefined;
  }

  all(name: string): string[] {
    const v = this.values[name];
    const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
    return list.map((x) => x.trim()).filter(Boolean);
  }

  bool(name: string): boolean {
    return this.text(name) === 'on';
  }

  int(name: string, required = true): number | undefined {
    const text = this.text(name);
    if (!text) {
      if (required) throw new FormInputError(name, 'required');
      return undefined;
    }
    if (!/^-?\d+$/.test(text)) throw new FormInputError(name, 'a whole number');
    return Number(text);
  }

  /** An amount typed in 元 as integer fen, read from its digits (never through a float). */
  fen(name: string): number {
    const fen = fenFromYuan(this.text(name));
    if (fen === undefined) {
      throw new FormInputError(name, 'an amount in yuan with at most two decimals, e.g. 12.50');
    }
    return fen;
  }

  /** Ids separated by commas, spaces or 、 */
  list(name: string): string[] {
    return this.text(name)
      .split(/[\s,，、;；]+/)
      .map((x) => x.trim())
      .filter(Boolean);
  }

  time(name: string, required = true): string | undefined {
    const text = this.text(name);
    const iso = localInputToIso(text);
    if (!iso && (required || text)) throw new FormInputError(name, 'a date and time');
    return iso;
  }

  /** Field names starting with `prefix`, with the rest of the name. */
  prefixed(prefix: string): [rest: string, value: string][] {
    return Object.keys(this.values)
      .filter((k) => k.startsWith(prefix))
      .map((k) => [k.slice(prefix.length), this.text(k)] as [string, string]);
  }
}

/** `{ a: undefined }` → `{}`: optional fields the user left empty are not sent. */
export function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

/** A short readable id, e.g. `p-260317-k3x9`, when the user does not choose one. */
export function newId(prefix: string, now = new Date()): string {
  const date = now.toISOString().slice(2, 10).replaceAll('-', '');
  return `${prefix}-${date}-${randomBytes(3).toString('hex')}`;
}

/**
 * The choices of a ballot form: `choice.<itemId>` radios for motions (yes/no/abstain) and
 * `rank.<itemId>.<n>` for plans (the n-th preference; one for plurality).
 */
export function choicesOf(form: FormFields): Record<string, unknown>[] {
  const choices: Record<string, unknown>[] = [];
  for (const [itemId, choice] of form.prefixed('choice.')) {
    if (choice) choices.push({ itemId, choice });
  }
  const rankings = new Map<string, [number, string][]>();
  for (const [rest, optionId] of form.prefixed('rank.')) {
    const dot = rest.lastIndexOf('.');
    const itemId = rest.slice(0, dot);
    const n = Number(rest.slice(dot + 1));
    if (!itemId || !Number.isInteger(n)) continue;
    const list = rankings.get(itemId) ?? [];
    if (optionId) list.push([n, optionId]);
    rankings.set(itemId, list);
  }
  for (const [itemId, list] of rankings) {
    const ranking: string[] = [];
    for (const [, optionId] of list.sort((a, b) => a[0] - b[0])) {
      if (!ranking.includes(optionId)) ranking.push(optionId);
    }
    choices.push({ itemId, ranking });
  }
  if (choices.length === 0) throw new FormInputError('choices', 'choose on at least one item');
  return choices;
}

/** The vote rule from the open-voting form. */
export function ruleOf(form: FormFields): Record<string, unknown> {
  const kind = form.text('rule');
  switch (kind) {
    case 'owners-278':
      // Deemed consent and parking spaces are the community's settings, not the form's.
      return { kind };
    case 'residents-meeting':
      return { kind, form: form.text('form') || 'all-adults' };
    case 'villagers-meeting':
    case 'villagers-representatives-meeting':
      return { kind };
    case 'villager-group-meeting':
      return { kind, groupId: form.text('groupId') };
    case 'party-members-meeting':
      // The thresholds are the community's settings.
      return { kind, partyId: form.text('partyId') };
    case 'art279-consent':
      return { kind, unitId: form.text('unitId'), applicantOwnerIds: form.list('applicants') };
    default:
      throw new FormInputError('rule', 'choose a rule');
  }
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Plans typed one per line become options A, B, C… */
export function optionsOf(lines: string): { optionId: string; title: string }[] {
  return lines
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, LETTERS.length)
    .map((title, i) => ({ optionId: LETTERS[i]!, title }));
}
