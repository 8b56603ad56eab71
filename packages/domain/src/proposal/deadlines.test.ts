import { describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../shared/decider.ts';
import { clerk, convener, owner, ownersVoteOpen, p } from '../testing/fixtures.ts';
import { day, history, specFor } from '../testing/spec.ts';
import {
  type ProposalCommand,
  type ProposalEvent,
  proposalDecider,
  proposalEventSchemas,
} from './proposal.ts';

const spec = specFor(proposalDecider, proposalEventSchemas);
const run = (commands: ProposalCommand[], from: ProposalEvent[] = []) =>
  history(proposalDecider, commands, from);

const opened = run(ownersVoteOpen());
const voteId = opened.find((e) => e.type === 'VotingOpened')!.data.voteId as string;
const aAndBVoted = run(
  ['a', 'b'].map((v) =>
    p('CastBallot', { choices: [{ itemId: 'fund', choice: 'yes' }] }, owner(v), day(20)),
  ),
  opened,
);
const remind = (at = day(28)) => p('RemindNonVoters', { voteId }, SYSTEM_ACTOR, at);

describe('RemindNonVoters', () => {
  it('names the persons of the voters without a ballot, as the system', () => {
    spec
      .given(aAndBVoted)
      .when(remind())
      .then([
        {
          type: 'NonVotersReminded',
          data: {
            voteId,
            closesAt: day(30),
            personIds: ['c', 'd'],
            at: day(28),
            by: { personId: 'system', role: 'system' },
          },
        },
      ]);
  });

  it('reminds once per vote', () => {
    spec
      .given(run([remind()], aAndBVoted))
      .when(remind(day(29)))
      .thenRefused('already-exists');
  });

  it('is the scheduler’s alone, and not after closing', () => {
    spec
      .given(aAndBVoted)
      .when(p('RemindNonVoters', { voteId }, convener, day(28)))
      .thenRefused('not-authorised');
    spec
      .given(aAndBVoted)
      .when(remind(day(30)))
      .thenRefused('voting-not-open');
  });
});

describe('CloseVoting by the system', () => {
  it('closes at closesAt with the frozen rule, recording the system actor', () => {
    const events = spec
      .given(aAndBVoted)
      .when(p('CloseVoting', {}, SYSTEM_ACTOR, day(30)))
      .then((events) =>
        expect(events.map((e) => e.type)).toEqual(['VotingClosed', 'ProposalDecided']),
      );
    expect((events[0]!.data as { by: unknown }).by).toEqual({ personId: 'system', role: 'system' });
  });

  it('refuses before closesAt', () => {
    spec
      .given(aAndBVoted)
      .when(p('CloseVoting', {}, SYSTEM_ACTOR, day(29)))
      .thenRefused('voting-still-open');
  });
});

describe('FlagImplementationOverdue', () => {
  const all = run(
    ['c', 'd'].map((v) =>
      p('CastBallot', { choices: [{ itemId: 'fund', choice: 'yes' }] }, owner(v), day(21)),
    ),
    aAndBVoted,
  );
  const published = run(
    [
      p('CloseVoting', {}, convener, day(30)),
      p('Publish', { text: '表决结果公告', implementationDueAt: day(60) }, clerk, day(31)),
    ],
    all,
  );
  const flag = (at: string) => p('FlagImplementationOverdue', { dueAt: day(60) }, SYSTEM_ACTOR, at);

  it('flags once, at the due time, with the progress last reported', () => {
    const reported = run(
      [p('ReportImplementation', { progressPercent: 40, text: '施工中' }, clerk, day(45))],
      published,
    );
    spec
      .given(reported)
      .when(flag(day(60)))
      .then([
        {
          type: 'ImplementationOverdue',
          data: { dueAt: day(60), progressPercent: 40, at: day(60), by: SYSTEM_ACTOR },
        },
      ]);
    spec
      .given(run([flag(day(60))], reported))
      .when(flag(day(61)))
      .thenRefused('already-exists');
  });

  it('does not flag before the due time, nor a complete implementation', () => {
    spec
      .given(published)
      .when(flag(day(59)))
      .thenRefused('invalid-command');
    const done = run(
      [p('ReportImplementation', { progressPercent: 100, text: '完工' }, clerk, day(50))],
      published,
    );
    spec
      .given(done)
      .when(flag(day(60)))
      .thenRefused('already-resolved');
  });
});
