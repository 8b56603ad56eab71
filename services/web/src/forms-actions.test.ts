import { commandCatalog } from '@yishi/domain';
import { describe, expect, it } from 'vitest';
import { meetingListActions, meetingRequestActions } from './actions/convocation.ts';
import { FormFields, FormInputError } from './actions/form-fields.ts';
import {
  campaignActions,
  campaignOpenActions,
  fundActions,
  fundListActions,
} from './actions/money.ts';
import { discussionActions } from './actions/participation.ts';
import { proposalActions } from './actions/proposal.ts';
import { standingBodyActions } from './actions/standing-body.ts';
import { translator } from './i18n.ts';

// The forms of money, residents' meeting requests, standing bodies and moderation: each is
// labelled in both languages, posts to its command's route, and reads 元 into exact fen.

const tables = {
  ...fundListActions,
  ...fundActions,
  ...campaignOpenActions,
  ...campaignActions,
  ...meetingListActions,
  ...meetingRequestActions,
  ...standingBodyActions,
  ...discussionActions,
  'amend-proposal': proposalActions['amend-proposal'],
  'correct-paper-ballot': proposalActions['correct-paper-ballot'],
};
const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
const form = (values: Record<string, string>) => new FormFields(values);

describe('the money, meeting and moderation forms', () => {
  it('label every action in both languages and name the command of its route', () => {
    for (const [action, spec] of Object.entries(tables)) {
      expect(translator('zh').lookup(`action.${action}`), action).toBeTruthy();
      expect(translator('en').lookup(`action.${action}`), action).toBeTruthy();
      expect(kebab(spec.command), action).toBe(action);
      expect(commandCatalog[spec.command]).toBeDefined();
    }
  });

  it('post a balanced entry in integer fen read from the 元 typed', () => {
    const entry = fundActions['post-fund-entry'].build(
      form({
        debit: 'spending:repairs',
        credit: 'bank',
        amount: '¥1,234.29',
        memo: '屋面',
        documentRef: '发票 1',
        authorisedBy: 'roof/i1',
      }),
    );
    expect(entry.lines).toEqual([
      { account: 'spending:repairs', side: 'debit', amountFen: 123_429 },
      { account: 'bank', side: 'credit', amountFen: 123_429 },
    ]);
    expect(entry.authorisedBy).toEqual({ proposalId: 'roof', itemId: 'i1' });
  });

  it('name the amount field when it is not 元 with at most two decimals', () => {
    for (const amount of ['12.345', 'abc', '', '-3', '0']) {
      const attempt = () => campaignActions['pledge-to-crowdfunding'].build(form({ amount }));
      expect(attempt, amount).toThrow(FormInputError);
      try {
        attempt();
      } catch (error) {
        expect((error as FormInputError).field).toBe('amount');
      }
    }
    expect(
      campaignActions['pledge-to-crowdfunding'].build(form({ amount: '0.29' })).amountFen,
    ).toBe(29);
  });

  it('sends a resident’s proposed title (the field is newTitle, not the heading’s title)', () => {
    const body = discussionActions['propose-amendment'].build(
      form({ newTitle: '改为加装两部电梯', reason: '住户多' }),
    );
    expect(body).toEqual({ title: '改为加装两部电梯', reason: '住户多' });
  });

  it('build a standing body’s schedule by days of the month or by a weekday', () => {
    const base = { name: '居民议事会', kind: 'residents-council', venue: '活动室', time: '19:30' };
    const build = (values: Record<string, string>) =>
      standingBodyActions['establish-standing-body'].build(
        new FormFields({ ...base, partyIds: ['jwh', 'wy'], memberIds: 'm1, m2', ...values }),
      );
    expect(build({ schedule: 'days-of-month', days: '4, 14、24' })).toMatchObject({
      partyIds: ['jwh', 'wy'],
      memberIds: ['m1', 'm2'],
      schedule: { kind: 'days-of-month', days: [4, 14, 24], time: '19:30' },
    });
    expect(build({ schedule: 'weekday-of-month', weekday: '1', nth: '1' }).schedule).toEqual({
      kind: 'weekday-of-month',
      weekday: 1,
      nth: 1,
      time: '19:30',
    });
    expect(() => build({ schedule: 'days-of-month', days: '每月四号' })).toThrow(FormInputError);
  });

  it('build a standing body’s change (no kind, with a reason) and its dissolution', () => {
    const changed = standingBodyActions['change-standing-body'].build(
      new FormFields({
        bodyId: 'b1',
        name: '居民议事会（第二届）',
        partyIds: ['jwh'],
        memberIds: 'm1 m3',
        venue: '活动中心',
        schedule: 'days-of-month',
        days: '10',
        time: '19:00',
        reason: '换届',
      }),
    );
    expect(changed).toEqual({
      bodyId: 'b1',
      name: '居民议事会（第二届）',
      partyIds: ['jwh'],
      memberIds: ['m1', 'm3'],
      venue: '活动中心',
      schedule: { kind: 'days-of-month', days: [10], time: '19:00' },
      reason: '换届',
    });
    expect(
      standingBodyActions['dissolve-standing-body'].build(
        new FormFields({ bodyId: 'b1', reason: '并入联席会议' }),
      ),
    ).toEqual({ bodyId: 'b1', reason: '并入联席会议' });
  });
});
