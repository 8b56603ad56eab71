import type { CommunityView, StandingBodyView } from '@yishi/projection/contract';
import { h } from '../html.ts';
import type { FormScope } from '../views/forms.ts';
import { choiceGroup, selectField, textField } from '../views/forms.ts';
import type { Action, OnPage } from './action.ts';
import { type FormFields, FormInputError, newId } from './form-fields.ts';

// 常设议事机构 (居民议事会, 联席会议): established by the clerk on the community page, where its
// sessions are listed; the scheduler then convenes each meeting on the days it names.

export interface StandingBodyContext extends OnPage {
  community: CommunityView | undefined;
  /** The community's standing bodies (undefined: the read side did not answer). */
  bodies: readonly StandingBodyView[] | undefined;
}

const activeBodies = (c: StandingBodyContext) => (c.bodies ?? []).filter((b) => !b.dissolved);
/** A change or dissolution needs a body to name: offered when one is active (or unknown). */
const someActive = (c: StandingBodyContext) => c.bodies === undefined || activeBodies(c).length > 0;

const activeParties = (c: StandingBodyContext) =>
  (c.community?.parties ?? []).filter((p) => p.active).map((p) => [p.partyId, p.name] as const);

/** Days of the month typed as "4, 14, 24": whole numbers 1–28. */
function daysOf(text: string): number[] {
  const days = text.split(/[\s,，、;；]+/).filter(Boolean);
  if (days.length === 0 || days.some((d) => !/^\d{1,2}$/.test(d))) {
    throw new FormInputError('days', 'days of the month from 1 to 28, e.g. 4, 14, 24');
  }
  return days.map(Number);
}

/** The body's members, parties, venue and schedule: what establishing and changing it ask. */
function bodyFields(c: StandingBodyContext, s: FormScope, withKind: boolean) {
  const { tr } = c.page;
  return h`<div class="row">${textField(s, { name: 'name', label: tr.t('body.name'), required: true })}
        ${
          withKind
            ? selectField(s, { name: 'kind', label: tr.t('body.kind'), required: true }, [
                ['residents-council', tr.label('sessionKind', 'residents-council')],
                ['joint-session', tr.label('sessionKind', 'joint-session')],
              ])
            : undefined
        }</div>
        ${choiceGroup(s, { name: 'partyIds', legend: tr.t('body.parties'), multiple: true }, activeParties(c))}
        ${textField(s, { name: 'memberIds', label: tr.t('body.members') })}
        ${textField(s, { name: 'venue', label: tr.t('body.venue'), required: true })}
        ${selectField(s, { name: 'schedule', label: tr.t('body.schedule'), required: true }, [
          ['days-of-month', tr.t('body.schedule.days')],
          ['weekday-of-month', tr.t('body.schedule.weekday')],
        ])}
        <div class="row">${textField(s, { name: 'days', label: tr.t('body.days'), value: '4, 14, 24' })}
        ${selectField(
          s,
          { name: 'nth', label: tr.t('body.nth') },
          [1, 2, 3, 4].map((n) => [String(n), tr.t('body.nth.n', { n })] as const),
        )}
        ${selectField(
          s,
          { name: 'weekday', label: tr.t('body.weekday') },
          [1, 2, 3, 4, 5, 6, 7].map(
            (d) => [String(d), tr.lookup(`body.weekday.${d}`) ?? String(d)] as const,
          ),
        )}</div>
        ${textField(s, { name: 'time', label: tr.t('body.time'), required: true, value: '19:30', pattern: '[0-2][0-9]:[0-5][0-9]' })}`;
}

/** The submitted members, parties, venue and schedule. */
function bodyOf(f: FormFields) {
  return {
    name: f.text('name'),
    partyIds: f.all('partyIds'),
    memberIds: f.list('memberIds'),
    venue: f.text('venue'),
    schedule:
      f.text('schedule') === 'weekday-of-month'
        ? {
            kind: 'weekday-of-month',
            weekday: f.int('weekday'),
            nth: f.int('nth'),
            time: f.text('time'),
          }
        : { kind: 'days-of-month', days: daysOf(f.text('days')), time: f.text('time') },
  };
}

/**
 * The body a change or dissolution names: picked from the active ones, or typed by id when
 * the read side did not answer (the command service checks it either way).
 */
const bodyIdField = (c: StandingBodyContext, s: FormScope) =>
  c.bodies === undefined
    ? textField(s, { name: 'bodyId', label: c.page.tr.t('body.id'), required: true })
    : selectField(
        s,
        { name: 'bodyId', label: c.page.tr.t('body.pick'), required: true },
        activeBodies(c).map(
          (b) => [b.bodyId, `${b.name}${c.page.tr.open}${b.bodyId}${c.page.tr.close}`] as const,
        ),
      );

export const standingBodyActions = {
  'establish-standing-body': {
    command: 'EstablishStandingBody',
    when: () => true,
    folded: true,
    intro: (c) =>
      activeParties(c).length
        ? undefined
        : h`<p class="muted">${c.page.tr.t('body.noParties')}</p>`,
    fields: (c, s) => bodyFields(c, s, true),
    build: (f) => ({ bodyId: newId('b'), kind: f.text('kind'), ...bodyOf(f) }),
  },
  'change-standing-body': {
    command: 'ChangeStandingBody',
    when: someActive,
    folded: true,
    secondary: true,
    fields: (c, s) =>
      h`${bodyIdField(c, s)}${bodyFields(c, s, false)}${textField(s, { name: 'reason', label: c.page.tr.t('action.reason'), required: true })}`,
    build: (f) => ({ bodyId: f.text('bodyId'), ...bodyOf(f), reason: f.text('reason') }),
  },
  'dissolve-standing-body': {
    command: 'DissolveStandingBody',
    when: someActive,
    folded: true,
    secondary: true,
    fields: (c, s) =>
      h`${bodyIdField(c, s)}${textField(s, { name: 'reason', label: c.page.tr.t('action.reason'), required: true })}`,
    build: (f) => ({ bodyId: f.text('bodyId'), reason: f.text('reason') }),
  },
} satisfies Record<string, Action<StandingBodyContext>>;
