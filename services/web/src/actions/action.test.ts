import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api.ts';
import { h } from '../html.ts';
import { translator } from '../i18n.ts';
import type { Page } from '../pages/page.ts';
import type { Viewer } from '../viewer.ts';
import { textField } from '../views/forms.ts';
import { type Action, hidden, type OnPage, offered } from './action.ts';

// A page's actions are one table: the page filters it (the viewer's role, then `when`, then
// the part of the page) and renders what is left, one form each or one per subject.

function onPage(role: Viewer['role']): OnPage & { notes: string[] } {
  const tr = translator('zh');
  const capacity = {
    kind: 'clerk',
    role,
    communityId: 'c1',
    personId: 'k1',
    communities: ['c1'],
  } as const;
  const viewer: Viewer = {
    token: 't',
    personId: 'k1',
    role,
    communities: ['c1'],
    capacity,
    held: [capacity],
    sessionKey: 'k',
  };
  const page: Page = {
    ctx: { tr, viewer, here: '/c/c1/x', flash: undefined, formToken: 'F' },
    tr,
    api: new ApiClient({ commandUrl: 'http://c.invalid', projectionUrl: 'http://p.invalid' }, 't'),
    viewer,
    communityId: 'c1',
    at: undefined,
    param: () => '',
    query: () => undefined,
  };
  return { page, base: '/c/c1/proposals/p1', notes: ['甲', '乙'] };
}
type Context = ReturnType<typeof onPage> & { note?: string };

const table = {
  'give-notice': {
    command: 'GiveNotice',
    when: () => true,
    fields: (c, s) => textField(s, { name: 'text', label: c.page.tr.t('action.give-notice.text') }),
    build: (f) => ({ text: f.text('text') }),
  },
  'record-deliberation': {
    command: 'RecordDeliberation',
    when: () => false,
    build: () => ({}),
  },
  'answer-objection': {
    command: 'AnswerObjection',
    when: (c) => c.notes.length > 0,
    each: (c) => c.notes.map((note) => ({ ...c, note })),
    id: (c) => `answer-${c.note}`,
    intro: (c) => hidden('objectionId', c.note),
    build: () => ({}),
  },
  'withdraw-proposal': {
    command: 'WithdrawProposal',
    when: () => true,
    folded: true,
    build: () => ({}),
  },
  'draft-minutes': {
    command: 'DraftMinutes',
    place: 'minutes',
    when: () => true,
    build: () => ({}),
  },
} satisfies Record<string, Action<Context, 'minutes'>>;

const formsOf = (html: string) => [
  ...html.matchAll(/<form [^>]*id="([^"]+)" [^>]*action="([^"]+)"/g),
];

describe('a table of actions', () => {
  it('offers what the role may do and `when` allows, in the table’s order, posting to its route', () => {
    const forms = (role: Viewer['role']) =>
      formsOf(
        offered(table, onPage(role))
          .map((f) => f.html)
          .join(''),
      ).map((m) => [m[1], m[2]]);
    expect(forms('convener')).toEqual([
      ['give-notice', '/c/c1/proposals/p1/give-notice'],
      ['answer-甲', '/c/c1/proposals/p1/answer-objection'],
      ['answer-乙', '/c/c1/proposals/p1/answer-objection'],
      ['withdraw-proposal', '/c/c1/proposals/p1/withdraw-proposal'],
    ]);
    // The catalogue's roles: a resident may only withdraw here, an official nothing.
    expect(forms('resident').map(([id]) => id)).toEqual(['withdraw-proposal']);
    expect(h`${offered(table, onPage('official'))}`.html).toBe('');
  });

  it('labels forms by the action, folds what asks to be, one form per subject, by part of the page', () => {
    const clerk = onPage('clerk');
    const html = offered(table, clerk)
      .map((f) => f.html)
      .join('');
    expect(html).toContain('<h3 id="give-notice-title">发布公告</h3>');
    expect(html).toContain(hidden('objectionId', '乙').html);
    expect(
      formsOf(
        offered(table, { ...clerk, notes: [] })
          .map((f) => f.html)
          .join(''),
      ).map((m) => m[1]),
    ).toEqual(['give-notice']);
    const resident = offered(table, onPage('resident'))
      .map((f) => f.html)
      .join('');
    // Folded: behind its label, without a heading of its own.
    expect(resident).toContain('<details><summary>撤回议题</summary><form');
    expect(resident).not.toContain('withdraw-proposal-title');
    const minutes = offered(table, clerk, 'minutes')
      .map((f) => f.html)
      .join('');
    expect(formsOf(minutes).map((m) => m[1])).toEqual(['draft-minutes']);
  });
});
