import { z } from 'zod';
import { PartyKind } from '../shared/party.ts';

// 程序: a procedure is an ordered list of stages (domain.md section 2). Templates are versioned
// data; a proposal freezes the exact template (id, version and stages) it started with.

export const StageId = z.string().regex(/^[a-z][a-z0-9-]{0,47}$/, 'lowercase slug');

/** The rules a decision stage may apply; frozen with their parameters when voting opens. */
export const DecisionRuleKind = z.enum([
  'owners-278',
  'residents-meeting',
  'villagers-meeting',
  'villagers-representatives-meeting',
  'villager-group-meeting',
  'party-members-meeting',
  'art279-consent',
  /** Decided in a joint session (联席会议); the session's resolution is recorded here. */
  'joint-session',
]);
export type DecisionRuleKind = z.infer<typeof DecisionRuleKind>;

const Name = z.string().trim().min(1).max(100);
const Days = z.number().int().min(0).max(365);

export const Stage = z.discriminatedUnion('kind', [
  /** The proposal is raised (需求征集 / 党组织提议 / 议题提出). */
  z.object({
    id: StageId,
    kind: z.literal('submission'),
    name: Name,
    /** Only representatives of these party kinds may submit (e.g. 党组织提议); empty: anyone. */
    submitterPartyKinds: z.array(PartyKind),
  }),
  /** Accepted onto the agenda list (议事清单) with the parties concerned. */
  z.object({ id: StageId, kind: z.literal('agenda'), name: Name }),
  /** Advance notice; the next stage may start only `minDays` after it. */
  z.object({ id: StageId, kind: z.literal('notice'), name: Name, minDays: Days }),
  /** Discussion without a vote (两委会商议, a consultation meeting); may be recorded repeatedly. */
  z.object({ id: StageId, kind: z.literal('deliberation'), name: Name }),
  /**
   * A decision by one of `rules`. When it is rejected: `end` closes the proposal, `publish`
   * lets the result be published and then closes it, `return` goes back to `returnTo`.
   */
  z.object({
    id: StageId,
    kind: z.literal('decision'),
    name: Name,
    rules: z.array(DecisionRuleKind).min(1),
    ifRejected: z.enum(['end', 'publish', 'return']),
    returnTo: StageId.optional(),
  }),
  /**
   * Publication (公示/公开) of the decision or of the implementation result, within `withinDays`
   * of the decision when set, open to objections for `periodDays`.
   */
  z.object({
    id: StageId,
    kind: z.literal('publication'),
    name: Name,
    subject: z.enum(['decision', 'implementation']),
    withinDays: Days.optional(),
    periodDays: Days,
  }),
  /** Implementation (落实) with progress reports; complete at 100 %. */
  z.object({ id: StageId, kind: z.literal('implementation'), name: Name }),
  /** Feedback to participants (反馈) and satisfaction ratings (满意度评议). */
  z.object({ id: StageId, kind: z.literal('feedback'), name: Name }),
]);
export type Stage = z.infer<typeof Stage>;
export type StageKind = Stage['kind'];

export const TemplateId = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'lowercase slug');

export const ProcedureDefinition = z.object({
  templateId: TemplateId,
  version: z.number().int().positive(),
  name: z.string().trim().min(1).max(200),
  stages: z.array(Stage).min(2).max(30),
});
export type ProcedureDefinition = z.infer<typeof ProcedureDefinition>;

/** Why a stage list cannot be a procedure, or undefined when it can. */
export function procedureProblem(stages: readonly Stage[]): string | undefined {
  const ids = new Set<string>();
  for (const [index, stage] of stages.entries()) {
    if (ids.has(stage.id)) return `stage id ${stage.id} appears twice`;
    ids.add(stage.id);
    if ((stage.kind === 'submission') !== (index === 0)) {
      return 'a procedure starts with its only submission stage';
    }
    if (stage.kind === 'decision') {
      if (stage.ifRejected === 'return') {
        const target = stages.findIndex((s) => s.id === stage.returnTo);
        if (target <= 0 || target >= index) {
          return `decision ${stage.id} must return to an earlier stage after the submission`;
        }
      } else if (stage.returnTo !== undefined) {
        return `decision ${stage.id} has returnTo but does not return`;
      }
    }
    if (stage.kind === 'publication' || stage.kind === 'implementation') {
      if (!stages.slice(0, index).some((s) => s.kind === 'decision')) {
        return `${stage.kind} ${stage.id} must follow a decision`;
      }
    }
    if (stage.kind === 'publication' && stage.subject === 'implementation') {
      if (!stages.slice(0, index).some((s) => s.kind === 'implementation')) {
        return `publication ${stage.id} of the implementation must follow an implementation stage`;
      }
    }
  }
  return undefined;
}

/** Default objection period of a publication (公示期): the sources leave it open. */
const PUBLICATION_DAYS = 7;

export const BuiltInProcedureId = z.enum([
  'community-consultation',
  'owners-joint-decision',
  'four-deliberations',
  'joint-session',
  'villager-group-decision',
]);
export type BuiltInProcedureId = z.infer<typeof BuiltInProcedureId>;

/** The built-in templates of domain.md section 2, version 1. */
export const builtInProcedures: Readonly<Record<BuiltInProcedureId, ProcedureDefinition>> = {
  /** 城乡社区协商 (中办发〔2015〕41号; 上海市居民委员会工作条例 Art. 23). */
  'community-consultation': {
    templateId: 'community-consultation',
    version: 1,
    name: '城乡社区协商 community consultation',
    stages: [
      { id: 'solicitation', kind: 'submission', name: '需求征集', submitterPartyKinds: [] },
      { id: 'agenda', kind: 'agenda', name: '列入议事清单' },
      { id: 'notice', kind: 'notice', name: '提前告知', minDays: 0 },
      { id: 'consultation', kind: 'deliberation', name: '协商' },
      {
        id: 'outcome',
        kind: 'decision',
        name: '协商意见/决议',
        rules: [
          'joint-session',
          'residents-meeting',
          'villagers-meeting',
          'villagers-representatives-meeting',
        ],
        ifRejected: 'return',
        returnTo: 'consultation',
      },
      {
        id: 'publication',
        kind: 'publication',
        name: '公示',
        subject: 'decision',
        periodDays: PUBLICATION_DAYS,
      },
      { id: 'implementation', kind: 'implementation', name: '落实' },
      { id: 'feedback', kind: 'feedback', name: '反馈与满意度评议' },
    ],
  },
  /** 业主共同决定 (民法典 Art. 278; 物业管理条例 Art. 14; 北京市物业管理条例 Art. 35, 37). */
  'owners-joint-decision': {
    templateId: 'owners-joint-decision',
    version: 1,
    name: '业主共同决定 owners’ joint decision',
    stages: [
      { id: 'submission', kind: 'submission', name: '议题提出', submitterPartyKinds: [] },
      { id: 'notice', kind: 'notice', name: '表决前公告', minDays: 15 },
      {
        id: 'vote',
        kind: 'decision',
        name: '业主表决',
        rules: ['owners-278'],
        ifRejected: 'publish',
      },
      {
        id: 'result-publication',
        kind: 'publication',
        name: '表决结果公告',
        subject: 'decision',
        withinDays: 3,
        periodDays: PUBLICATION_DAYS,
      },
      { id: 'implementation', kind: 'implementation', name: '实施' },
      { id: 'feedback', kind: 'feedback', name: '反馈' },
    ],
  },
  /**
   * 四议两公开 (villages). The villagers' meeting needs 10 days' notice (村民委员会组织法
   * Art. 21), and the implementation result presupposes an implementation stage.
   */
  'four-deliberations': {
    templateId: 'four-deliberations',
    version: 1,
    name: '四议两公开 four deliberations, two publications',
    stages: [
      {
        id: 'party-proposal',
        kind: 'submission',
        name: '党组织提议',
        submitterPartyKinds: ['party-organisation'],
      },
      { id: 'committees-consult', kind: 'deliberation', name: '两委会商议' },
      {
        id: 'party-members-review',
        kind: 'decision',
        name: '党员大会审议',
        rules: ['party-members-meeting'],
        ifRejected: 'return',
        returnTo: 'committees-consult',
      },
      { id: 'villagers-notice', kind: 'notice', name: '村民会议通知', minDays: 10 },
      {
        id: 'villagers-resolution',
        kind: 'decision',
        name: '村民会议/村民代表会议决议',
        rules: ['villagers-meeting', 'villagers-representatives-meeting'],
        ifRejected: 'end',
      },
      {
        id: 'resolution-publication',
        kind: 'publication',
        name: '决议公开',
        subject: 'decision',
        periodDays: PUBLICATION_DAYS,
      },
      { id: 'implementation', kind: 'implementation', name: '实施' },
      {
        id: 'result-publication',
        kind: 'publication',
        name: '实施结果公开',
        subject: 'implementation',
        periodDays: PUBLICATION_DAYS,
      },
    ],
  },
  /** 多方联席会议 (北京市物业管理条例 Art. 3; 上海市居民委员会工作条例 Art. 23). */
  'joint-session': {
    templateId: 'joint-session',
    version: 1,
    name: '多方联席会议 joint session',
    stages: [
      { id: 'submission', kind: 'submission', name: '议题提出', submitterPartyKinds: [] },
      { id: 'agenda', kind: 'agenda', name: '列入联席会议议程' },
      {
        id: 'resolution',
        kind: 'decision',
        name: '联席会议决议',
        rules: ['joint-session'],
        ifRejected: 'return',
        returnTo: 'agenda',
      },
      {
        id: 'publication',
        kind: 'publication',
        name: '公开',
        subject: 'decision',
        periodDays: PUBLICATION_DAYS,
      },
    ],
  },
  /**
   * 村民小组会议 (村民委员会组织法 Art. 28): matters of a villager group (its collective land,
   * enterprises and property, its public works) are decided by the group's meeting, and the
   * decision and its implementation are published to the group's villagers. The law sets no
   * notice period for a group meeting; the notice stage records the notice (0 days).
   */
  'villager-group-decision': {
    templateId: 'villager-group-decision',
    version: 1,
    name: '村民小组会议 villager group meeting',
    stages: [
      { id: 'submission', kind: 'submission', name: '议题提出', submitterPartyKinds: [] },
      { id: 'notice', kind: 'notice', name: '会议通知', minDays: 0 },
      {
        id: 'group-decision',
        kind: 'decision',
        name: '村民小组会议决定',
        rules: ['villager-group-meeting'],
        ifRejected: 'publish',
      },
      {
        id: 'decision-publication',
        kind: 'publication',
        name: '决定公布',
        subject: 'decision',
        periodDays: PUBLICATION_DAYS,
      },
      { id: 'implementation', kind: 'implementation', name: '实施' },
      {
        id: 'result-publication',
        kind: 'publication',
        name: '实施情况公布',
        subject: 'implementation',
        periodDays: PUBLICATION_DAYS,
      },
    ],
  },
};

export function builtInProcedure(templateId: string): ProcedureDefinition | undefined {
  const id = BuiltInProcedureId.safeParse(templateId);
  return id.success ? builtInProcedures[id.data] : undefined;
}
