import type { Actor, SessionEvent } from '@yishi/domain';
import { afterAll, describe, it } from 'vitest';
import { inStream, projectionSpec } from '../testing/projection-spec.ts';
import { sessionsProjection } from './sessions.ts';

// The sessions projection as a specification: given these events, when these, then these rows.

const given = projectionSpec(sessionsProjection);
afterAll(() => given.close());

const SESSION = 'session-c1.s1';
const convener: Actor = { personId: 'conv', role: 'convener' };
const clerk: Actor = { personId: 'clerk1', role: 'clerk' };
const rep = (personId: string, partyId: string): Actor => ({
  personId,
  role: 'party_representative',
  partyId,
});
const at = (minutes: number) => new Date(Date.UTC(2026, 2, 2, 1, minutes)).toISOString();
const session = (...events: SessionEvent[]) => inStream(SESSION, events);
const HASH = 'a'.repeat(64);

const convened: SessionEvent = {
  type: 'SessionConvened',
  data: {
    communityId: 'c1',
    sessionId: 's1',
    kind: 'joint-session',
    title: '联席会议',
    scheduledAt: at(60),
    parties: [
      { partyId: 'party', kind: 'party-organisation', name: '社区党委' },
      { partyId: 'rc', kind: 'residents-committee', name: '居委会' },
      { partyId: 'pm', kind: 'property-company', name: '物业公司' },
    ],
    agenda: [{ itemId: 'item1', title: '停车管理', proposalId: 'p1', concernedPartyIds: ['pm'] }],
    requiredPartyIds: ['party', 'rc'],
    resolutionRule: { kind: 'consensus', among: 'required' },
    memberIds: [],
    at: at(0),
    by: convener,
  },
};

const positionOf = (partyId: string, position: 'support' | 'oppose', minute: number) =>
  ({
    type: 'PositionStated',
    data: {
      itemId: 'item1',
      partyId,
      position,
      personId: `${partyId}-rep`,
      at: at(minute),
      by: rep(`${partyId}-rep`, partyId),
    },
  }) satisfies SessionEvent;

describe('sessions projection', () => {
  it('a convened session: its parties, agenda and rule, no notice or minutes yet', () =>
    given()
      .when(session(convened))
      .then({
        sessions: [
          {
            community_id: 'c1',
            session_id: 's1',
            kind: 'joint-session',
            title: '联席会议',
            scheduled_at: at(60),
            parties: convened.data.parties,
            agenda: convened.data.agenda,
            required_party_ids: ['party', 'rc'],
            resolution_rule: { kind: 'consensus', among: 'required' },
            member_ids: [],
            convened_at: at(0),
            convened_by: 'conv',
            notice_at: null,
            minutes_version: null,
            minutes_final_version: null,
            minutes_published_at: null,
          },
        ],
        session_positions: [],
        minutes: [],
      }));

  it('a position stated again is a new version of the party’s position on the item', () =>
    given(session(convened, positionOf('pm', 'oppose', 10)))
      .when(session(positionOf('pm', 'support', 20), positionOf('rc', 'support', 21)))
      .thenVersions({
        session_positions: [
          // The event at position 2 made it, the one at position 3 replaced it.
          { holder: 'pm', position: 'oppose', valid_from_pos: '2', valid_to_pos: '3' },
          { holder: 'pm', position: 'support', valid_from_pos: '3', valid_to_pos: null },
          { holder: 'rc', position: 'support', valid_from_pos: '4', valid_to_pos: null },
        ],
      }));

  it('a council member’s vote is held beside the parties’ positions, as `member:<person>`', () =>
    given(session(convened))
      .when(
        session({
          type: 'MemberVoteCast',
          data: { itemId: 'item1', choice: 'yes', personId: 'm1', at: at(30), by: convener },
        }),
      )
      .then({
        session_positions: [
          { holder: 'member:m1', party_id: null, person_id: 'm1', position: 'yes', reason: null },
        ],
      }));

  it('statements are appended, each with its stream version and position', () =>
    given(session(convened))
      .when(
        session(
          {
            type: 'StatementRecorded',
            data: {
              itemId: 'item1',
              speakerPersonId: 'pm-rep',
              partyId: 'pm',
              text: '同意调整停车位',
              at: at(11),
              by: rep('pm-rep', 'pm'),
            },
          },
          {
            type: 'StatementRecorded',
            data: {
              itemId: 'item1',
              speakerPersonId: 'r9',
              text: '居民意见',
              at: at(12),
              by: clerk,
            },
          },
        ),
      )
      .then({
        session_statements: [
          { stream_version: 2, party_id: 'pm', text: '同意调整停车位', global_position: '2' },
          { stream_version: 3, party_id: null, speaker_person_id: 'r9', global_position: '3' },
        ],
      }));

  it('minutes drafted, signed by each party and finalised; the session notes the versions', () =>
    given(
      session(convened, {
        type: 'MinutesDrafted',
        data: { text: '会议纪要', version: 1, textHash: HASH, at: at(40), by: clerk },
      }),
    )
      .when(
        session(
          ...['party', 'rc'].map(
            (partyId, i): SessionEvent => ({
              type: 'MinutesSigned',
              data: {
                partyId,
                version: 1,
                textHash: HASH,
                personId: `${partyId}-rep`,
                at: at(41 + i),
                by: rep(`${partyId}-rep`, partyId),
              },
            }),
          ),
          {
            type: 'MinutesFinalised',
            data: {
              version: 1,
              textHash: HASH,
              signedByPartyIds: ['party', 'rc'],
              at: at(43),
              by: clerk,
            },
          },
          {
            type: 'MinutesPublished',
            data: { version: 1, correctionIds: [], at: at(44), by: convener },
          },
        ),
      )
      .then({
        minutes: [
          {
            minutes_key: 'v1',
            kind: 'version',
            version: 1,
            text: '会议纪要',
            written_by: 'clerk1',
            signatures: [
              { partyId: 'party', personId: 'party-rep', at: at(41) },
              { partyId: 'rc', personId: 'rc-rep', at: at(42) },
            ],
            final: true,
            finalised_at: at(43),
            signed_by_party_ids: ['party', 'rc'],
          },
        ],
        sessions: [{ minutes_version: 1, minutes_final_version: 1, minutes_published_at: at(44) }],
      }));

  it('events of an unknown session change nothing', () =>
    given()
      .when(
        session({ type: 'SessionNoticeGiven', data: { text: '通知', at: at(5), by: convener } }),
      )
      .then({ sessions: [] }));
});
