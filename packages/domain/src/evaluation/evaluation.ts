import type { CommunityRegistry } from '../community/state.ts';
import {
  type CommandsOf,
  type Decider,
  type Decision,
  type EventsOf,
  eventsFor,
  type OfType,
} from '../shared/decider.ts';
import { type DomainError, refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import { emptyPMap, type PMap, pget, phas, pset } from '../shared/pmap.ts';
import { atOrAfter, before } from '../shared/time.ts';
import {
  type EvaluationAnswer,
  type EvaluationQuestion,
  type evaluationCommandSchemas,
  type evaluationEventSchemas,
  MIN_RESPONDENTS,
  type QuestionResult,
} from './schemas.ts';

export * from './schemas.ts';

export type EvaluationCommand = CommandsOf<typeof evaluationCommandSchemas>;
export type EvaluationEvent = EventsOf<typeof evaluationEventSchemas>;

export interface Evaluation {
  readonly status: 'open' | 'closed';
  readonly closesAt: string;
  readonly questions: readonly EvaluationQuestion[];
  /** Who answered (public). */
  readonly respondents: PMap<true>;
  readonly respondentCount: number;
  /** The running aggregate, per question: value or option id → count. */
  readonly tallies: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export type EvaluationState = { readonly status: 'none' } | Evaluation;

type EvaluationDecision = Decision<EvaluationEvent>;

/** Whether the registry lists the person as a resident of an active household or as an owner. */
export function evaluationRespondent(
  registry: CommunityRegistry,
  personId: string,
): { eligible: boolean } {
  const person = pget(registry.persons, personId);
  const household =
    person?.householdId === undefined ? undefined : pget(registry.households, person.householdId);
  const owner = (pget(registry.unitsByOwner, personId)?.length ?? 0) > 0;
  return { eligible: household?.active === true || owner };
}

function questionsProblem(questions: readonly EvaluationQuestion[]): DomainError | undefined {
  const ids = new Set(questions.map((q) => q.questionId));
  if (ids.size !== questions.length) {
    return refuse('invalid-command', 'a question id appears twice', { field: 'questions' });
  }
  for (const q of questions) {
    if (
      q.kind === 'choice' &&
      new Set(q.options.map((o) => o.optionId)).size !== q.options.length
    ) {
      return refuse('invalid-command', `question ${q.questionId} lists an option twice`, {
        field: 'questions',
      });
    }
  }
  return undefined;
}

/** Every question answered once, each answer of its question's kind. */
function answersProblem(
  questions: readonly EvaluationQuestion[],
  answers: readonly EvaluationAnswer[],
): DomainError | undefined {
  const byId = new Map(answers.map((a) => [a.questionId, a]));
  if (byId.size !== answers.length) {
    return refuse('invalid-command', 'a question is answered twice', { field: 'answers' });
  }
  for (const a of answers) {
    if (!questions.some((q) => q.questionId === a.questionId)) {
      return refuse('not-found', `no question ${a.questionId}`, { field: 'answers' });
    }
  }
  for (const q of questions) {
    const a = byId.get(q.questionId);
    const fits =
      q.kind === 'scale'
        ? a?.value !== undefined && a.optionId === undefined
        : a?.optionId !== undefined &&
          a.value === undefined &&
          q.options.some((o) => o.optionId === a.optionId);
    if (!fits) {
      return refuse('invalid-command', `question ${q.questionId} needs one answer of its kind`, {
        field: 'answers',
        questionId: q.questionId,
      });
    }
  }
  return undefined;
}

function answer(
  command: OfType<EvaluationCommand, 'AnswerEvaluation'>,
  state: Evaluation,
): EvaluationDecision {
  if (state.status !== 'open' || atOrAfter(command.at, state.closesAt)) {
    return refuse('evaluation-closed', 'the evaluation is closed');
  }
  if (!command.data.respondent.eligible) {
    return refuse('not-eligible', 'residents and owners of the community answer');
  }
  if (phas(state.respondents, command.actor.personId)) {
    return refuse('already-answered', 'each person answers once');
  }
  const problem = answersProblem(state.questions, command.data.answers);
  if (problem) return problem;
  const emit = eventsFor<EvaluationEvent>(command);
  // In questionnaire order, so equal answers make equal events.
  const sealedAnswers = state.questions.map((q) => {
    const a = command.data.answers.find((x) => x.questionId === q.questionId)!;
    return defined({ questionId: q.questionId, value: a.value, optionId: a.optionId });
  });
  return [emit('EvaluationAnswered', { sealedAnswers })];
}

/** The published figures: per question, the counts of each value or option. */
function resultsOf(state: Evaluation): QuestionResult[] {
  return state.questions.map((q) => {
    const tally = state.tallies[q.questionId] ?? {};
    if (q.kind === 'scale') {
      const counts = [1, 2, 3, 4, 5].map((v) => tally[String(v)] ?? 0);
      return {
        questionId: q.questionId,
        kind: 'scale',
        counts,
        sum: counts.reduce((s, n, i) => s + n * (i + 1), 0),
        answers: counts.reduce((s, n) => s + n, 0),
      };
    }
    const counts = q.options.map((o) => ({ optionId: o.optionId, count: tally[o.optionId] ?? 0 }));
    return {
      questionId: q.questionId,
      kind: 'choice',
      counts,
      answers: counts.reduce((s, c) => s + c.count, 0),
    };
  });
}

function decideEvaluation(command: EvaluationCommand, state: Evaluation): EvaluationDecision {
  const emit = eventsFor<EvaluationEvent>(command);
  switch (command.type) {
    case 'OpenEvaluation':
      return refuse('already-exists', `evaluation ${command.data.evaluationId} exists`);
    case 'AnswerEvaluation':
      return answer(command, state);
    case 'CloseEvaluation': {
      if (state.status === 'closed') return refuse('evaluation-closed', 'closed already');
      const published = state.respondentCount >= MIN_RESPONDENTS;
      return [
        emit(
          'EvaluationClosed',
          defined({
            note: command.data.note,
            respondents: state.respondentCount,
            early: before(command.at, state.closesAt),
            results: published ? resultsOf(state) : [],
            withheld: published ? undefined : ('too-few-respondents' as const),
          }),
        ),
      ];
    }
    default: {
      const _exhaustive: never = command;
      return refuse('invalid-command', 'unknown command');
    }
  }
}

function evolveEvaluation(state: Evaluation, event: EvaluationEvent): Evaluation {
  switch (event.type) {
    case 'EvaluationOpened':
      return state;
    case 'EvaluationAnswered': {
      const tallies = { ...state.tallies };
      for (const a of event.data.sealedAnswers) {
        const key = a.optionId ?? String(a.value);
        const tally = tallies[a.questionId] ?? {};
        tallies[a.questionId] = { ...tally, [key]: (tally[key] ?? 0) + 1 };
      }
      return {
        ...state,
        tallies,
        respondents: pset(state.respondents, event.data.by.personId, true as const),
        respondentCount: state.respondentCount + 1,
      };
    }
    case 'EvaluationClosed':
      return { ...state, status: 'closed' };
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

export const evaluationDecider: Decider<EvaluationCommand, EvaluationEvent, EvaluationState> = {
  initialState: () => ({ status: 'none' }),
  evolve(state, event) {
    if (event.type === 'EvaluationOpened') {
      return {
        status: 'open',
        closesAt: event.data.closesAt,
        questions: event.data.questions,
        respondents: emptyPMap(),
        respondentCount: 0,
        tallies: {},
      };
    }
    return state.status === 'none' ? state : evolveEvaluation(state, event);
  },
  decide(command, state) {
    if (state.status !== 'none') return decideEvaluation(command, state);
    if (command.type !== 'OpenEvaluation') return refuse('not-found', 'no such evaluation');
    if (!before(command.at, command.data.closesAt)) {
      return refuse('invalid-command', 'it closes in the future', { field: 'closesAt' });
    }
    const problem = questionsProblem(command.data.questions);
    if (problem) return problem;
    const emit = eventsFor<EvaluationEvent>(command);
    return [emit('EvaluationOpened', defined(command.data))];
  },
};
