import { z } from 'zod';
import { Actor, CommunityId, Id, IsoTime, Text } from '../shared/decider.ts';

// A periodic evaluation (评议, e.g. 物业服务评估), stream `evaluation-<cid>.<eid>`: the convener
// or clerk opens a short questionnaire; each resident or owner answers once until it closes;
// closing publishes the aggregate. Who answered is public; what each answered is sealed: it is
// in `EvaluationAnswered.sealedAnswers` so the aggregate can be computed again from the events,
// and no query route, timeline line or notification ever shows that field. Whoever can read the
// event store itself (the database's owner) can still read it with the answer's author: the
// seal is the service's, not cryptographic.

/** A 1–5 scale (很不满意 … 很满意), or one choice among a few. */
export const EvaluationQuestion = z.discriminatedUnion('kind', [
  z.object({ questionId: Id, text: Text(300), kind: z.literal('scale') }),
  z.object({
    questionId: Id,
    text: Text(300),
    kind: z.literal('choice'),
    options: z
      .array(z.object({ optionId: Id, label: Text(100) }))
      .min(2)
      .max(10),
  }),
]);
export type EvaluationQuestion = z.infer<typeof EvaluationQuestion>;

/** One question's answer: `value` 1–5 for a scale, `optionId` for a choice. */
export const EvaluationAnswer = z.object({
  questionId: Id,
  value: z.number().int().min(1).max(5).optional(),
  optionId: Id.optional(),
});
export type EvaluationAnswer = z.infer<typeof EvaluationAnswer>;

/** Context: whether the registry lists the person as a resident of an active household or an owner. */
export const Respondent = z.object({ eligible: z.boolean() });

/** Fewer answers than this and closing publishes no figures: they could point at a person. */
export const MIN_RESPONDENTS = 5;

export const OpenEvaluationData = z.object({
  evaluationId: Id,
  /** Context: the community, from the path. */
  communityId: CommunityId,
  title: Text(200),
  /** What is evaluated, e.g. the property company (物业服务企业) by name. */
  subject: Text(200).optional(),
  description: Text(5000).optional(),
  closesAt: IsoTime,
  questions: z.array(EvaluationQuestion).min(1).max(20),
});
export const AnswerEvaluationData = z.object({
  answers: z.array(EvaluationAnswer).min(1).max(20),
  /** Context. */
  respondent: Respondent,
});
export const CloseEvaluationData = z.object({ note: Text(500).optional() });

const Count = z.number().int().nonnegative();

/** A question's aggregate: how many gave each value (1–5) or chose each option. */
export const QuestionResult = z.discriminatedUnion('kind', [
  z.object({
    questionId: Id,
    kind: z.literal('scale'),
    /** Answers of 1, 2, 3, 4 and 5, in that order. */
    counts: z.array(Count).length(5),
    /** Sum of the values: the mean is sum / answers (kept as integers). */
    sum: Count,
    answers: Count,
  }),
  z.object({
    questionId: Id,
    kind: z.literal('choice'),
    counts: z.array(z.object({ optionId: Id, count: Count })),
    answers: Count,
  }),
]);
export type QuestionResult = z.infer<typeof QuestionResult>;

const Meta = { at: IsoTime, by: Actor };

export const EvaluationOpenedData = OpenEvaluationData.extend(Meta);
export const EvaluationAnsweredData = z.object({
  /** Sealed: read only to compute the aggregate (see above). */
  sealedAnswers: z.array(EvaluationAnswer),
  ...Meta,
});
export const EvaluationClosedData = z.object({
  note: z.string().optional(),
  respondents: Count,
  /** Closed before `closesAt` by the convener or clerk. */
  early: z.boolean(),
  /** Per question, in the questionnaire's order; empty when withheld. */
  results: z.array(QuestionResult),
  /** Too few answers to publish figures without pointing at a person. */
  withheld: z.literal('too-few-respondents').optional(),
  ...Meta,
});

export const evaluationCommandSchemas = {
  OpenEvaluation: OpenEvaluationData,
  AnswerEvaluation: AnswerEvaluationData,
  CloseEvaluation: CloseEvaluationData,
} as const;

export const evaluationEventSchemas = {
  EvaluationOpened: EvaluationOpenedData,
  EvaluationAnswered: EvaluationAnsweredData,
  EvaluationClosed: EvaluationClosedData,
} as const;

/** Event fields no read route, timeline line or notification may show. */
export const SEALED_FIELDS: readonly string[] = ['sealedAnswers'];
