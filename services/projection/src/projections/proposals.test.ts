import { type Actor, builtInProcedures, type ProposalEvent } from '@yishi/domain';
import { afterAll, describe, it } from 'vitest';
import { inStream, projectionSpec } from '../testing/projection-spec.ts';
import { proposalsProjection } from './proposals.ts';

// The proposals projection as a specification: given these events, when these, then these rows.

const given = projectionSpec(proposalsProjection);
afterAll(() => given.close());

const convener: Actor = { personId: 'conv', role: 'convener' };
const resident = (personId: string): Actor => ({ personId, role: 'resident' });
const at = (day: number) => new Date(Date.UTC(2026, 2, 2 + day, 1)).toISOString();
const proposal = (...events: ProposalEvent[]) => inStream('proposal-c1.p1', events);

const consultation = builtInProcedures['community-consultation'];

const submitted: ProposalEvent = {
  type: 'ProposalSubmitted',
  data: {
    communityId: 'c1',
    proposalId: 'p1',
    title: '楼道堆物整治',
    description: '清理各楼道堆物。',
    procedure: {
      template: consultation.templateId,
      version: consultation.version,
      name: consultation.name,
      stages: consultation.stages,
    },
    items: [{ itemId: 'main', title: '楼道堆物整治', kind: 'motion', options: [] }],
    submittedBy: resident('r1'),
    submittedAt: at(0),
  },
};
const accepted: ProposalEvent = {
  type: 'ProposalAcceptedOntoAgenda',
  data: { concernedPartyIds: ['pm'], sessionId: 's1', stageId: 'agenda', at: at(1), by: convener },
};
const noticed: ProposalEvent = {
  type: 'NoticeGiven',
  data: { text: '提前告知', stageId: 'notice', nextStageFrom: at(3), at: at(2), by: convener },
};
const decided: ProposalEvent = {
  type: 'ProposalDecided',
  data: {
    stageId: 'outcome',
    sessionId: 's1',
    sessionItemId: 'item1',
    outcome: 'adopted',
    items: [{ itemId: 'main', outcome: 'adopted', result: { rule: 'joint-session' } }],
    at: at(5),
    by: convener,
  },
};
const objection = (objectionId: string, day: number): ProposalEvent => ({
  type: 'ObjectionRaised',
  data: { objectionId, text: '有异议', stageId: 'publication', at: at(day), by: resident('r2') },
});
const answer = (objectionId: string, day: number): ProposalEvent => ({
  type: 'ObjectionAnswered',
  data: { objectionId, answer: '已答复', at: at(day), by: convener },
});
const rating = (personId: string, value: number, day: number): ProposalEvent => ({
  type: 'SatisfactionRated',
  data: { rating: value, at: at(day), by: resident(personId) },
});

describe('proposals projection', () => {
  it('a submitted proposal: what it says, and that it stands in its first stage', () =>
    given()
      .when(proposal(submitted))
      .then({
        proposals: [
          {
            community_id: 'c1',
            proposal_id: 'p1',
            title: '楼道堆物整治',
            description: '清理各楼道堆物。',
            procedure_template: 'community-consultation',
            procedure_version: 1,
            stages: consultation.stages,
            items: [{ itemId: 'main', title: '楼道堆物整治', kind: 'motion', options: [] }],
            on_behalf_of_party_id: null,
            submitted_by: 'r1',
            submitted_role: 'resident',
            submitted_at: at(0),
          },
        ],
        proposal_states: [
          {
            status: 'active',
            stage_id: 'solicitation',
            stage_kind: 'submission',
            concerned_party_ids: [],
            next_stage_from: null,
            outcome: null,
            updated_at: at(0),
          },
        ],
        decisions: [],
        decision_states: [],
      }));

  it('each stage entered is a new version of where it stands, not of what it says', () =>
    given(proposal(submitted))
      .when(proposal(accepted, noticed))
      .thenVersions({
        proposals: [{ title: '楼道堆物整治', valid_from_pos: '1', valid_to_pos: null }],
        proposal_states: [
          { stage_id: 'solicitation', valid_from_pos: '1', valid_to_pos: '2' },
          {
            stage_id: 'agenda',
            stage_kind: 'agenda',
            concerned_party_ids: ['pm'],
            agenda_session_id: 's1',
            valid_from_pos: '2',
            valid_to_pos: '3',
          },
          {
            stage_id: 'notice',
            stage_kind: 'notice',
            next_stage_from: at(3),
            updated_at: at(2),
            valid_from_pos: '3',
            valid_to_pos: null,
          },
        ],
      }));

  it('an amendment that outdates the notice changes the text and clears the next stage’s date', () =>
    given(proposal(submitted, accepted, noticed))
      .when(
        proposal({
          type: 'ProposalAmended',
          data: {
            title: '楼道及地下室堆物整治',
            reason: '扩大范围',
            renoticeRequired: { stageId: 'notice' },
            at: at(3),
            by: resident('r1'),
          },
        }),
      )
      .then({
        proposals: [{ title: '楼道及地下室堆物整治', description: '清理各楼道堆物。' }],
        proposal_states: [{ stage_id: 'notice', next_stage_from: null, updated_at: at(3) }],
      }));

  it('a decision enters the register with its figures, and what follows starts at zero', () =>
    given(proposal(submitted, accepted, noticed))
      .when(proposal(decided))
      .then({
        proposal_states: [{ stage_id: 'outcome', outcome: 'adopted', decided_at: at(5) }],
        decisions: [
          {
            title: '楼道堆物整治',
            procedure_template: 'community-consultation',
            stage_id: 'outcome',
            outcome: 'adopted',
            decided_by: 'conv',
            vote_id: null,
            session_id: 's1',
            session_item_id: 'item1',
            rule: null,
            totals: null,
            items: decided.data.items,
            history: [
              {
                stageId: 'outcome',
                outcome: 'adopted',
                decidedAt: at(5),
                voteId: null,
                sessionId: 's1',
                items: decided.data.items,
              },
            ],
          },
        ],
        decision_states: [
          {
            published_at: null,
            reports: 0,
            objections_raised: 0,
            objections_answered: 0,
            satisfaction_count: 0,
            withdrawn: false,
          },
        ],
      }));

  it('objections raised and answered in one batch are counted in the register', () =>
    given(proposal(submitted, decided, objection('o1', 6)))
      .when(proposal(objection('o2', 7), answer('o2', 8), answer('o1', 8)))
      .then({
        // Current rows come in the order of the events that made them: o2's answer came first.
        objections: [
          { objection_id: 'o2', raised_at: at(7), answer: '已答复', answered_at: at(8) },
          { objection_id: 'o1', raised_at: at(6), answer: '已答复', answered_at: at(8) },
        ],
        decision_states: [{ objections_raised: 2, objections_answered: 2 }],
      }));

  it('a person rating again replaces their rating in the register’s sum, not its count', () =>
    given(proposal(submitted, decided, rating('r1', 2, 9)))
      .when(proposal(rating('r2', 5, 10), rating('r1', 4, 11)))
      .then({
        satisfaction: [
          { person_id: 'r2', rating: 5 },
          { person_id: 'r1', rating: 4 },
        ],
        decision_states: [{ satisfaction_count: 2, satisfaction_sum: 9 }],
      }));

  it('the person responsible for implementation, named at publication and changed, is in the register', () =>
    given(
      proposal(submitted, decided, {
        type: 'ProposalPublished',
        data: {
          text: '协商结果公示',
          implementationDueAt: at(40),
          implementationResponsibleId: 'wang',
          stageId: 'publication',
          subject: 'decision',
          endsAt: at(13),
          at: at(6),
          by: convener,
        },
      }),
    )
      .when(
        proposal({
          type: 'ImplementationAssigned',
          data: {
            responsibleId: 'li',
            reason: '王某调离',
            previousResponsibleId: 'wang',
            at: at(8),
            by: convener,
          },
        }),
      )
      .thenVersions({
        decision_states: [
          { implementation_responsible_id: null, valid_to_pos: '3' },
          { implementation_due_at: at(40), implementation_responsible_id: 'wang' },
          {
            implementation_due_at: at(40),
            implementation_responsible_id: 'li',
            valid_to_pos: null,
          },
        ],
      }));

  it('a withdrawn proposal and its decision are marked withdrawn', () =>
    given(proposal(submitted, decided))
      .when(
        proposal({
          type: 'ProposalWithdrawn',
          data: { reason: '已自行解决', at: at(12), by: resident('r1') },
        }),
      )
      .then({
        proposal_states: [
          { status: 'withdrawn', withdrawn_reason: '已自行解决', updated_at: at(12) },
        ],
        decision_states: [{ withdrawn: true }],
      }));
});
