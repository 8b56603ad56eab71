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

describe('the person responsible for implementation (落实责任人)', () => {
  const all = run(
    ['c', 'd'].map((v) =>
      p('CastBallot', { choices: [{ itemId: 'fund', choice: 'yes' }] }, owner(v), day(21)),
    ),
    aAndBVoted,
  );
  const closed = run([p('CloseVoting', {}, convener, day(30))], all);
  const publishWith = (data: object) =>
    p('Publish', { text: '表决结果公告', implementationDueAt: day(60), ...data }, clerk, day(31));
  const published = run(
    [publishWith({ implementationResponsibleId: 'wang', responsibleRegistered: true })],
    closed,
  );
  const assign = (responsibleId: string, at = day(40), registered = true) =>
    p(
      'AssignImplementation',
      { responsibleId, reason: '王某调离', responsibleRegistered: registered },
      convener,
      at,
    );
  const flag = (at: string) => p('FlagImplementationOverdue', { dueAt: day(60) }, SYSTEM_ACTOR, at);

  it('is named at publication, without the registry’s answer in the record', () => {
    spec
      .given(closed)
      .when(publishWith({ implementationResponsibleId: 'wang', responsibleRegistered: true }))
      .then((events) => {
        expect(events[0]!.data).toMatchObject({ implementationResponsibleId: 'wang' });
        expect(events[0]!.data).not.toHaveProperty('responsibleRegistered');
      });
  });

  it('refuses a person the registry does not have, naming the field', () => {
    spec
      .given(closed)
      .when(publishWith({ implementationResponsibleId: 'nobody', responsibleRegistered: false }))
      .thenRefused('person-not-registered', { field: 'implementationResponsibleId' });
    // Without the service's answer the person counts as unknown, never as registered.
    spec
      .given(closed)
      .when(publishWith({ implementationResponsibleId: 'nobody' }))
      .thenRefused('person-not-registered');
    spec
      .given(published)
      .when(assign('nobody', day(40), false))
      .thenRefused('person-not-registered', { field: 'responsibleId' });
  });

  it('is reminded when implementation is overdue', () => {
    spec
      .given(published)
      .when(flag(day(60)))
      .then([
        {
          type: 'ImplementationOverdue',
          data: { dueAt: day(60), responsibleId: 'wang', at: day(60), by: SYSTEM_ACTOR },
        },
      ]);
  });

  it('is changed by the convener with a reason, also after the flag; the flag stays once', () => {
    spec
      .given(published)
      .when(assign('li'))
      .then([
        {
          type: 'ImplementationAssigned',
          data: {
            responsibleId: 'li',
            reason: '王某调离',
            previousResponsibleId: 'wang',
            at: day(40),
            by: convener,
          },
        },
      ]);
    const flagged = run([flag(day(60))], published);
    const reassigned = run([assign('li', day(62))], flagged);
    expect(reassigned.at(-1)).toMatchObject({
      type: 'ImplementationAssigned',
      data: { responsibleId: 'li', previousResponsibleId: 'wang' },
    });
    spec
      .given(reassigned)
      .when(flag(day(63)))
      .thenRefused('already-exists');
    expect(
      spec
        .given(reassigned)
        .when(assign('zhao', day(64)))
        .thenState(),
    ).toMatchObject({
      implementationResponsibleId: 'zhao',
    });
  });

  it('is assigned only once implementation is due, to someone new, until it is complete', () => {
    spec.given(closed).when(assign('li')).thenRefused('stage-out-of-order');
    spec.given(published).when(assign('wang')).thenRefused('already-exists');
    const done = run(
      [p('ReportImplementation', { progressPercent: 100, text: '完工' }, clerk, day(50))],
      published,
    );
    spec
      .given(done)
      .when(assign('li', day(51)))
      .thenRefused('already-resolved');
  });

  it('names no one when no one was named: the community’s webhooks are reminded', () => {
    const anonymous = run([publishWith({})], closed);
    spec
      .given(anonymous)
      .when(flag(day(60)))
      .then((events) => expect(events[0]!.data).not.toHaveProperty('responsibleId'));
  });
});
