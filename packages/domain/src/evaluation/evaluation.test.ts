import { describe, expect, it } from 'vitest';
import { clerk, convener, owner, resident } from '../testing/fixtures.ts';
import { commandsOf, day, history, specFor } from '../testing/spec.ts';
import { type EvaluationCommand, evaluationDecider, evaluationEventSchemas } from './evaluation.ts';

const spec = specFor(evaluationDecider, evaluationEventSchemas);
const c = commandsOf<EvaluationCommand>();
const eligible = { eligible: true };
const opened = history(evaluationDecider, [
  c(
    'OpenEvaluation',
    {
      evaluationId: 'e1',
      communityId: 'hp',
      title: '2026年物业服务评估',
      closesAt: day(10),
      questions: [
        { questionId: 'clean', text: '保洁', kind: 'scale' },
        {
          questionId: 'renew',
          text: '是否续聘',
          kind: 'choice',
          options: [
            { optionId: 'yes', label: '续聘' },
            { optionId: 'no', label: '不续聘' },
          ],
        },
      ],
    },
    convener,
    day(0),
  ),
]);
const answer = (personId: string, value: number, optionId: string, at = day(1)) =>
  c(
    'AnswerEvaluation',
    {
      answers: [
        { questionId: 'renew', optionId },
        { questionId: 'clean', value },
      ],
      respondent: eligible,
    },
    resident(personId),
    at,
  );

describe('evaluations (评议)', () => {
  it('seals each answer in questionnaire order', () => {
    spec
      .given(opened)
      .when(answer('a', 4, 'yes'))
      .then([
        {
          type: 'EvaluationAnswered',
          data: {
            sealedAnswers: [
              { questionId: 'clean', value: 4 },
              { questionId: 'renew', optionId: 'yes' },
            ],
            at: day(1),
            by: resident('a'),
          },
        },
      ]);
  });

  it('takes one answer per person, of every question, while open, from the community', () => {
    const once = history(evaluationDecider, [answer('a', 4, 'yes')], opened);
    spec
      .given(once)
      .when(answer('a', 1, 'no'))
      .thenRefused('already-answered');
    spec
      .given(opened)
      .when(answer('a', 4, 'yes', day(10)))
      .thenRefused('evaluation-closed');
    spec
      .given(opened)
      .when(
        c(
          'AnswerEvaluation',
          { answers: [{ questionId: 'clean', value: 3 }], respondent: eligible },
          owner('b'),
          day(1),
        ),
      )
      .thenRefused('invalid-command', { questionId: 'renew' });
    spec
      .given(opened)
      .when(answer('a', 4, 'maybe'))
      .thenRefused('invalid-command');
    spec
      .given(opened)
      .when(
        c(
          'AnswerEvaluation',
          { answers: [{ questionId: 'clean', value: 3 }], respondent: { eligible: false } },
          owner('b'),
          day(1),
        ),
      )
      .thenRefused('not-eligible');
  });

  it('publishes the aggregate on closing, from five respondents', () => {
    const five = history(
      evaluationDecider,
      [
        answer('a', 5, 'yes'),
        answer('b', 4, 'yes'),
        answer('c', 4, 'no'),
        answer('d', 2, 'yes'),
        answer('e', 5, 'yes'),
      ],
      opened,
    );
    spec
      .given(five)
      .when(c('CloseEvaluation', {}, clerk, day(10)))
      .then((events) => {
        expect(events[0]!.data).toMatchObject({
          respondents: 5,
          early: false,
          results: [
            { questionId: 'clean', kind: 'scale', counts: [0, 1, 0, 2, 2], sum: 20, answers: 5 },
            {
              questionId: 'renew',
              kind: 'choice',
              counts: [
                { optionId: 'yes', count: 4 },
                { optionId: 'no', count: 1 },
              ],
              answers: 5,
            },
          ],
        });
      });
  });

  it('withholds every figure under five respondents', () => {
    const four = history(
      evaluationDecider,
      [answer('a', 5, 'yes'), answer('b', 1, 'no'), answer('c', 3, 'no'), answer('d', 3, 'no')],
      opened,
    );
    spec
      .given(four)
      .when(c('CloseEvaluation', { note: '提前结束' }, convener, day(5)))
      .then((events) => {
        expect(events[0]!.data).toMatchObject({
          respondents: 4,
          early: true,
          results: [],
          withheld: 'too-few-respondents',
        });
      });
  });

  it('refuses duplicate question ids and a closing time in the past', () => {
    const open = opened[0]!;
    const data = open.type === 'EvaluationOpened' ? open.data : undefined;
    const { at: _at, by: _by, ...body } = data!;
    spec
      .given([])
      .when(c('OpenEvaluation', { ...body, closesAt: day(0) }, convener, day(1)))
      .thenRefused('invalid-command', { field: 'closesAt' });
    spec
      .given([])
      .when(
        c(
          'OpenEvaluation',
          { ...body, questions: [body.questions[0]!, body.questions[0]!] },
          convener,
          day(0),
        ),
      )
      .thenRefused('invalid-command', { field: 'questions' });
  });
});
