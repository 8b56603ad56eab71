import { commandCatalog, type DomainCommandType } from '@yishi/domain';
import { describe, expect, it } from 'vitest';
import { createActions } from './actions/create.ts';
import { choicesOf, FormFields, FormInputError, optionsOf, ruleOf } from './actions/form-fields.ts';
import { proposalActions } from './actions/proposal.ts';
import { sessionActions } from './actions/session.ts';
import { labelGroups, messageKeys, translator } from './i18n.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the dictionary', () => {
  it('has every string in Chinese and English, with the same placeholders', () => {
    const zh = translator('zh');
    const en = translator('en');
    // Both languages exist by construction (a tuple per key); each must be non-empty and
    // fill the same placeholders.
    expect(messageKeys.length).toBeGreaterThan(300);
    for (const key of messageKeys) {
      const a = zh.lookup(key)!;
      const b = en.lookup(key)!;
      expect(a.length, key).toBeGreaterThan(0);
      expect(b.length, key).toBeGreaterThan(0);
      expect(placeholders(a), key).toEqual(placeholders(b));
    }
    for (const [group, labels] of Object.entries(labelGroups)) {
      for (const [value, [a, b]] of Object.entries(labels)) {
        expect(a.length, `${group}.${value}`).toBeGreaterThan(0);
        expect(b.length, `${group}.${value}`).toBeGreaterThan(0);
      }
    }
  });

  it('labels every action the console offers, in both languages', () => {
    const zh = translator('zh');
    const en = translator('en');
    for (const action of [
      ...Object.keys(proposalActions),
      ...Object.keys(sessionActions),
      ...Object.keys(createActions),
    ]) {
      expect(zh.lookup(`action.${action}`), action).toBeTruthy();
      expect(en.lookup(`action.${action}`), action).toBeTruthy();
    }
  });
});

const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

describe('forms to commands', () => {
  it('posts each proposal and session action to the route of its command', () => {
    for (const [action, spec] of [
      ...Object.entries(proposalActions),
      ...Object.entries(sessionActions),
    ]) {
      expect(kebab(spec.command), action).toBe(action);
      expect(commandCatalog[spec.command as DomainCommandType]).toBeDefined();
    }
  });

  it('closes a meeting vote at the meeting’s end only when the clerk says so (#20.4)', () => {
    const close = proposalActions['close-voting'];
    expect(close.build(new FormFields({ meetingEnded: 'on' }))).toEqual({ meetingEnded: true });
    expect(close.build(new FormFields({}))).toEqual({});
  });

  it('reads ballots: motions by choice, plans by preference', () => {
    const form = new FormFields({
      'choice.i1': 'no',
      'rank.i2.2': 'A',
      'rank.i2.1': 'C',
      'rank.i2.3': 'C',
      'rank.i3.1': '',
    });
    expect(choicesOf(form)).toEqual([
      { itemId: 'i1', choice: 'no' },
      { itemId: 'i2', ranking: ['C', 'A'] },
      { itemId: 'i3', ranking: [] },
    ]);
    expect(() => choicesOf(new FormFields({}))).toThrow(FormInputError);
  });

  it('builds vote rules and plans from the form', () => {
    // The community's settings decide deemed consent and parking: a form field cannot (#20.1).
    expect(ruleOf(new FormFields({ rule: 'owners-278', deemedConsent: 'on' }))).toEqual({
      kind: 'owners-278',
    });
    expect(
      ruleOf(new FormFields({ rule: 'residents-meeting', form: 'household-representatives' })),
    ).toEqual({
      kind: 'residents-meeting',
      form: 'household-representatives',
    });
    expect(
      ruleOf(new FormFields({ rule: 'art279-consent', unitId: 'u1', applicants: 'o1，o2 o3' })),
    ).toEqual({
      kind: 'art279-consent',
      unitId: 'u1',
      applicantOwnerIds: ['o1', 'o2', 'o3'],
    });
    expect(optionsOf('方案一\n\n 方案二 \r\n方案三')).toEqual([
      { optionId: 'A', title: '方案一' },
      { optionId: 'B', title: '方案二' },
      { optionId: 'C', title: '方案三' },
    ]);
  });

  it('turns a China-time date and time into an instant, and refuses a malformed one', () => {
    const form = new FormFields({ closesAt: '2026-04-01T20:00', bad: '1 April' });
    expect(form.time('closesAt')).toBe('2026-04-01T12:00:00.000Z');
    expect(() => form.time('bad')).toThrow(FormInputError);
    expect(form.time('missing', false)).toBeUndefined();
  });
});
