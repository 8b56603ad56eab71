import { z } from 'zod';
import type { Art279Outcome } from './art279.ts';
import { type JointSessionOutcome, JointSessionRule } from './joint-session.ts';
import {
  type MeetingOutcome,
  RequestCount,
  ResidentsMeetingForm,
  type residentsMeetingConvocation,
  type villagersMeeting,
  type villagersMeetingConvocation,
  type villagersRepresentativesMeetingConvocation,
} from './meetings.ts';
import { type OwnersDecision, OwnersMatter } from './owners-decision.ts';
import { PlanMethod, type SelectPlanOutcome } from './select-plan.ts';
import { Threshold } from './types.ts';

// The rules' results as schemas, for those who read them (the query API documents them, a
// client types them). The rules keep their own types; the checks at the end make the compiler
// hold every result a rule returns to these schemas. Events store results as plain JSON.

const doc = (zh: string, en: string) => ({ description: `${zh} · ${en}` });

export const RuleTestResult = z
  .object({
    name: z.string().meta(doc('检验名称', 'Stable name, e.g. `approval-area`')),
    value: z.number().meta(doc('数值', 'The figure tested: `value / base` against the threshold')),
    base: z.number().meta(doc('基数', 'What the figure is a share of')),
    threshold: Threshold,
    passed: z.boolean(),
    group: z
      .string()
      .optional()
      .meta(doc('同组为"或者"', 'Tests sharing a group are alternatives: any one passing passes')),
  })
  .meta({ id: 'RuleTest', ...doc('规则的一项检验', 'One test a rule applied, with its figures') });

export const HeadsAndAreaResult = z
  .object({
    owners: z.number().int().meta(doc('人数', 'Owners (heads)')),
    areaCentiM2: z.number().int().meta(doc('面积（0.01 平方米）', 'Area in 0.01 m²')),
  })
  .meta({ id: 'HeadsAndArea' });

/** What every rule's result has: the outcome, each test, and the first that failed. */
const outcome = <R extends string, O extends readonly [string, ...string[]]>(
  rule: R,
  outcomes: O,
) => ({
  rule: z.literal(rule),
  outcome: z.enum(outcomes),
  tests: z.array(RuleTestResult),
  failedTest: z
    .string()
    .optional()
    .meta(doc('首个未通过的检验', 'The first failed test (or group), when the rule did not pass')),
});
const decided = ['adopted', 'rejected'] as const;

const OwnersTallyFigures = z.object({
  matter: OwnersMatter,
  special: z.boolean().meta(doc('特别事项（第六至八项）', 'Matters (6)–(8): three quarters')),
  total: HeadsAndAreaResult,
  participating: HeadsAndAreaResult.meta(doc('参与表决', 'Voters who cast yes, no or abstain')),
  nonVoting: HeadsAndAreaResult,
  yes: HeadsAndAreaResult,
  no: HeadsAndAreaResult,
  abstain: HeadsAndAreaResult,
  thresholds: z.object({ participation: Threshold, approval: Threshold }),
});
const OwnersTally = z.object({
  ...outcome('owners-decision-278', decided),
  figures: OwnersTallyFigures,
});

export const OwnersDecisionResult = OwnersTally.extend({
  deemed: OwnersTally.extend({
    deemedChoice: z
      .enum(['yes', 'no', 'abstain'])
      .nullable()
      .meta(doc('未表决者视为的选择', 'The choice non-voters are deemed to have made')),
    majorityThreshold: Threshold,
    deemedVoters: HeadsAndAreaResult,
  })
    .nullable()
    .meta(doc('未表决视为同意多数的结果', 'The tally with non-voters counted with the majority')),
}).meta({
  id: 'OwnersDecisionResult',
  ...doc('业主共同决定（民法典第二百七十八条）', "Owners' joint decision, Civil Code Art. 278"),
});

const meetingFigures = {
  electorate: z.number().int(),
  present: z.number().int(),
  absent: z.number().int(),
  yes: z.number().int(),
  no: z.number().int(),
  abstain: z.number().int(),
  notVoting: z.number().int().meta(doc('到会未投票', 'Present without a ballot: counts against')),
  thresholds: z.object({ quorum: Threshold, approval: Threshold }),
};
const householdFigures = {
  households: z.number().int(),
  householdsRepresented: z.number().int(),
  householdsQuorum: Threshold,
};

export const ResidentsMeetingResult = z
  .object({
    ...outcome('residents-meeting', decided),
    figures: z.object({ ...meetingFigures, form: ResidentsMeetingForm }),
  })
  .meta({ id: 'ResidentsMeetingResult', ...doc('居民会议', "Residents' meeting (Art. 9)") });
export const VillagersMeetingResult = z
  .object({
    ...outcome('villagers-meeting', decided),
    figures: z.object({ ...meetingFigures, ...householdFigures }),
  })
  .meta({ id: 'VillagersMeetingResult', ...doc('村民会议', "Villagers' meeting (Art. 22)") });
export const VillagerGroupMeetingResult = z
  .object({
    ...outcome('villager-group-meeting', decided),
    figures: z.object({ ...meetingFigures, ...householdFigures }),
  })
  .meta({ id: 'VillagerGroupMeetingResult', ...doc('村民小组会议', 'Villager group meeting') });
export const VillagersRepresentativesMeetingResult = z
  .object({
    ...outcome('villagers-representatives-meeting', decided),
    figures: z.object(meetingFigures),
  })
  .meta({
    id: 'VillagersRepresentativesMeetingResult',
    ...doc('村民代表会议', "Villagers' representatives' meeting (Art. 26)"),
  });
export const PartyMembersMeetingResult = z
  .object({ ...outcome('party-members-meeting', decided), figures: z.object(meetingFigures) })
  .meta({ id: 'PartyMembersMeetingResult', ...doc('党员大会审议', "Party members' meeting") });

export const Art279Result = z
  .object({
    ...outcome('civil-code-279', decided),
    figures: z.object({
      interested: z.array(z.string()).meta(doc('利害关系业主', 'Interested owners')),
      consenting: z.array(z.string()),
      notConsenting: z.array(z.string()),
    }),
  })
  .meta({ id: 'Art279Result', ...doc('住改商（民法典第二百七十九条）', 'Civil Code Art. 279') });

/** A plan choice's body figures: the rule of the vote applied to the winning plan. */
const BodyResult = z.discriminatedUnion('rule', [
  OwnersDecisionResult,
  ResidentsMeetingResult,
  VillagersMeetingResult,
  VillagerGroupMeetingResult,
  VillagersRepresentativesMeetingResult,
  PartyMembersMeetingResult,
  Art279Result,
]);

export const SelectPlanResult = z
  .object({
    ...outcome('select-plan', ['chosen', 'runoff-needed', 'tie', 'no-valid-votes'] as const),
    figures: z.object({
      method: PlanMethod,
      options: z.array(z.string()),
      electorate: z.number().int(),
      ballots: z.number().int(),
      blank: z.number().int(),
      rounds: z.array(
        z.object({
          round: z.number().int(),
          counts: z.array(z.object({ optionId: z.string(), votes: z.number().int() })),
          valid: z.number().int(),
          exhausted: z.number().int(),
          majority: RuleTestResult,
          eliminated: z.array(z.string()),
          elimination: z.enum(['lowest', 'bulk', 'previous-rounds']).nullable(),
        }),
      ),
      majorityThreshold: Threshold,
    }),
    chosen: z.string().nullable(),
    runoff: z.tuple([z.string(), z.string()]).nullable(),
    tied: z.array(z.string()),
    tieFor: z.enum(['first', 'second', 'last']).nullable(),
    body: BodyResult.nullable()
      .optional()
      .meta(
        doc(
          '所选方案按表决规则的结果（未选出时为空；早期表决没有此项）',
          "The vote's rule applied to the chosen plan (null without one; absent in votes before counting rules 2)",
        ),
      ),
  })
  .meta({ id: 'SelectPlanResult', ...doc('方案选取', 'Choosing among plans') });

export const JointSessionResult = z
  .object({
    ...outcome('joint-session-resolution', decided),
    figures: z.object({
      rule: JointSessionRule,
      required: z.array(z.string()),
      attending: z.array(z.string()),
      absentRequired: z.array(z.string()),
      support: z.array(z.string()),
      oppose: z.array(z.string()),
      abstain: z.array(z.string()),
      dissenting: z.array(z.string()).meta(doc('异议方', 'Opposing parties, recorded in minutes')),
    }),
  })
  .meta({ id: 'JointSessionResult', ...doc('联席会议决议', 'Joint session resolution') });

/** Any rule's result on one item (a vote's, or a session's), told apart by `rule`. */
export const RuleResultSchema = z
  .discriminatedUnion('rule', [
    OwnersDecisionResult,
    ResidentsMeetingResult,
    VillagersMeetingResult,
    VillagerGroupMeetingResult,
    VillagersRepresentativesMeetingResult,
    PartyMembersMeetingResult,
    Art279Result,
    SelectPlanResult,
    JointSessionResult,
  ])
  .meta({
    id: 'RuleResult',
    ...doc('规则的结果及全部数字', "The rule's result with every figure"),
  });

/** One item's outcome under a rule, as tallied or as decided. */
export const ItemResultSchema = z
  .object({
    itemId: z.string(),
    outcome: z.string().meta(doc('结果', '`adopted` or `rejected`')),
    result: RuleResultSchema,
  })
  .meta({ id: 'ItemResult' });

/** How many of each body asked, and the share of each that makes the meeting due. */
const requestFigures = <K extends string>(keys: readonly K[]) =>
  z.object({
    ...(Object.fromEntries(keys.map((key) => [key, RequestCount])) as Record<
      K,
      typeof RequestCount
    >),
    thresholds: z.object(
      Object.fromEntries(keys.map((key) => [key, Threshold])) as Record<K, typeof Threshold>,
    ),
  });
const ResidentsConvocationFigures = requestFigures(['adults', 'households', 'groups']);
const VillagersConvocationFigures = requestFigures(['villagers', 'representatives']);
const RepresentativesConvocationFigures = requestFigures(['representatives']);

/** The figures of a request to convene a meeting (提议召集), by the body requested. */
export const ConvocationFigures = z
  .union([
    ResidentsConvocationFigures,
    VillagersConvocationFigures,
    RepresentativesConvocationFigures,
  ])
  .meta({
    id: 'ConvocationFigures',
    ...doc('提议人数与门槛', 'How many of each body asked, and the threshold of each'),
  });

const convocation = <R extends string, F extends z.ZodObject>(rule: R, figures: F) =>
  z.object({ ...outcome(rule, ['must-convene', 'not-required'] as const), figures });

/** Whether a meeting must be convened on request, with every figure. */
export const ConvocationResult = z.discriminatedUnion('rule', [
  convocation('residents-meeting-convocation', ResidentsConvocationFigures),
  convocation('villagers-meeting-convocation', VillagersConvocationFigures),
  convocation('villagers-representatives-meeting-convocation', RepresentativesConvocationFigures),
]);

// The compiler holds each rule's own result type to its schema (a new figure not described
// here fails to compile).
type Described<T, S extends z.ZodType> = T extends z.input<S> ? true : never;
export type RuleResultsDescribed = [
  Described<OwnersDecision, typeof OwnersDecisionResult>,
  Described<
    MeetingOutcome<'residents-meeting', { form: ResidentsMeetingForm }>,
    typeof ResidentsMeetingResult
  >,
  Described<ReturnType<typeof villagersMeeting>, typeof VillagersMeetingResult>,
  Described<Art279Outcome, typeof Art279Result>,
  Described<SelectPlanOutcome, typeof SelectPlanResult>,
  Described<JointSessionOutcome, typeof JointSessionResult>,
  Described<ReturnType<typeof residentsMeetingConvocation>, typeof ConvocationResult>,
  Described<ReturnType<typeof villagersMeetingConvocation>, typeof ConvocationResult>,
  Described<
    ReturnType<typeof villagersRepresentativesMeetingConvocation>,
    typeof ConvocationResult
  >,
];
const _described: RuleResultsDescribed = [true, true, true, true, true, true, true, true, true];
