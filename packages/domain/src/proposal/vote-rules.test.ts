import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MORE_THAN_HALF, TWO_THIRDS } from '../rules/ratio.ts';
import type { Threshold } from '../rules/types.ts';
import {
  clerk,
  convener,
  fourOwners,
  fundItem,
  owner,
  ownerVoter,
  p,
  personVoter,
  plansItem,
  representative,
  resident,
  ruralRules,
  submit,
  urbanRules,
} from '../testing/fixtures.ts';
import { day, history, specFor } from '../testing/spec.ts';
import type { AdoptedRules, ProposalItem, VoteRuleRequest, Voter } from '../vote/schemas.ts';
import {
  type ProposalCommand,
  type ProposalEvent,
  proposalDecider,
  proposalEventSchemas,
  verifyDecisions,
} from './proposal.ts';

// Issue #20: nothing bends a decision. The rule of a vote comes from the community's adopted
// settings and the procedure; meeting rules from the law of the community's kind; a plan choice
// is still the body's decision; an amendment after notice needs a new notice.

const spec = specFor(proposalDecider, proposalEventSchemas);
const run = (commands: ProposalCommand[], from: ProposalEvent[] = []) =>
  history(proposalDecider, commands, from);
const decisionOf = (events: readonly ProposalEvent[]) =>
  events.findLast((e) => e.type === 'ProposalDecided')?.data as
    | Extract<ProposalEvent, { type: 'ProposalDecided' }>['data']
    | undefined;

const noticed = (items: ProposalItem[] = [fundItem]) =>
  run([
    submit('owners-joint-decision', { items }),
    p('GiveNotice', { text: '业主大会表决公告' }, convener, day(1)),
  ]);
const openOwners = (rule: VoteRuleRequest, rules: AdoptedRules, electorate: Voter[] = fourOwners) =>
  p(
    'OpenVoting',
    { rule, communityRules: rules, closesAt: day(30), electorate },
    convener,
    day(16),
  );

describe('a vote’s rule comes from the community’s adopted settings (#20.1)', () => {
  it('refuses deemed consent the community did not adopt, naming the setting', () => {
    spec
      .given(noticed())
      .when(openOwners({ kind: 'owners-278', deemedConsent: true }, urbanRules))
      .thenRefused('rule-not-adopted', {
        setting: 'deemedConsent',
        adopted: false,
        requested: true,
      });
  });
  it('refuses counting parking spaces the community did not adopt', () => {
    spec
      .given(noticed())
      .when(openOwners({ kind: 'owners-278', countParking: true }, urbanRules))
      .thenRefused('rule-not-adopted', { setting: 'countParking', adopted: false });
  });
  it('refuses switching off a setting the community adopted', () => {
    const adopted = {
      ...urbanRules,
      deemedConsent: true,
      deemedConsentStatuteRef: '管理规约第 26 条',
    };
    spec
      .given(noticed())
      .when(openOwners({ kind: 'owners-278', deemedConsent: false }, adopted))
      .thenRefused('rule-not-adopted', { setting: 'deemedConsent', adopted: true });
  });
  it('freezes the adopted settings, with the statute reference, when the request names none', () => {
    const adopted = {
      ...urbanRules,
      deemedConsent: true,
      deemedConsentStatuteRef: '管理规约第 26 条',
    };
    spec
      .given(noticed())
      .when(openOwners({ kind: 'owners-278' }, adopted))
      .then((events) =>
        expect(events[0]?.data).toMatchObject({
          rule: {
            kind: 'owners-278',
            deemedConsent: true,
            countParking: false,
            deemedConsentStatuteRef: '管理规约第 26 条',
          },
        }),
      );
  });
  it('one yes of three owners is not adopted: the caller cannot switch deemed consent on', () => {
    const three = fourOwners.slice(0, 3);
    const opened = run([openOwners({ kind: 'owners-278' }, urbanRules, three)], noticed());
    const closed = run(
      [
        p('CastBallot', { choices: [{ itemId: 'fund', choice: 'yes' }] }, owner('a'), day(20)),
        p('CloseVoting', {}, convener, day(30)),
      ],
      opened,
    );
    expect(decisionOf(closed)?.outcome).toBe('rejected');
  });
  it('party members’ thresholds are the community’s: a request for a lower quorum is refused', () => {
    const branch = representative('li', 'dzb');
    const deliberated = run([
      submit(
        'four-deliberations',
        { onBehalfOf: { partyId: 'dzb', partyKind: 'party-organisation' } },
        branch,
      ),
      p('RecordDeliberation', { summary: '两委会商议' }, clerk, day(1)),
    ]);
    const open = (rule: VoteRuleRequest) =>
      p(
        'OpenVoting',
        {
          rule,
          communityRules: ruralRules,
          closesAt: day(3),
          electorate: ['m1', 'm2', 'm3'].map((id) => personVoter(id)),
        },
        convener,
        day(2),
      );
    const low: Threshold = { numerator: 1, denominator: 100, inclusive: true };
    spec
      .given(deliberated)
      .when(open({ kind: 'party-members-meeting', partyId: 'dzb', quorum: low }))
      .thenRefused('rule-not-adopted', { setting: 'partyMembersMeeting.quorum' });
    spec
      .given(deliberated)
      .when(open({ kind: 'party-members-meeting', partyId: 'dzb' }))
      .then((events) =>
        expect(events[0]?.data).toMatchObject({
          rule: { quorum: TWO_THIRDS, approval: MORE_THAN_HALF },
        }),
      );
  });
  it('property: over settings x requests, a vote opens only with the adopted settings', () => {
    const setting = fc.constantFrom<boolean | undefined>(true, false, undefined);
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        setting,
        setting,
        (deemedConsent, countParking, wantDeemed, wantParking) => {
          const adopted: AdoptedRules = {
            ...urbanRules,
            deemedConsent,
            countParking,
            ...(deemedConsent ? { deemedConsentStatuteRef: '管理规约第 26 条' } : {}),
          };
          const rule: VoteRuleRequest = {
            kind: 'owners-278',
            ...(wantDeemed === undefined ? {} : { deemedConsent: wantDeemed }),
            ...(wantParking === undefined ? {} : { countParking: wantParking }),
          };
          const result = proposalDecider.decide(
            openOwners(rule, adopted),
            noticed().reduce(proposalDecider.evolve, proposalDecider.initialState()),
          );
          const consistent =
            (wantDeemed === undefined || wantDeemed === deemedConsent) &&
            (wantParking === undefined || wantParking === countParking);
          if (!consistent) {
            expect(result).toMatchObject({ code: 'rule-not-adopted' });
            return;
          }
          expect(Array.isArray(result)).toBe(true);
          const opened = (result as ProposalEvent[])[0];
          expect(opened?.type).toBe('VotingOpened');
          expect(opened?.data).toMatchObject({
            rule: { kind: 'owners-278', deemedConsent, countParking },
          });
        },
      ),
    );
  });
});

/** Community consultation up to its decision stage, with `rules` as the community's. */
function consultationAt(items: ProposalItem[] = [fundItem]) {
  return run([
    submit('community-consultation', { items }, resident('wang')),
    p('AcceptOntoAgenda', { concernedPartyIds: [] }, convener, day(1)),
    p('GiveNotice', { text: '居民会议通知' }, convener, day(1)),
    p('RecordDeliberation', { summary: '协商' }, clerk, day(2)),
  ]);
}
const openMeeting = (
  rule: VoteRuleRequest,
  rules: AdoptedRules,
  electorate: Voter[],
  extra: Record<string, unknown> = {},
) =>
  p(
    'OpenVoting',
    { rule, communityRules: rules, closesAt: day(3), electorate, ...extra },
    convener,
    day(2, 1),
  );

describe('meeting rules follow the law of the community’s kind (#20.4)', () => {
  const adults = ['r1', 'r2', 'r3'].map((id) => personVoter(id, `h-${id}`));
  it('refuses a residents’ meeting in a village and a villagers’ meeting in a city', () => {
    spec
      .given(consultationAt())
      .when(openMeeting({ kind: 'residents-meeting', form: 'all-adults' }, ruralRules, adults))
      .thenRefused('rule-not-applicable', { rule: 'residents-meeting', communityKind: 'rural' });
    spec
      .given(consultationAt())
      .when(openMeeting({ kind: 'villagers-meeting' }, urbanRules, adults))
      .thenRefused('rule-not-applicable', { rule: 'villagers-meeting', communityKind: 'urban' });
    spec
      .given(consultationAt())
      .when(openMeeting({ kind: 'villagers-meeting' }, ruralRules, adults))
      .then((events) => expect(events[0]?.type).toBe('VotingOpened'));
  });
  it('an owners’ vote is not tied to the kind of community', () => {
    spec
      .given(noticed())
      .when(openOwners({ kind: 'owners-278' }, ruralRules))
      .then((events) => expect(events[0]?.type).toBe('VotingOpened'));
  });
});

describe('a meeting vote closes when the meeting ends (#20.4)', () => {
  const members = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'].map((id) => personVoter(id));
  const meeting = run(
    [
      openMeeting({ kind: 'residents-meeting', form: 'all-adults' }, urbanRules, members),
      p('RecordPresence', { voterIds: ['m1', 'm2', 'm3', 'm4', 'm5'] }, clerk, day(2, 2)),
      ...['m1', 'm2', 'm3'].map((v) =>
        p('CastBallot', { choices: [{ itemId: 'fund', choice: 'yes' }] }, resident(v), day(2, 3)),
      ),
    ],
    consultationAt(),
  );
  it('refuses an early close without the meeting’s end, as before', () => {
    spec
      .given(meeting)
      .when(p('CloseVoting', {}, convener, day(2, 4)))
      .thenRefused('voting-still-open');
  });
  it('the convener or the clerk closes at the meeting’s end; present non-voters count against', () => {
    for (const actor of [convener, clerk]) {
      const events = spec
        .given(meeting)
        .when(p('CloseVoting', { meetingEnded: true }, actor, day(2, 4)))
        .then((e) =>
          expect(e[0]?.data).toMatchObject({ early: true, meetingEnded: true, by: actor }),
        );
      // 5 of 6 present; 3 yes of 5 present is more than half: adopted.
      expect(decisionOf(events)).toMatchObject({
        outcome: 'adopted',
        items: [{ result: { figures: { present: 5, yes: 3, notVoting: 2 } } }],
      });
    }
  });
  it('only a meeting vote ends with the meeting', () => {
    const owners = run([openOwners({ kind: 'owners-278' }, urbanRules)], noticed());
    spec
      .given(owners)
      .when(p('CloseVoting', { meetingEnded: true }, convener, day(20)))
      .thenRefused('invalid-command');
  });
});

describe('the villager group meeting has a built-in procedure (Art. 28, #20.4)', () => {
  it('submits, gives notice, votes by the group rule and publishes', () => {
    const villagers = [personVoter('v1', 'h1'), personVoter('v2', 'h1'), personVoter('v3', 'h2')];
    const events = run([
      submit('villager-group-decision', {}, resident('v1')),
      p('GiveNotice', { text: '村民小组会议通知' }, convener, day(1)),
      p(
        'OpenVoting',
        {
          rule: { kind: 'villager-group-meeting', groupId: 'g1' },
          communityRules: ruralRules,
          closesAt: day(3),
          electorate: villagers,
        },
        convener,
        day(1, 1),
      ),
      ...['v1', 'v2'].map((v) =>
        p('CastBallot', { choices: [{ itemId: 'main', choice: 'yes' }] }, resident(v), day(1, 2)),
      ),
      p('CloseVoting', { meetingEnded: true }, clerk, day(1, 3)),
      p('Publish', { text: '决定公布' }, clerk, day(2)),
    ]);
    // 2 of 3 adults present is two thirds (以上 includes it); 2 yes of 2 present.
    expect(decisionOf(events)).toMatchObject({ stageId: 'group-decision', outcome: 'adopted' });
    expect(events.at(-1)?.type).toBe('ProposalPublished');
  });
});

describe('a plan choice is still the body’s decision (#20.4)', () => {
  const ten = Array.from({ length: 10 }, (_, i) => personVoter(`r${i}`));
  const plans = (ballots: [string, string][], present: string[] = []) =>
    run(
      [
        openMeeting({ kind: 'residents-meeting', form: 'all-adults' }, urbanRules, ten, {
          planMethod: 'plurality',
        }),
        ...(present.length ? [p('RecordPresence', { voterIds: present }, clerk, day(2, 2))] : []),
        ...ballots.map(([v, plan]) =>
          p(
            'CastBallot',
            { choices: [{ itemId: 'plan', ranking: [plan] }] },
            resident(v),
            day(2, 3),
          ),
        ),
        p('CloseVoting', { meetingEnded: true }, convener, day(2, 4)),
      ],
      consultationAt([plansItem]),
    );
  it('one ballot of ten adults chooses nothing: the meeting had no quorum', () => {
    const decided = decisionOf(plans([['r0', 'A']]));
    expect(decided).toMatchObject({
      outcome: 'rejected',
      items: [{ outcome: 'rejected', result: { chosen: 'A', body: { failedTest: 'quorum' } } }],
    });
  });
  it('with a quorum and a majority of those present, the plan is adopted', () => {
    const ballots: [string, string][] = [
      ['r0', 'A'],
      ['r1', 'A'],
      ['r2', 'A'],
      ['r3', 'A'],
      ['r4', 'B'],
      ['r5', 'C'],
    ];
    expect(decisionOf(plans(ballots))).toMatchObject({
      outcome: 'adopted',
      items: [
        {
          outcome: 'adopted',
          result: { chosen: 'A', body: { outcome: 'adopted', figures: { present: 6, yes: 4 } } },
        },
      ],
    });
  });
  it('a plurality that is not a majority of those present adopts no plan', () => {
    const ballots: [string, string][] = [
      ['r0', 'A'],
      ['r1', 'A'],
      ['r2', 'A'],
      ['r3', 'B'],
      ['r4', 'B'],
      ['r5', 'C'],
    ];
    expect(decisionOf(plans(ballots))).toMatchObject({
      items: [{ outcome: 'rejected', result: { chosen: 'A', body: { failedTest: 'approval' } } }],
    });
  });
  it('owners choosing a plan: the winner must pass Art. 278 by area and by owners', () => {
    const item: ProposalItem = { ...plansItem, matter: 'property-company' };
    const owners = [
      ownerVoter('a', 10_000),
      ownerVoter('b', 10_000),
      ownerVoter('c', 10_000),
      ownerVoter('d', 40_000),
    ];
    const vote = (picks: [string, string][]) =>
      decisionOf(
        run(
          [
            p(
              'OpenVoting',
              {
                rule: { kind: 'owners-278' },
                communityRules: urbanRules,
                closesAt: day(30),
                electorate: owners,
                planMethod: 'plurality',
              },
              convener,
              day(16),
            ),
            ...picks.map(([v, plan]) =>
              p(
                'CastBallot',
                { choices: [{ itemId: 'plan', ranking: [plan] }] },
                owner(v),
                day(20),
              ),
            ),
            p('CloseVoting', {}, convener, day(30)),
          ],
          noticed([item]),
        ),
      );
    // A by 3 of 4 owners, but 300 of 700 m²: more than half of the owners, not of the area.
    expect(
      vote([
        ['a', 'A'],
        ['b', 'A'],
        ['c', 'A'],
        ['d', 'B'],
      ]),
    ).toMatchObject({
      items: [{ outcome: 'rejected', result: { chosen: 'A', body: { outcome: 'rejected' } } }],
    });
    // A by 3 of 4 owners with 600 of 700 m²: adopted.
    expect(
      vote([
        ['a', 'A'],
        ['b', 'A'],
        ['d', 'A'],
        ['c', 'B'],
      ]),
    ).toMatchObject({ items: [{ outcome: 'adopted', result: { chosen: 'A' } }] });
  });
  it('a vote opened before the change is recomputed as it was decided', () => {
    // Stored before the counting rules' version 2: VotingOpened without rulesVersion.
    const events = plans([['r0', 'A']]).map((e) => {
      if (e.type !== 'VotingOpened') return e;
      const { rulesVersion: _v, ...data } = e.data;
      return { ...e, data };
    });
    const old = events.filter((e) => e.type !== 'VotingClosed' && e.type !== 'ProposalDecided');
    const redecided = run([p('CloseVoting', { meetingEnded: true }, convener, day(2, 4))], old);
    expect(decisionOf(redecided)).toMatchObject({ items: [{ outcome: 'adopted' }] });
    expect(verifyDecisions(redecided).every((d) => d.matches)).toBe(true);
  });
});

describe('an amendment after notice needs a new notice (#20.3)', () => {
  const amend = (at: string) =>
    p('AmendProposal', { title: '更换两部电梯', reason: '修改' }, owner('a'), at);
  it('is recorded as requiring a new notice, and voting is refused until it is given', () => {
    const amended = spec
      .given(noticed())
      .when(amend(day(10)))
      .then((e) => expect(e[0]?.data).toMatchObject({ renoticeRequired: { stageId: 'notice' } }));
    const history = [...noticed(), ...amended];
    spec
      .given(history)
      .when(openOwners({ kind: 'owners-278' }, urbanRules))
      .thenRefused('notice-outdated', { stageId: 'notice' });
    const renewed = run(
      [p('GiveNotice', { text: '修改后的表决公告' }, convener, day(11))],
      history,
    );
    expect(renewed.at(-1)?.data).toMatchObject({
      stageId: 'notice',
      nextStageFrom: day(26),
      renewed: true,
    });
    // Fifteen days from the new notice, not from the first one.
    spec
      .given(renewed)
      .when(openOwners({ kind: 'owners-278' }, urbanRules))
      .thenRefused('notice-period-not-elapsed', { nextStageFrom: day(26), minDays: 15 });
    spec
      .given(renewed)
      .when({ ...openOwners({ kind: 'owners-278' }, urbanRules), at: day(26) })
      .then((e) => expect(e[0]?.type).toBe('VotingOpened'));
  });
  it('a zero-day notice (community consultation) must still be given again', () => {
    const amended = run(
      [p('AmendProposal', { title: '新标题', reason: '修改' }, resident('wang'), day(2, 1))],
      consultationAt(),
    );
    spec
      .given(amended)
      .when(
        openMeeting({ kind: 'residents-meeting', form: 'all-adults' }, urbanRules, [
          personVoter('r1'),
        ]),
      )
      .thenRefused('notice-outdated');
  });
  it('adding a plan after notice outdates it too; before notice nothing is required', () => {
    spec
      .given(noticed([plansItem]))
      .when(
        p(
          'AddOption',
          { itemId: 'plan', option: { optionId: 'D', title: '方案D' } },
          owner('a'),
          day(5),
        ),
      )
      .then((e) => expect(e[0]?.data).toMatchObject({ renoticeRequired: { stageId: 'notice' } }));
    spec
      .given(run([submit('owners-joint-decision')]))
      .when(amend(day(0)))
      .then((e) => expect(e[0]?.data).not.toHaveProperty('renoticeRequired'));
  });
});
