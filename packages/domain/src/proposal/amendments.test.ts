import { describe, expect, it } from 'vitest';
import {
  convener,
  fundItem,
  owner,
  ownersVoteOpen,
  p,
  resident,
  submit,
} from '../testing/fixtures.ts';
import { day, history, specFor } from '../testing/spec.ts';
import { proposalDecider, proposalEventSchemas } from './proposal.ts';

// Residents' amendments (修改建议): proposed by anyone of the community before voting, answered
// by the submitter or the convener; an accepted one amends the proposal as AmendProposal does.

const spec = specFor(proposalDecider, proposalEventSchemas);
const run = (commands: Parameters<typeof history>[1]) =>
  history(proposalDecider, commands as never) as never;
const submitted = run([submit('owners-joint-decision', { items: [fundItem] })]);
const proposed = run([
  submit('owners-joint-decision', { items: [fundItem] }),
  p('ProposeAmendment', { title: '更换两部电梯', reason: '两部都老旧' }, resident('wang'), day(1)),
]);

describe('residents’ amendments', () => {
  it('records a proposal, numbered a1, without changing the text', () => {
    const state = spec
      .given(submitted)
      .when(
        p(
          'ProposeAmendment',
          { title: '更换两部电梯', reason: '两部都老旧' },
          resident('wang'),
          day(1),
        ),
      )
      .then((events) =>
        expect(events[0]).toMatchObject({ type: 'AmendmentProposed', data: { amendmentId: 'a1' } }),
      );
    expect(state).toHaveLength(1);
    const after = spec
      .given(proposed)
      .when(p('ProposeAmendment', { description: '另述', reason: 'r' }, owner('b'), day(2)))
      .thenState();
    expect(after.status !== 'none' && after.title).toBe('更换电梯');
    expect(after.status !== 'none' && Object.keys(after.amendments)).toEqual(['a1', 'a2']);
  });

  it('refuses an amendment that changes nothing', () => {
    spec
      .given(submitted)
      .when(p('ProposeAmendment', { reason: '无' }, resident('wang'), day(1)))
      .thenRefused('invalid-command');
  });

  it('accepting amends the proposal and requires notice again after the notice', () => {
    const noticed = run([
      submit('owners-joint-decision', { items: [fundItem] }),
      p('GiveNotice', { text: '公告' }, convener, day(1)),
      p(
        'ProposeAmendment',
        { title: '更换两部电梯', reason: '两部都老旧' },
        resident('wang'),
        day(2),
      ),
    ]);
    spec
      .given(noticed)
      .when(p('AcceptAmendment', { amendmentId: 'a1', reason: '采纳' }, owner('a'), day(3)))
      .then([
        {
          type: 'AmendmentAccepted',
          data: { amendmentId: 'a1', reason: '采纳', at: day(3), by: owner('a') },
        },
        {
          type: 'ProposalAmended',
          data: {
            title: '更换两部电梯',
            reason: '采纳',
            amendmentId: 'a1',
            renoticeRequired: { stageId: 'notice' },
            at: day(3),
            by: owner('a'),
          },
        },
      ]);
  });

  it('only the submitter or the convener answers, once', () => {
    spec
      .given(proposed)
      .when(p('AcceptAmendment', { amendmentId: 'a1', reason: 'x' }, resident('wang'), day(2)))
      .thenRefused('not-authorised');
    spec
      .given(proposed)
      .when(p('RejectAmendment', { amendmentId: 'a1', reason: 'x' }, owner('b'), day(2)))
      .thenRefused('not-authorised');
    const rejected = run([
      submit('owners-joint-decision', { items: [fundItem] }),
      p('ProposeAmendment', { title: 't', reason: 'r' }, resident('wang'), day(1)),
      p('RejectAmendment', { amendmentId: 'a1', reason: '超出议题范围' }, convener, day(2)),
    ]);
    spec
      .given(rejected)
      .when(p('AcceptAmendment', { amendmentId: 'a1', reason: 'x' }, convener, day(3)))
      .thenRefused('already-resolved');
    spec
      .given(proposed)
      .when(p('AcceptAmendment', { amendmentId: 'a9', reason: 'x' }, convener, day(3)))
      .thenRefused('not-found');
  });

  it('closes with voting: no new amendment and no acceptance, but a rejection', () => {
    const open = run(ownersVoteOpen());
    spec
      .given(open)
      .when(p('ProposeAmendment', { title: 't', reason: 'r' }, resident('wang'), day(17)))
      .thenRefused('amendment-closed');
    const pendingThenOpen = run([
      submit('owners-joint-decision', { items: [fundItem] }),
      p('ProposeAmendment', { title: 't', reason: 'r' }, resident('wang'), day(1)),
      ...ownersVoteOpen().slice(1),
    ]);
    spec
      .given(pendingThenOpen)
      .when(p('AcceptAmendment', { amendmentId: 'a1', reason: 'x' }, convener, day(17)))
      .thenRefused('amendment-closed');
    spec
      .given(pendingThenOpen)
      .when(p('RejectAmendment', { amendmentId: 'a1', reason: '表决已开始' }, convener, day(17)))
      .then((events) => expect(events.map((e) => e.type)).toEqual(['AmendmentRejected']));
  });
});
