import { describe, expect, it } from 'vitest';
import { builtInProcedures } from '../procedure/templates.ts';
import { fold } from '../shared/decider.ts';
import {
  clerk,
  convener,
  fourOwners,
  fundItem,
  owner,
  ownersVoteOpen,
  ownerVoter,
  p,
  personVoter,
  plansItem,
  proxy,
  raiseItem,
  representative,
  resident,
  ruralRules,
  submit,
  urbanRules,
} from '../testing/fixtures.ts';
import { day, history, specFor } from '../testing/spec.ts';
import type { AuthorisationFact, ProposalItem, VoteScope } from '../vote/schemas.ts';
import {
  type ProposalCommand,
  type ProposalEvent,
  proposalDecider,
  proposalEventSchemas,
  verifyDecisions,
} from './proposal.ts';

const spec = specFor(proposalDecider, proposalEventSchemas);
const run = (commands: ProposalCommand[], from: ProposalEvent[] = []) =>
  history(proposalDecider, commands, from);
/** The data of the last event of `type`. */
const eventData = (events: readonly ProposalEvent[], type: ProposalEvent['type']) =>
  events.findLast((e) => e.type === type)?.data;

const opened = run(ownersVoteOpen());
const ballot = (voter: string, choice: 'yes' | 'no' | 'abstain', at = day(20)) =>
  p('CastBallot', { choices: [{ itemId: 'fund', choice }] }, owner(voter), at);
/** Three yes, one no: adopted (participation 4/4, yes 3/4 by area and head). */
const voted = run(
  [ballot('a', 'yes'), ballot('b', 'yes'), ballot('c', 'yes'), ballot('d', 'no')],
  opened,
);
const decided = run([p('CloseVoting', {}, convener, day(30))], voted);
const published = run([p('Publish', { text: '表决结果公告' }, clerk, day(31))], decided);

describe('SubmitProposal', () => {
  it('records the exact template, its stages and a default item', () => {
    spec
      .given([])
      .when(submit('owners-joint-decision'))
      .then([
        {
          type: 'ProposalSubmitted',
          data: {
            communityId: 'hp',
            proposalId: 'p1',
            title: '更换电梯',
            description: '一号楼电梯老旧，拟使用维修资金更换。',
            procedure: {
              template: 'owners-joint-decision',
              version: 1,
              name: builtInProcedures['owners-joint-decision'].name,
              stages: builtInProcedures['owners-joint-decision'].stages,
            },
            items: [{ itemId: 'main', title: '更换电梯', kind: 'motion', options: [] }],
            submitterUnitIds: ['u-a'],
            submittedBy: owner('a'),
            submittedAt: day(0),
          },
        },
      ]);
  });
  it('takes a community-defined template passed in by the service', () => {
    const definition = {
      ...builtInProcedures['joint-session'],
      templateId: 'our-session',
      version: 3,
    };
    spec
      .given([])
      .when(submit('our-session', { procedureDefinition: definition, procedureVersion: 3 }))
      .then((events) =>
        expect(events[0]?.data).toMatchObject({
          procedure: { template: 'our-session', version: 3 },
        }),
      );
  });
  it('refuses an unknown procedure or version', () => {
    spec.given([]).when(submit('no-such-procedure')).thenRefused('invalid-command');
    spec
      .given([])
      .when(submit('joint-session', { procedureVersion: 2 }))
      .thenRefused('invalid-command');
  });
  it('four deliberations: only the party organisation proposes (党组织提议)', () => {
    spec
      .given([])
      .when(submit('four-deliberations', {}, resident('wang')))
      .thenRefused('not-authorised');
    const branch = representative('li', 'dzb');
    spec
      .given([])
      .when(
        submit(
          'four-deliberations',
          { onBehalfOf: { partyId: 'dzb', partyKind: 'party-organisation' } },
          branch,
        ),
      )
      .then((events) => expect(events).toHaveLength(1));
    spec
      .given([])
      .when(
        submit(
          'four-deliberations',
          { onBehalfOf: { partyId: 'wy', partyKind: 'property-company' } },
          representative('li', 'wy'),
        ),
      )
      .thenRefused('not-authorised');
  });
  describe('owners’ joint decision: who puts a matter to the owners (domain.md 1, 2.2)', () => {
    const committee = { partyId: 'ywh', partyKind: 'owners-committee' as const };
    it('an owner whose units the registry lists: the units are on record', () => {
      spec
        .given([])
        .when(submit('owners-joint-decision', { submitterUnitIds: ['u-3-201', 'u-p-7'] }))
        .then((events) =>
          expect(events[0]?.data).toMatchObject({ submitterUnitIds: ['u-3-201', 'u-p-7'] }),
        );
    });
    it('refuses an owner the registry lists no unit for', () => {
      spec
        .given([])
        .when(submit('owners-joint-decision', { submitterUnitIds: [] }))
        .thenRefused('not-eligible', { personId: 'a' });
    });
    it('refuses an owner whose units nobody looked up in the registry', () => {
      spec
        .given([])
        .when(submit('owners-joint-decision', { submitterUnitIds: undefined }))
        .thenRefused('not-eligible', { personId: 'a' });
    });
    it('the owners’ committee through its representative; no other party', () => {
      spec
        .given([])
        .when(
          submit('owners-joint-decision', { onBehalfOf: committee }, representative('zhao', 'ywh')),
        )
        .then((events) => expect(events[0]?.data).not.toHaveProperty('submitterUnitIds'));
      spec
        .given([])
        .when(
          submit(
            'owners-joint-decision',
            { onBehalfOf: { partyId: 'wy', partyKind: 'property-company' } },
            representative('li', 'wy'),
          ),
        )
        .thenRefused('not-eligible', { partyId: 'wy' });
      // The token's party, not one the command names.
      spec
        .given([])
        .when(
          submit('owners-joint-decision', { onBehalfOf: committee }, representative('li', 'wy')),
        )
        .thenRefused('not-eligible');
    });
    it('the convener; not a resident who owns nothing', () => {
      spec
        .given([])
        .when(submit('owners-joint-decision', {}, convener))
        .then((events) => expect(events).toHaveLength(1));
      spec
        .given([])
        .when(submit('owners-joint-decision', {}, resident('wang')))
        .thenRefused('not-eligible', { role: 'resident' });
    });
    it('applies to any procedure whose decisions are all the owners’, not to others', () => {
      const ours = {
        ...builtInProcedures['owners-joint-decision'],
        templateId: 'our-owners-vote',
        version: 2,
      };
      spec
        .given([])
        .when(submit('our-owners-vote', { procedureDefinition: ours, submitterUnitIds: [] }))
        .thenRefused('not-eligible');
      spec
        .given([])
        .when(submit('community-consultation', { submitterUnitIds: [] }))
        .then((events) => expect(events[0]?.data).not.toHaveProperty('submitterUnitIds'));
    });
  });
  it('refuses items listed twice, and a second submission', () => {
    spec
      .given([])
      .when(submit('owners-joint-decision', { items: [fundItem, fundItem] }))
      .thenRefused('invalid-command');
    spec.given(opened).when(submit('owners-joint-decision')).thenRefused('already-exists');
  });
  it('refuses commands for a proposal that does not exist', () => {
    spec
      .given([])
      .when(p('GiveNotice', { text: 't' }, convener, day(1)))
      .thenRefused('not-found');
  });
});

describe('amendment before voting', () => {
  const submitted = run([submit('owners-joint-decision', { items: [fundItem, plansItem] })]);
  it('amends title and items (submitter or convener)', () => {
    const state = spec
      .given(submitted)
      .when(
        p(
          'AmendProposal',
          { title: '更换两部电梯', items: [fundItem], reason: '征求意见后修改' },
          convener,
          day(1),
        ),
      )
      .thenState();
    expect(state.status !== 'none' && state.title).toBe('更换两部电梯');
  });
  it('refuses someone else, bad items, and amendments once voting opened', () => {
    spec
      .given(submitted)
      .when(p('AmendProposal', { title: 'x', reason: 'r' }, owner('b'), day(1)))
      .thenRefused('not-authorised');
    spec
      .given(submitted)
      .when(p('AmendProposal', { items: [fundItem, fundItem], reason: 'r' }, convener, day(1)))
      .thenRefused('invalid-command');
    spec
      .given(opened)
      .when(p('AmendProposal', { title: 'x', reason: 'r' }, owner('a'), day(17)))
      .thenRefused('amendment-closed');
  });
  it('adds a plan D to a plans item', () => {
    spec
      .given(submitted)
      .when(
        p(
          'AddOption',
          { itemId: 'plan', option: { optionId: 'D', title: '方案D' } },
          owner('a'),
          day(1),
        ),
      )
      .then((events) => expect(events[0]?.type).toBe('OptionAdded'));
    spec
      .given(submitted)
      .when(
        p(
          'AddOption',
          { itemId: 'plan', option: { optionId: 'A', title: 'A' } },
          owner('a'),
          day(1),
        ),
      )
      .thenRefused('already-exists');
    spec
      .given(submitted)
      .when(
        p(
          'AddOption',
          { itemId: 'fund', option: { optionId: 'X', title: 'X' } },
          owner('a'),
          day(1),
        ),
      )
      .thenRefused('invalid-command');
    spec
      .given(submitted)
      .when(
        p(
          'AddOption',
          { itemId: 'nope', option: { optionId: 'X', title: 'X' } },
          owner('a'),
          day(1),
        ),
      )
      .thenRefused('not-found');
  });
});

describe('stages in order', () => {
  const consultation = run([submit('community-consultation', {}, resident('wang'))]);
  it('accepts onto the agenda list, then notice, then consultation', () => {
    const agenda = spec
      .given(consultation)
      .when(p('AcceptOntoAgenda', { concernedPartyIds: ['wy', 'yzw'] }, convener, day(1)))
      .then((events) => expect(events[0]?.data).toMatchObject({ stageId: 'agenda' }));
    const noticed = spec
      .given([...consultation, ...agenda])
      .when(p('GiveNotice', { text: '协商会议通知' }, convener, day(2)))
      .then((events) =>
        expect(events[0]?.data).toMatchObject({ stageId: 'notice', nextStageFrom: day(2) }),
      );
    const deliberated = spec
      .given([...consultation, ...agenda, ...noticed])
      .when(p('RecordDeliberation', { summary: '第一次协商' }, clerk, day(3)))
      .then((events) => expect(events[0]?.data).toMatchObject({ stageId: 'consultation' }));
    // A deliberation may be recorded again while it is the current stage.
    spec
      .given([...consultation, ...agenda, ...noticed, ...deliberated])
      .when(p('RecordDeliberation', { summary: '第二次协商' }, clerk, day(4)))
      .then((events) => expect(events[0]?.data).toMatchObject({ stageId: 'consultation' }));
  });
  it('refuses to skip or reorder a stage', () => {
    spec
      .given(consultation)
      .when(p('GiveNotice', { text: 't' }, convener, day(1)))
      .thenRefused('stage-out-of-order', { next: 'agenda' });
    spec
      .given(consultation)
      .when(p('Publish', { text: 't' }, convener, day(1)))
      .thenRefused('stage-out-of-order');
    spec
      .given(run([submit('owners-joint-decision')]))
      .when(p('AcceptOntoAgenda', { concernedPartyIds: [] }, convener, day(1)))
      .thenRefused('stage-out-of-order');
    spec
      .given(opened)
      .when(p('GiveNotice', { text: 't' }, convener, day(17)))
      .thenRefused('stage-out-of-order');
  });
});

describe('OpenVoting', () => {
  const noticed = run(ownersVoteOpen().slice(0, 2));
  const open = (
    data: Partial<Extract<ProposalCommand, { type: 'OpenVoting' }>['data']>,
    at = day(16),
  ) =>
    p(
      'OpenVoting',
      {
        rule: { kind: 'owners-278' },
        communityRules: urbanRules,
        closesAt: day(30),
        electorate: fourOwners,
        ...data,
      },
      convener,
      at,
    );
  it('freezes the rule, the electorate with area and heads, and the closing time', () => {
    spec
      .given(noticed)
      .when(open({}))
      .then((events) =>
        expect(events[0]?.data).toMatchObject({
          voteId: 'vote-1',
          stageId: 'vote',
          rule: { kind: 'owners-278' },
          items: [fundItem],
          electorate: fourOwners,
          totals: { voters: 4, heads: 4, areaCentiM2: 40_000 },
          closesAt: day(30),
          allowBallotChange: false,
        }),
      );
  });
  it('refuses before 15 days of notice (物业管理条例 Art. 14)', () => {
    spec
      .given(noticed)
      .when(open({}, day(15)))
      .thenRefused('notice-period-not-elapsed', { minDays: 15 });
  });
  it('refuses before the notice', () => {
    spec
      .given(run([submit('owners-joint-decision')]))
      .when(open({}, day(16)))
      .thenRefused('stage-out-of-order');
  });
  it('refuses a rule the stage does not use, a past closing time, a duplicate voter', () => {
    spec
      .given(noticed)
      .when(open({ rule: { kind: 'residents-meeting', form: 'all-adults' } }))
      .thenRefused('invalid-command');
    spec
      .given(noticed)
      .when(open({ closesAt: day(16) }))
      .thenRefused('invalid-command');
    spec
      .given(noticed)
      .when(open({ electorate: [...fourOwners, fourOwners[0]!] }))
      .thenRefused('invalid-command');
  });
  it('refuses an owners’ vote on an item without its Art. 278 matter (motion or plans)', () => {
    const noMatter = run([
      submit('owners-joint-decision'),
      p('GiveNotice', { text: 't' }, convener, day(1)),
    ]);
    spec.given(noMatter).when(open({})).thenRefused('invalid-command');
    const plans = run([
      submit('owners-joint-decision', { items: [plansItem] }),
      p('GiveNotice', { text: 't' }, convener, day(1)),
    ]);
    spec.given(plans).when(open({})).thenRefused('invalid-command');
  });
});

describe('CastBallot', () => {
  it('records a named ballot', () => {
    spec
      .given(opened)
      .when(ballot('a', 'yes'))
      .then([
        {
          type: 'BallotCast',
          data: {
            voteId: 'vote-1',
            voterId: 'a',
            choices: [{ itemId: 'fund', choice: 'yes' }],
            via: 'online',
            castBy: 'a',
            at: day(20),
            by: owner('a'),
          },
        },
      ]);
  });
  it('lets a co-owner cast the one ballot of a co-owned unit', () => {
    const coOwned = run(ownersVoteOpen({ electorate: [ownerVoter('x', 10_000, ['x', 'y'])] }));
    spec
      .given(coOwned)
      .when(ballot('y', 'no'))
      .then((events) => expect(events[0]?.data).toMatchObject({ voterId: 'x', castBy: 'y' }));
    spec
      .given(run([ballot('x', 'yes')], coOwned))
      .when(ballot('y', 'no'))
      .thenRefused('already-voted');
  });
  it('refuses before opening and at or after closing', () => {
    spec
      .given(run(ownersVoteOpen().slice(0, 2)))
      .when(ballot('a', 'yes', day(17)))
      .thenRefused('voting-not-open');
    spec
      .given(opened)
      .when(ballot('a', 'yes', day(30)))
      .thenRefused('voting-closed');
    spec
      .given(decided)
      .when(ballot('a', 'yes', day(29)))
      .thenRefused('voting-closed');
  });
  it('refuses someone outside the electorate, or voting as another voter', () => {
    spec.given(opened).when(ballot('zz', 'yes')).thenRefused('not-eligible');
    spec
      .given(opened)
      .when(
        p(
          'CastBallot',
          { voterId: 'b', choices: [{ itemId: 'fund', choice: 'yes' }] },
          owner('a'),
          day(20),
        ),
      )
      .thenRefused('not-eligible');
  });
  it('refuses a second ballot on the same item (one ballot per voter per item)', () => {
    spec
      .given(run([ballot('a', 'yes')], opened))
      .when(ballot('a', 'no'))
      .thenRefused('already-voted');
  });
  it('refuses a choice that does not fit the item', () => {
    spec
      .given(opened)
      .when(p('CastBallot', { choices: [{ itemId: 'fund', ranking: ['A'] }] }, owner('a'), day(20)))
      .thenRefused('invalid-command');
    spec
      .given(opened)
      .when(p('CastBallot', { choices: [{ itemId: 'nope', choice: 'yes' }] }, owner('a'), day(20)))
      .thenRefused('invalid-command');
  });
});

describe('ChangeBallot', () => {
  it('refuses a change where the rule does not allow it', () => {
    spec
      .given(run([ballot('a', 'yes')], opened))
      .when(p('ChangeBallot', { choices: [{ itemId: 'fund', choice: 'no' }] }, owner('a'), day(21)))
      .thenRefused('ballot-change-not-allowed');
  });
  it('records every version where it is allowed; the last one counts', () => {
    const changeable = run([...ownersVoteOpen({ allowBallotChange: true }), ballot('a', 'yes')]);
    const change = spec
      .given(changeable)
      .when(p('ChangeBallot', { choices: [{ itemId: 'fund', choice: 'no' }] }, owner('a'), day(21)))
      .then((events) =>
        expect(events[0]).toMatchObject({ type: 'BallotChanged', data: { voterId: 'a' } }),
      );
    const state = fold(proposalDecider, [...changeable, ...change]);
    expect(state.status !== 'none' && state.vote?.ballots).toBeTruthy();
    const closed = run([p('CloseVoting', {}, convener, day(30))], [...changeable, ...change]);
    expect(eventData(closed, 'ProposalDecided')).toMatchObject({
      items: [{ result: { figures: { yes: { owners: 0 }, no: { owners: 1 } } } }],
    });
  });
  it('refuses a change without an earlier ballot', () => {
    const changeable = run(ownersVoteOpen({ allowBallotChange: true }));
    spec
      .given(changeable)
      .when(p('ChangeBallot', { choices: [{ itemId: 'fund', choice: 'no' }] }, owner('a'), day(21)))
      .thenRefused('not-found');
  });
});

describe('proxy ballots', () => {
  const authorisation = (over: Partial<AuthorisationFact> = {}): AuthorisationFact => ({
    authorisationId: 'auth-1',
    ownerId: 'a',
    proxyId: 'zhou',
    proposalId: 'p1',
    itemId: 'fund',
    documentRef: '委托书 2026-001',
    active: true,
    ...over,
  });
  const cast = (auths: AuthorisationFact[], voterId = 'a') =>
    p(
      'CastProxyBallot',
      { voterId, choices: [{ itemId: 'fund', choice: 'yes' }], authorisations: auths },
      proxy('zhou'),
      day(20),
    );
  it('records the authorisation the proxy voted under', () => {
    spec
      .given(opened)
      .when(cast([authorisation()]))
      .then((events) =>
        expect(events[0]?.data).toMatchObject({
          via: 'proxy',
          castBy: 'zhou',
          authorisationIds: { fund: 'auth-1' },
        }),
      );
  });
  it('refuses without a matching, active authorisation', () => {
    spec.given(opened).when(cast([])).thenRefused('not-authorised');
    spec
      .given(opened)
      .when(cast([authorisation({ active: false })]))
      .thenRefused('not-authorised');
    spec
      .given(opened)
      .when(cast([authorisation({ proxyId: 'other' })]))
      .thenRefused('not-authorised');
    spec
      .given(opened)
      .when(cast([authorisation({ proposalId: 'p2' })]))
      .thenRefused('not-authorised');
    spec
      .given(opened)
      .when(cast([authorisation({ itemId: 'other' })]))
      .thenRefused('not-authorised');
    spec
      .given(opened)
      .when(cast([authorisation()], 'b'))
      .thenRefused('not-authorised');
    spec
      .given(opened)
      .when(cast([authorisation()], 'zz'))
      .thenRefused('not-eligible');
  });
  it('refuses when the owner already voted', () => {
    spec
      .given(run([ballot('a', 'no')], opened))
      .when(cast([authorisation()]))
      .thenRefused('already-voted');
  });
});

describe('paper ballots', () => {
  const paper = (voterId: string, signedBy = voterId, extra = {}) =>
    p(
      'EnterPaperBallot',
      {
        voterId,
        signedBy,
        choices: [{ itemId: 'fund', choice: 'yes' }],
        documentRef: `表决票-${voterId}`,
        ...extra,
      },
      clerk,
      day(25),
    );
  it('a clerk enters a paper ballot with its document reference', () => {
    spec
      .given(opened)
      .when(paper('b'))
      .then((events) =>
        expect(events[0]?.data).toMatchObject({
          via: 'paper',
          castBy: 'b',
          documentRef: '表决票-b',
          by: clerk,
        }),
      );
  });
  it('a paper ballot signed by a proxy needs the authorisation', () => {
    spec.given(opened).when(paper('b', 'zhou')).thenRefused('not-authorised');
    const auth = {
      authorisationId: 'w1',
      ownerId: 'b',
      proxyId: 'zhou',
      proposalId: 'p1',
      itemId: 'fund',
      active: true,
    };
    spec
      .given(opened)
      .when(paper('b', 'zhou', { authorisations: [auth] }))
      .then((e) => expect(e[0]?.data).toMatchObject({ authorisationIds: { fund: 'w1' } }));
  });
  it('refuses a second ballot and an unknown voter', () => {
    spec
      .given(run([ballot('b', 'no')], opened))
      .when(paper('b'))
      .thenRefused('already-voted');
    spec.given(opened).when(paper('zz')).thenRefused('not-eligible');
  });
  it('corrects a paper entry as a new event, even after the closing time, until closed', () => {
    const entered = run([paper('b')], opened);
    const correction = p(
      'CorrectPaperBallot',
      {
        voterId: 'b',
        choices: [{ itemId: 'fund', choice: 'no' }],
        documentRef: '表决票-b',
        reason: '录入错误',
      },
      clerk,
      day(30, 2),
    );
    spec
      .given(entered)
      .when(correction)
      .then((e) => expect(e[0]?.type).toBe('PaperBallotCorrected'));
    spec
      .given(run([ballot('c', 'yes')], opened))
      .when({ ...correction, data: { ...correction.data, voterId: 'c' } } as ProposalCommand)
      .thenRefused('not-found');
    spec
      .given(run([p('CloseVoting', {}, convener, day(30))], entered))
      .when(correction)
      .thenRefused('voting-closed');
  });
});

describe('CloseVoting', () => {
  it('refuses before the closing time while voters are missing', () => {
    spec
      .given(run([ballot('a', 'yes')], opened))
      .when(p('CloseVoting', {}, convener, day(29)))
      .thenRefused('voting-still-open');
  });
  it('tallies with every figure of Art. 278 and records the decision', () => {
    const events = spec
      .given(voted)
      .when(p('CloseVoting', {}, convener, day(30)))
      .then((e) => expect(e.map((x) => x.type)).toEqual(['VotingClosed', 'ProposalDecided']));
    expect(events[1]?.data).toMatchObject({
      stageId: 'vote',
      voteId: 'vote-1',
      outcome: 'adopted',
      items: [
        {
          itemId: 'fund',
          outcome: 'adopted',
          result: {
            rule: 'owners-decision-278',
            figures: {
              total: { owners: 4, areaCentiM2: 40_000 },
              participating: { owners: 4, areaCentiM2: 40_000 },
              yes: { owners: 3, areaCentiM2: 30_000 },
              no: { owners: 1, areaCentiM2: 10_000 },
            },
          },
        },
      ],
    });
  });
  it('closes early once every voter voted on every item', () => {
    spec
      .given(voted)
      .when(p('CloseVoting', {}, convener, day(21)))
      .then((e) => expect(e[0]?.data).toMatchObject({ early: true }));
  });
  it('a special matter needs three quarters: 3 of 4 passes, 2 of 4 fails on participation share', () => {
    const special = run([
      ...ownersVoteOpen({ items: [raiseItem] }),
      ...['a', 'b', 'c'].map((v) =>
        p('CastBallot', { choices: [{ itemId: 'raise', choice: 'yes' }] }, owner(v), day(20)),
      ),
      p('CastBallot', { choices: [{ itemId: 'raise', choice: 'abstain' }] }, owner('d'), day(20)),
      p('CloseVoting', {}, convener, day(30)),
    ]);
    expect(eventData(special, 'ProposalDecided')).toMatchObject({ outcome: 'adopted' });
  });
  it('refuses when no vote is open, and a second close', () => {
    spec
      .given(run(ownersVoteOpen().slice(0, 2)))
      .when(p('CloseVoting', {}, convener, day(30)))
      .thenRefused('voting-not-open');
    spec
      .given(decided)
      .when(p('CloseVoting', {}, convener, day(31)))
      .thenRefused('voting-closed');
  });
  it('recomputing every decision from the events gives the same figures', () => {
    expect(verifyDecisions(decided)).toEqual([
      expect.objectContaining({ voteId: 'vote-1', matches: true }),
    ]);
  });
});

describe('meeting votes and presence', () => {
  const members = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'].map((id) => personVoter(id));
  const consultation = run([
    submit('community-consultation', { items: [fundItem, plansItem] }, resident('wang')),
    p('AcceptOntoAgenda', { concernedPartyIds: [] }, convener, day(1)),
    p('GiveNotice', { text: '居民会议通知' }, convener, day(1)),
    p('RecordDeliberation', { summary: '协商' }, clerk, day(2)),
    p(
      'OpenVoting',
      {
        rule: { kind: 'residents-meeting', form: 'group-representatives' },
        communityRules: urbanRules,
        closesAt: day(3),
        electorate: members,
        planMethod: 'plurality',
      },
      convener,
      day(2, 1),
    ),
  ]);
  it('records presence (签到) and counts present non-voters against adoption', () => {
    const present = spec
      .given(consultation)
      .when(p('RecordPresence', { voterIds: ['m1', 'm2', 'm3', 'm4'] }, clerk, day(2, 2)))
      .then((e) => expect(e[0]?.data).toMatchObject({ voterIds: ['m1', 'm2', 'm3', 'm4'] }));
    // Recording the same voters again adds nothing.
    spec
      .given([...consultation, ...present])
      .when(p('RecordPresence', { voterIds: ['m1'] }, clerk, day(2, 2)))
      .then([]);
    const closed = run(
      [
        ...['m1', 'm2'].map((v) =>
          p(
            'CastBallot',
            {
              choices: [
                { itemId: 'fund', choice: 'yes' },
                { itemId: 'plan', ranking: ['B'] },
              ],
            },
            resident(v),
            day(2, 3),
          ),
        ),
        p(
          'CastBallot',
          {
            choices: [
              { itemId: 'fund', choice: 'no' },
              { itemId: 'plan', ranking: ['A'] },
            ],
          },
          resident('m3'),
          day(2, 3),
        ),
        p('CloseVoting', {}, convener, day(3)),
      ],
      [...consultation, ...present],
    );
    // 4 of 6 present (quorum), 2 yes of 4 present: exactly half is not more than half. The
    // plan choice is the meeting's decision too: B leads, but 2 of 4 present is not a majority.
    expect(eventData(closed, 'ProposalDecided')).toMatchObject({
      outcome: 'rejected',
      items: [
        { outcome: 'rejected', result: { figures: { present: 4, yes: 2, notVoting: 1 } } },
        {
          outcome: 'rejected',
          result: {
            chosen: 'B',
            body: { failedTest: 'approval', figures: { present: 4, yes: 2, no: 1 } },
          },
        },
      ],
    });
    expect(verifyDecisions(closed).every((d) => d.matches)).toBe(true);
  });
  it('refuses presence outside meeting votes and outside the electorate', () => {
    spec
      .given(opened)
      .when(p('RecordPresence', { voterIds: ['a'] }, clerk, day(20)))
      .thenRefused('invalid-command');
    spec
      .given(consultation)
      .when(p('RecordPresence', { voterIds: ['zz'] }, clerk, day(2, 2)))
      .thenRefused('not-eligible');
  });
  it('refuses two plans where only one is taken', () => {
    spec
      .given(consultation)
      .when(
        p(
          'CastBallot',
          { choices: [{ itemId: 'plan', ranking: ['A', 'B'] }] },
          resident('m1'),
          day(2, 3),
        ),
      )
      .thenRefused('invalid-command');
  });
});

describe('return to consultation (协商不成, 回到协商)', () => {
  const rejected = run([
    submit('community-consultation', {}, resident('wang')),
    p('AcceptOntoAgenda', { concernedPartyIds: [] }, convener, day(1)),
    p('GiveNotice', { text: 'n' }, convener, day(1)),
    p('RecordDeliberation', { summary: 's' }, clerk, day(2)),
    p(
      'OpenVoting',
      {
        rule: { kind: 'residents-meeting', form: 'all-adults' },
        communityRules: urbanRules,
        closesAt: day(3),
        electorate: [personVoter('r1'), personVoter('r2')],
      },
      convener,
      day(2),
    ),
    p('CastBallot', { choices: [{ itemId: 'main', choice: 'no' }] }, resident('r1'), day(2, 1)),
    p('CloseVoting', {}, convener, day(3)),
  ]);
  it('returns a rejected item to consultation, which is then entered again', () => {
    spec
      .given(rejected)
      .when(p('Publish', { text: 't' }, convener, day(4)))
      .thenRefused('not-adopted');
    const returned = spec
      .given(rejected)
      .when(p('ReturnToStage', { reason: '意见分歧，继续协商' }, convener, day(4)))
      .then([
        {
          type: 'ProposalReturned',
          data: {
            fromStageId: 'outcome',
            toStageId: 'consultation',
            reason: '意见分歧，继续协商',
            at: day(4),
            by: convener,
          },
        },
      ]);
    spec
      .given([...rejected, ...returned])
      .when(p('Publish', { text: 't' }, convener, day(4)))
      .thenRefused('stage-out-of-order');
    spec
      .given([...rejected, ...returned])
      .when(p('RecordDeliberation', { summary: '再协商' }, clerk, day(5)))
      .then((e) => expect(e[0]?.data).toMatchObject({ stageId: 'consultation' }));
    // Amendments are open again after a return.
    spec
      .given([...rejected, ...returned])
      .when(p('AmendProposal', { title: '修改后的方案', reason: 'r' }, resident('wang'), day(5)))
      .then((e) => expect(e).toHaveLength(1));
    spec
      .given([...rejected, ...returned])
      .when(p('ReturnToStage', { reason: 'again' }, convener, day(5)))
      .thenRefused('invalid-command');
  });
  it('refuses to return an adopted or undecided stage, or a stage that does not return', () => {
    spec
      .given(decided)
      .when(p('ReturnToStage', { reason: 'r' }, convener, day(31)))
      .thenRefused('invalid-command');
    spec
      .given(opened)
      .when(p('ReturnToStage', { reason: 'r' }, convener, day(20)))
      .thenRefused('stage-out-of-order');
    const ownersRejected = run(
      [ballot('a', 'no'), p('CloseVoting', {}, convener, day(30))],
      opened,
    );
    spec
      .given(ownersRejected)
      .when(p('ReturnToStage', { reason: 'r' }, convener, day(31)))
      .thenRefused('invalid-command');
  });
});

describe('RecordSessionResolution', () => {
  const agenda = run([
    submit('joint-session', {}, representative('li', 'jwh')),
    p('AcceptOntoAgenda', { concernedPartyIds: ['wy'], sessionId: 's1' }, convener, day(1)),
  ]);
  const resolution = (outcome: 'adopted' | 'rejected') =>
    p(
      'RecordSessionResolution',
      {
        sessionId: 's1',
        sessionItemId: 'i1',
        outcome,
        result: { rule: 'joint-session-resolution', outcome },
      },
      convener,
      day(2),
    );
  it('records the joint session’s resolution as the decision', () => {
    spec
      .given(agenda)
      .when(resolution('adopted'))
      .then((e) =>
        expect(e[0]?.data).toMatchObject({
          stageId: 'resolution',
          sessionId: 's1',
          outcome: 'adopted',
        }),
      );
  });
  it('an unresolved item returns to the agenda of a later session', () => {
    const unresolved = run(
      [resolution('rejected'), p('ReturnToStage', { reason: '未达成一致' }, convener, day(3))],
      agenda,
    );
    spec
      .given(unresolved)
      .when(p('AcceptOntoAgenda', { concernedPartyIds: ['wy'], sessionId: 's2' }, convener, day(4)))
      .then((e) => expect(e).toHaveLength(1));
  });
  it('refuses where the stage is not decided in a joint session', () => {
    const branch = representative('li', 'dzb');
    const fourDelib = run([
      submit(
        'four-deliberations',
        { onBehalfOf: { partyId: 'dzb', partyKind: 'party-organisation' } },
        branch,
      ),
      p('RecordDeliberation', { summary: '两委会商议' }, clerk, day(1)),
    ]);
    spec.given(fourDelib).when(resolution('adopted')).thenRefused('invalid-command');
  });
});

describe('publication, objections, implementation, feedback', () => {
  it('publishes within 3 days of the decision (北京 Art. 37), or records that it was late', () => {
    spec
      .given(decided)
      .when(p('Publish', { text: '结果公告', implementationDueAt: day(90) }, clerk, day(31)))
      .then((e) =>
        expect(e[0]?.data).toMatchObject({
          stageId: 'result-publication',
          subject: 'decision',
          deadline: day(33),
          onTime: true,
          endsAt: day(38),
        }),
      );
    spec
      .given(decided)
      .when(p('Publish', { text: '结果公告' }, clerk, day(34)))
      .then((e) => expect(e[0]?.data).toMatchObject({ onTime: false }));
  });
  it('refuses publication before the decision', () => {
    spec
      .given(opened)
      .when(p('Publish', { text: 't' }, clerk, day(20)))
      .thenRefused('voting-open');
  });
  it('takes objections during the publication period and needs them answered', () => {
    const objection = p(
      'RaiseObjection',
      { objectionId: 'o1', text: '票数有误' },
      owner('d'),
      day(32),
    );
    const raised = spec
      .given(published)
      .when(objection)
      .then((e) => expect(e[0]?.data).toMatchObject({ stageId: 'result-publication' }));
    spec
      .given([...published, ...raised])
      .when(objection)
      .thenRefused('already-exists');
    spec
      .given(published)
      .when({ ...objection, at: day(38) })
      .thenRefused('publication-closed');
    spec.given(decided).when(objection).thenRefused('stage-out-of-order');
    const report = p(
      'ReportImplementation',
      { progressPercent: 10, text: '已签合同' },
      clerk,
      day(39),
    );
    spec
      .given([...published, ...raised])
      .when(report)
      .thenRefused('objections-unanswered', { objectionIds: ['o1'] });
    const answer = p(
      'AnswerObjection',
      { objectionId: 'o1', answer: '经核对无误' },
      clerk,
      day(33),
    );
    const answered = spec
      .given([...published, ...raised])
      .when(answer)
      .then((e) => expect(e).toHaveLength(1));
    spec
      .given([...published, ...raised, ...answered])
      .when(answer)
      .thenRefused('already-resolved');
    spec.given(published).when(answer).thenRefused('not-found');
    spec
      .given([...published, ...raised, ...answered])
      .when(report)
      .then((e) => expect(e[0]?.data).toMatchObject({ stageId: 'implementation' }));
  });
  it('implementation starts after the publication period, reports progress, then feedback', () => {
    spec
      .given(published)
      .when(p('ReportImplementation', { progressPercent: 10, text: 't' }, clerk, day(37)))
      .thenRefused('publication-period-open');
    const implementing = run(
      [p('ReportImplementation', { progressPercent: 40, text: '施工中' }, clerk, day(40))],
      published,
    );
    spec
      .given(implementing)
      .when(
        p(
          'ReportImplementation',
          { progressPercent: 100, text: '完工', itemId: 'fund' },
          representative('wy1', 'wy'),
          day(60),
        ),
      )
      .then((e) => expect(e).toHaveLength(1));
    spec
      .given(implementing)
      .when(
        p(
          'ReportImplementation',
          { progressPercent: 50, text: 't', itemId: 'nope' },
          clerk,
          day(41),
        ),
      )
      .thenRefused('not-found');
    spec
      .given(implementing)
      .when(p('ReportFeedback', { text: '反馈' }, clerk, day(41)))
      .thenRefused('implementation-incomplete', { progressPercent: 40 });
    const done = run(
      [p('ReportImplementation', { progressPercent: 100, text: '完工' }, clerk, day(60))],
      implementing,
    );
    const feedback = spec
      .given(done)
      .when(p('ReportFeedback', { text: '向业主反馈' }, clerk, day(61)))
      .then((e) => expect(e[0]?.data).toMatchObject({ stageId: 'feedback' }));
    const rate = p('RateSatisfaction', { rating: 5, comment: '满意' }, owner('b'), day(62));
    spec.given(done).when(rate).thenRefused('stage-out-of-order');
    const rated = spec
      .given([...done, ...feedback])
      .when(rate)
      .then((e) => expect(e[0]?.data).toMatchObject({ rating: 5 }));
    spec
      .given([...done, ...feedback, ...rated])
      .when(rate)
      .thenRefused('already-exists');
  });
  it('a rejected owners’ vote is published, then the proposal is closed', () => {
    const rejected = run(
      [
        ballot('a', 'no'),
        p('CloseVoting', {}, convener, day(30)),
        p('Publish', { text: '未通过' }, clerk, day(31)),
      ],
      opened,
    );
    spec
      .given(rejected)
      .when(p('ReportImplementation', { progressPercent: 1, text: 't' }, clerk, day(40)))
      .thenRefused('not-adopted');
  });
  it('a villagers’ resolution that fails ends the proposal (四议两公开)', () => {
    const branch = representative('li', 'dzb');
    const members = [personVoter('pm1'), personVoter('pm2'), personVoter('pm3')];
    const villagers = [personVoter('v1', 'h1'), personVoter('v2', 'h2')];
    const events = run([
      submit(
        'four-deliberations',
        { onBehalfOf: { partyId: 'dzb', partyKind: 'party-organisation' } },
        branch,
      ),
      p('RecordDeliberation', { summary: '两委会商议' }, clerk, day(1)),
      p(
        'OpenVoting',
        {
          rule: {
            kind: 'party-members-meeting',
            partyId: 'dzb',
            quorum: { numerator: 2, denominator: 3, inclusive: true },
            approval: { numerator: 1, denominator: 2, inclusive: false },
          },
          communityRules: ruralRules,
          closesAt: day(3),
          electorate: members,
        },
        convener,
        day(2),
      ),
      ...['pm1', 'pm2', 'pm3'].map((v) =>
        p('CastBallot', { choices: [{ itemId: 'main', choice: 'yes' }] }, resident(v), day(2, 1)),
      ),
      p('CloseVoting', {}, convener, day(2, 2)),
      p('GiveNotice', { text: '村民会议通知' }, convener, day(3)),
    ]);
    const vote = p(
      'OpenVoting',
      {
        rule: { kind: 'villagers-meeting' },
        communityRules: ruralRules,
        closesAt: day(20),
        electorate: villagers,
      },
      convener,
      day(13),
    );
    spec
      .given(events)
      .when({ ...vote, at: day(12) })
      .thenRefused('notice-period-not-elapsed', { minDays: 10 });
    spec
      .given(events)
      .when(
        p(
          'OpenVoting',
          {
            rule: { kind: 'villagers-meeting' },
            communityRules: ruralRules,
            closesAt: day(20),
            electorate: [personVoter('v1')],
          },
          convener,
          day(13),
        ),
      )
      .thenRefused('invalid-command');
    const failed = run(
      [
        vote,
        p('CastBallot', { choices: [{ itemId: 'main', choice: 'no' }] }, resident('v1'), day(14)),
        p('CloseVoting', {}, convener, day(20)),
      ],
      events,
    );
    expect(eventData(failed, 'ProposalDecided')).toMatchObject({
      stageId: 'villagers-resolution',
      outcome: 'rejected',
    });
    spec
      .given(failed)
      .when(p('Publish', { text: 't' }, clerk, day(21)))
      .thenRefused('proposal-closed');
  });
});

describe('WithdrawProposal', () => {
  const submitted = run([submit('owners-joint-decision')]);
  it('the submitter or the convener withdraws before a decision; nothing follows', () => {
    const withdrawn = spec
      .given(submitted)
      .when(p('WithdrawProposal', { reason: '情况变化' }, owner('a'), day(1)))
      .then((e) => expect(e[0]?.type).toBe('ProposalWithdrawn'));
    spec
      .given([...submitted, ...withdrawn])
      .when(p('GiveNotice', { text: 't' }, convener, day(2)))
      .thenRefused('proposal-withdrawn');
    spec
      .given(submitted)
      .when(p('WithdrawProposal', { reason: 'r' }, convener, day(1)))
      .then((e) => expect(e).toHaveLength(1));
  });
  it('refuses others, an open vote, a decided proposal', () => {
    spec
      .given(submitted)
      .when(p('WithdrawProposal', { reason: 'r' }, owner('b'), day(1)))
      .thenRefused('not-authorised');
    spec
      .given(opened)
      .when(p('WithdrawProposal', { reason: 'r' }, owner('a'), day(20)))
      .thenRefused('voting-open');
    spec
      .given(decided)
      .when(p('WithdrawProposal', { reason: 'r' }, owner('a'), day(31)))
      .thenRefused('already-resolved');
  });
});

describe('decisions of one building or entrance (domain.md 3.1b)', () => {
  const lift: ProposalItem = {
    itemId: 'lift',
    title: '3号楼2单元加装电梯',
    kind: 'motion',
    matter: 'rebuild',
    options: [],
    cost: { basis: 'area', totalFen: 60_000_000 },
  };
  const building = { kind: 'building', building: '3号楼', entrance: '2单元' } as const;
  /** The entrance's three owners of 100 m² each. */
  const entranceOwners = ['a', 'b', 'c'].map((id) => ownerVoter(id, 10_000));
  const submitted = run([
    submit('owners-joint-decision', { items: [lift], scope: building }),
    p('GiveNotice', { text: '加装电梯表决公告' }, convener, day(1)),
  ]);
  const open = (scope?: VoteScope) =>
    p(
      'OpenVoting',
      {
        rule: { kind: 'owners-278' },
        communityRules: urbanRules,
        closesAt: day(30),
        electorate: entranceOwners,
        ...(scope === undefined ? {} : { scope }),
      },
      convener,
      day(16),
    );

  it('records the scope with the proposal and freezes it with the electorate', () => {
    expect(eventData(submitted, 'ProposalSubmitted')).toMatchObject({ scope: building });
    spec
      .given(submitted)
      .when(open(building))
      .then((events) =>
        expect(events[0]?.data).toMatchObject({
          scope: building,
          totals: { voters: 3, heads: 3, areaCentiM2: 30_000 },
        }),
      );
  });
  it('refuses an electorate counted for another scope than the proposal’s', () => {
    spec
      .given(submitted)
      .when(open({ kind: 'community' }))
      .thenRefused('scope-mismatch');
    spec.given(submitted).when(open()).thenRefused('scope-mismatch');
    spec
      .given(submitted)
      .when(open({ ...building, entrance: '1单元' }))
      .thenRefused('scope-mismatch');
  });
  it('refuses a building scope for a procedure the owners do not decide', () => {
    spec
      .given([])
      .when(submit('community-consultation', { scope: building }, resident('a')))
      .thenRefused('scope-not-applicable');
  });
  it('leaves community-wide proposals and votes as they were (no scope recorded)', () => {
    expect(eventData(opened, 'VotingOpened')).not.toHaveProperty('scope');
    expect(eventData(opened, 'ProposalSubmitted')).not.toHaveProperty('scope');
  });
  it('applies Art. 278 to the entrance: 2 of 3 owners with 2/3 of its area make the quorum', () => {
    const vote = run([open(building)], submitted);
    const cast = (voter: string) =>
      p('CastBallot', { choices: [{ itemId: 'lift', choice: 'yes' }] }, owner(voter), day(20));
    const two = run([cast('a'), cast('b'), p('CloseVoting', {}, convener, day(30))], vote);
    expect(eventData(two, 'ProposalDecided')).toMatchObject({ outcome: 'adopted' });
    const one = run([cast('a'), p('CloseVoting', {}, convener, day(30))], vote);
    expect(eventData(one, 'ProposalDecided')).toMatchObject({ outcome: 'rejected' });
  });
});
