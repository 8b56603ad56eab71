import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { upcastEvent } from '../catalog/events.ts';
import { ownersDecision278 } from '../rules/owners-decision.ts';
import type { Ballot, Choice } from '../rules/types.ts';
import {
  clerk,
  convener,
  fundItem,
  owner,
  ownerVoter,
  p,
  personVoter,
  plansItem,
  proxy,
  resident,
  submit,
  urbanRules,
} from '../testing/fixtures.ts';
import { checkRebuild, history } from '../testing/spec.ts';
import type { AuthorisationFact, ProposalItem, Voter } from '../vote/schemas.ts';
import {
  type ProposalCommand,
  proposalDecider,
  proposalEventSchemas,
  verifyDecisions,
} from './proposal.ts';

const T0 = Date.UTC(2026, 0, 1, 1);
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();
const choice = fc.constantFrom<Choice>('yes', 'no', 'abstain');
const matter = fc.constantFrom(
  'assembly-rules',
  'maintenance-fund-use',
  'maintenance-fund-raise',
  'rebuild',
  'other-major',
) as fc.Arbitrary<NonNullable<ProposalItem['matter']>>;

/** How one voter takes part: not at all, online, on paper (perhaps corrected), by proxy. */
const participation = fc.oneof(
  fc.constant({ way: 'none' as const }),
  fc.record({ way: fc.constant('online' as const), choice }),
  fc.record({
    way: fc.constant('paper' as const),
    choice,
    corrected: fc.option(choice, { nil: undefined }),
  }),
  fc.record({ way: fc.constant('proxy' as const), choice }),
);

describe('recomputing a decision from its events gives the same figures', () => {
  it('owners’ votes (Art. 278) with online, paper, corrected and proxy ballots', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            area: fc.integer({ min: 1, max: 50_000 }),
            coOwned: fc.boolean(),
            how: participation,
          }),
          {
            minLength: 1,
            maxLength: 40,
          },
        ),
        matter,
        fc.boolean(),
        (rows, itemMatter, deemedConsent) => {
          const electorate: Voter[] = rows.map((r, i) =>
            ownerVoter(`v${i}`, r.area, r.coOwned ? [`v${i}`, `v${i}-co`] : [`v${i}`]),
          );
          const item = { ...fundItem, matter: itemMatter };
          const commands: ProposalCommand[] = [
            submit('owners-joint-decision', { items: [item] }, owner('v0'), at(0)),
            p('GiveNotice', { text: '公告' }, convener, at(1)),
            p(
              'OpenVoting',
              {
                rule: { kind: 'owners-278' },
                communityRules: {
                  ...urbanRules,
                  deemedConsent,
                  ...(deemedConsent ? { deemedConsentStatuteRef: '管理规约第 26 条' } : {}),
                },
                closesAt: at(24 * 30),
                electorate,
              },
              convener,
              at(24 * 16),
            ),
          ];
          const final: Ballot[] = [];
          rows.forEach((r, i) => {
            const voterId = `v${i}`;
            const choices = (c: Choice) => [{ itemId: 'fund', choice: c }];
            const when = at(24 * 17 + i);
            switch (r.how.way) {
              case 'none':
                return;
              case 'online':
                commands.push(
                  p(
                    'CastBallot',
                    { choices: choices(r.how.choice) },
                    owner(r.coOwned ? `${voterId}-co` : voterId),
                    when,
                  ),
                );
                final.push({ voterId, choice: r.how.choice });
                return;
              case 'paper':
                commands.push(
                  p(
                    'EnterPaperBallot',
                    {
                      voterId,
                      signedBy: voterId,
                      choices: choices(r.how.choice),
                      documentRef: `票-${i}`,
                    },
                    clerk,
                    when,
                  ),
                );
                if (r.how.corrected) {
                  commands.push(
                    p(
                      'CorrectPaperBallot',
                      {
                        voterId,
                        choices: choices(r.how.corrected),
                        documentRef: `票-${i}`,
                        reason: '录入错误',
                      },
                      clerk,
                      when,
                    ),
                  );
                }
                final.push({ voterId, choice: r.how.corrected ?? r.how.choice });
                return;
              case 'proxy': {
                const authorisation: AuthorisationFact = {
                  authorisationId: `a${i}`,
                  ownerId: voterId,
                  proxyId: 'zhou',
                  proposalId: 'p1',
                  itemId: 'fund',
                  active: true,
                };
                commands.push(
                  p(
                    'CastProxyBallot',
                    { voterId, choices: choices(r.how.choice), authorisations: [authorisation] },
                    proxy('zhou'),
                    when,
                  ),
                );
                final.push({ voterId, choice: r.how.choice });
                return;
              }
            }
          });
          commands.push(p('CloseVoting', {}, convener, at(24 * 30)));
          const events = history(proposalDecider, commands);
          const verified = verifyDecisions(events);
          expect(verified).toHaveLength(1);
          expect(verified[0]?.matches).toBe(true);
          // And the figures are those of the rule applied to the final ballots directly.
          const direct = ownersDecision278(electorate, final, {
            matter: itemMatter,
            deemedConsent,
          });
          expect(verified[0]?.recorded[0]?.result).toEqual(JSON.parse(JSON.stringify(direct)));
          expect(verified[0]?.recorded[0]?.outcome).toBe(direct.deemed?.outcome ?? direct.outcome);
        },
      ),
      { numRuns: 150 },
    );
  });
});

// A pool of commands over two procedures; random sequences of them, with time moving on.
const voters = ['v0', 'v1', 'v2', 'v3', 'v4'];
const step = fc.record({
  kind: fc.oneof(
    { weight: 2, arbitrary: fc.integer({ min: 2, max: 8 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 21 }) },
  ),
  voter: fc.integer({ min: 0, max: voters.length - 1 }),
  choice,
  plan: fc.constantFrom('A', 'B', 'C'),
  n: fc.integer({ min: 0, max: 3 }),
});
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function commandOf(s: Step, hour: number, meeting: boolean): ProposalCommand {
  const time = at(hour);
  const voterId = voters[s.voter]!;
  const actor = meeting ? resident(voterId) : owner(voterId);
  const motion = { itemId: meeting ? 'main' : 'fund', choice: s.choice };
  const choices = meeting ? [motion, { itemId: 'plan', ranking: [s.plan] }] : [motion];
  const electorate = voters.map((id, i) =>
    meeting ? personVoter(id) : ownerVoter(id, 5_000 + i * 1_000),
  );
  const auth: AuthorisationFact = {
    authorisationId: `a-${voterId}`,
    ownerId: voterId,
    proxyId: 'zhou',
    proposalId: 'p1',
    itemId: motion.itemId,
    active: true,
  };
  switch (s.kind) {
    case 0:
      return p('GiveNotice', { text: '通知' }, convener, time);
    case 1:
      return p(
        'OpenVoting',
        meeting
          ? {
              rule: { kind: 'residents-meeting', form: 'all-adults' },
              communityRules: urbanRules,
              closesAt: at(hour + 24 * 3),
              electorate,
              planMethod: 'plurality',
              allowBallotChange: s.n > 1,
            }
          : {
              rule: { kind: 'owners-278' },
              communityRules: { ...urbanRules, deemedConsent: s.n === 3 },
              closesAt: at(hour + 24 * 3),
              electorate,
              allowBallotChange: s.n > 1,
            },
        convener,
        time,
      );
    case 2:
    case 3:
      return p('CastBallot', { choices }, actor, time);
    case 4:
      return p('ChangeBallot', { choices }, actor, time);
    case 5:
      return p(
        'CastProxyBallot',
        { voterId, choices: [motion], authorisations: [auth] },
        proxy('zhou'),
        time,
      );
    case 6:
      return p(
        'EnterPaperBallot',
        { voterId, signedBy: voterId, choices, documentRef: `票-${voterId}` },
        clerk,
        time,
      );
    case 7:
      return p(
        'CorrectPaperBallot',
        { voterId, choices, documentRef: `票-${voterId}`, reason: '更正' },
        clerk,
        time,
      );
    case 8:
      return p('RecordPresence', { voterIds: [voterId] }, clerk, time);
    case 9:
      return p('CloseVoting', {}, convener, time);
    case 10:
      return p('Publish', { text: '公示' }, clerk, time);
    case 11:
      return p('RaiseObjection', { objectionId: `o${s.n}`, text: '异议' }, owner(voterId), time);
    case 12:
      return p('AnswerObjection', { objectionId: `o${s.n}`, answer: '答复' }, clerk, time);
    case 13:
      return p(
        'ReportImplementation',
        { progressPercent: [10, 50, 100, 100][s.n]!, text: '进展' },
        clerk,
        time,
      );
    case 14:
      return p('ReportFeedback', { text: '反馈' }, clerk, time);
    case 15:
      return p('RateSatisfaction', { rating: s.n + 1 }, actor, time);
    case 16:
      return p('AcceptOntoAgenda', { concernedPartyIds: [] }, convener, time);
    case 17:
      return p('RecordDeliberation', { summary: '协商' }, clerk, time);
    case 18:
      return p('ReturnToStage', { reason: '再协商' }, convener, time);
    case 19:
      return p('AmendProposal', { title: `修改${s.n}`, reason: '修改' }, owner('v0'), time);
    case 20:
      return p(
        'AddOption',
        { itemId: 'plan', option: { optionId: `X${s.n}`, title: '新方案' } },
        owner('v0'),
        time,
      );
    default:
      return s.n === 0
        ? p('WithdrawProposal', { reason: '撤回' }, owner('v0'), time)
        : p('CloseVoting', {}, convener, time);
  }
}

/** The happy path of each procedure, by hour; random commands are mixed in between. */
function skeleton(meeting: boolean): { hour: number; command: ProposalCommand }[] {
  const d = 24;
  const electorate = voters.map((id, i) =>
    meeting ? personVoter(id) : ownerVoter(id, 5_000 + i * 1_000),
  );
  const path: [number, ProposalCommand][] = meeting
    ? [
        [d, p('AcceptOntoAgenda', { concernedPartyIds: [] }, convener, at(d))],
        [d + 1, p('GiveNotice', { text: '通知' }, convener, at(d + 1))],
        [2 * d, p('RecordDeliberation', { summary: '协商' }, clerk, at(2 * d))],
        [
          2 * d + 1,
          p(
            'OpenVoting',
            {
              rule: { kind: 'residents-meeting', form: 'all-adults' },
              communityRules: urbanRules,
              closesAt: at(5 * d),
              electorate,
              planMethod: 'plurality',
              allowBallotChange: true,
            },
            convener,
            at(2 * d + 1),
          ),
        ],
        [5 * d, p('CloseVoting', {}, convener, at(5 * d))],
        [5 * d + 1, p('ReturnToStage', { reason: '再协商' }, convener, at(5 * d + 1))],
        [6 * d, p('Publish', { text: '公示' }, clerk, at(6 * d))],
        [
          14 * d,
          p('ReportImplementation', { progressPercent: 100, text: '完成' }, clerk, at(14 * d)),
        ],
        [15 * d, p('ReportFeedback', { text: '反馈' }, clerk, at(15 * d))],
      ]
    : [
        [d, p('GiveNotice', { text: '公告' }, convener, at(d))],
        [
          16 * d,
          p(
            'OpenVoting',
            {
              rule: { kind: 'owners-278' },
              communityRules: urbanRules,
              closesAt: at(30 * d),
              electorate,
            },
            convener,
            at(16 * d),
          ),
        ],
        [30 * d, p('CloseVoting', {}, convener, at(30 * d))],
        [31 * d, p('Publish', { text: '结果公告' }, clerk, at(31 * d))],
        [
          39 * d,
          p('ReportImplementation', { progressPercent: 100, text: '完成' }, clerk, at(39 * d)),
        ],
        [40 * d, p('ReportFeedback', { text: '反馈' }, clerk, at(40 * d))],
      ];
  return path.map(([hour, command]) => ({ hour, command }));
}

describe('a random sequence of commands never produces a state that evolve cannot rebuild', () => {
  it('proposals under the owners’ and the consultation procedures', () => {
    // Most random commands fall while the vote is open (gap -1), the rest anywhere.
    const gap = fc.oneof(
      { weight: 2, arbitrary: fc.constant(-1) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 9 }) },
    );
    const noise = fc.record({ step, gap, minutes: fc.integer({ min: 1, max: 50 }) });
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(noise, { maxLength: 60 }),
        fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
        fc.boolean(),
        (meeting, extra, dropped, unanimous) => {
          const items: ProposalItem[] = meeting
            ? [{ itemId: 'main', title: '议题', kind: 'motion', options: [] }, plansItem]
            : [fundItem];
          const path = skeleton(meeting).filter((_, i) => !dropped[i] || i % 3 !== 0);
          const commands: ProposalCommand[] = [
            submit(
              meeting ? 'community-consultation' : 'owners-joint-decision',
              { items },
              owner('v0'),
              at(0),
            ),
          ];
          let previous = 0;
          const closing = path.findIndex((x) => x.command.type === 'CloseVoting');
          path.forEach(({ hour, command }, gap) => {
            const between = extra
              .filter((x) => (x.gap === -1 ? closing : x.gap) === gap)
              .sort((a, b) => a.minutes - b.minutes);
            for (const x of between)
              commands.push(commandOf(x.step, previous + x.minutes / 60, meeting));
            commands.push(command);
            if (unanimous && command.type === 'OpenVoting') {
              // Everyone votes yes at once, so later stages are reached too.
              for (const id of voters) {
                const motion = { itemId: meeting ? 'main' : 'fund', choice: 'yes' as const };
                const choices = meeting ? [motion, { itemId: 'plan', ranking: ['A'] }] : [motion];
                commands.push(
                  p('CastBallot', { choices }, meeting ? resident(id) : owner(id), at(hour)),
                );
              }
            }
            previous = hour;
          });
          const { events } = checkRebuild(
            proposalDecider,
            proposalEventSchemas,
            commands,
            upcastEvent,
          );
          expect(verifyDecisions(events).every((d) => d.matches)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
