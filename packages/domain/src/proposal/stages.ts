import type { Stage, StageKind } from '../procedure/templates.ts';
import { type DomainError, refuse } from '../shared/errors.ts';
import { before } from '../shared/time.ts';
import { currentStage, type Proposal } from './state.ts';

// The order of stages: a proposal enters its next stage only in order (or the stage it returned
// to), once the current one is complete and any notice period has run.

const stageName = (stage: Stage | undefined) => (stage ? `${stage.id} (${stage.name})` : 'none');

/**
 * Whether the proposal may enter its next stage, which must be of `kind`: the next stage in
 * order (or the stage it returned to), with the current stage complete.
 */
export function gate(
  state: Proposal,
  kind: StageKind,
  at: string,
): { index: number; stage: Stage } | DomainError {
  const current = currentStage(state);
  const index = state.returnTo ?? state.stageIndex + 1;
  const stage = state.stages[index];
  if (!current) return refuse('stage-out-of-order', 'the proposal has no current stage');
  if (!stage || stage.kind !== kind) {
    return refuse(
      'stage-out-of-order',
      `the next stage is ${stageName(stage)}, not a ${kind} stage`,
      { current: current.id, next: stage?.id ?? null, requested: kind },
    );
  }
  if (state.returnTo !== undefined) return { index, stage };
  const notice = state.notice;
  if (notice?.outdated) {
    return refuse('notice-outdated', 'the proposal was amended after its notice: give it again', {
      stageId: notice.stageId,
    });
  }
  if (notice !== undefined && before(at, notice.until)) {
    return refuse('notice-period-not-elapsed', `the notice period runs until ${notice.until}`, {
      nextStageFrom: notice.until,
      minDays: notice.minDays,
    });
  }
  const incomplete = incompleteBecause(state, current, stage, at);
  return incomplete ?? { index, stage };
}

/**
 * The stage a repeatable report goes to: the current one when it is of `kind` (deliberation,
 * implementation and feedback are reported more than once), else the next through the gate.
 */
export function sameOrNext(
  state: Proposal,
  kind: StageKind,
  at: string,
): { stage: Stage } | DomainError {
  const current = currentStage(state);
  const repeat = current?.kind === kind && state.returnTo === undefined;
  return repeat ? { stage: current } : gate(state, kind, at);
}

/** Why the current stage does not yet allow `next`, or undefined. */
function incompleteBecause(
  state: Proposal,
  current: Stage,
  next: Stage,
  at: string,
): DomainError | undefined {
  switch (current.kind) {
    case 'submission':
    case 'agenda':
    case 'notice': // its period is checked by gate while the notice holds
    case 'deliberation':
    case 'feedback':
      return undefined;
    case 'decision':
      return undecidedBecause(state, current, next);
    case 'publication':
      return unpublishedBecause(state, current, at);
    case 'implementation':
      return (state.progressPercent ?? 0) < 100
        ? refuse('implementation-incomplete', 'implementation is not reported complete', {
            progressPercent: state.progressPercent ?? 0,
          })
        : undefined;
    default: {
      const _exhaustive: never = current;
      return undefined;
    }
  }
}

/** A decision stage is complete when decided, and (if rejected) only towards its publication. */
function undecidedBecause(
  state: Proposal,
  current: Extract<Stage, { kind: 'decision' }>,
  next: Stage,
): DomainError | undefined {
  const decision = state.decision;
  if (decision?.stageIndex !== state.stageIndex) {
    return state.vote && !state.vote.closed && state.vote.stageIndex === state.stageIndex
      ? refuse('voting-open', 'the vote is still open')
      : refuse('stage-out-of-order', `stage ${current.id} is not decided yet`);
  }
  if (decision.outcome !== 'rejected') return undefined;
  if (current.ifRejected === 'publish' && next.kind === 'publication') return undefined;
  return current.ifRejected === 'end'
    ? refuse('proposal-closed', 'the proposal was rejected and is closed')
    : refuse('not-adopted', 'the proposal was rejected', { ifRejected: current.ifRejected });
}

/** A publication is complete when its period has run and every objection is answered. */
function unpublishedBecause(state: Proposal, current: Stage, at: string): DomainError | undefined {
  const publication = state.publication;
  if (publication?.stageIndex !== state.stageIndex) {
    return refuse('stage-out-of-order', `stage ${current.id} is not published yet`);
  }
  if (before(at, publication.endsAt)) {
    return refuse('publication-period-open', `the publication runs until ${publication.endsAt}`, {
      endsAt: publication.endsAt,
    });
  }
  const open = Object.entries(state.objections)
    .filter(([, o]) => o.stageIndex === state.stageIndex && !o.answered)
    .map(([id]) => id);
  if (open.length > 0) {
    return refuse('objections-unanswered', 'objections are waiting for an answer', {
      objectionIds: open,
    });
  }
  return state.decision?.outcome === 'rejected'
    ? refuse('not-adopted', 'the rejection was published; the proposal is closed')
    : undefined;
}
