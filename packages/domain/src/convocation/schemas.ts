import { z } from 'zod';
import { Threshold } from '../rules/types.ts';
import { Actor, CommunityId, Id, IsoTime, Text } from '../shared/decider.ts';

// A request to convene a residents' meeting (提议召开居民会议, 城市居民委员会组织法 Art. 10),
// stream `convocation-<cid>.<rid>`: residents put it on record, others join it, and when enough
// have joined the meeting must be convened. Fields marked "context" come from the registry,
// read by the command service at the time of each signature; never from the request body.

/**
 * Whom a signature counts for (Art. 10's three alternatives): the adult resident themselves
 * (十八周岁以上的居民), their household (户) or their resident group (居民小组).
 */
export const SignerCapacity = z.enum(['adult-resident', 'household', 'resident-group']);
export type SignerCapacity = z.infer<typeof SignerCapacity>;

/** Context: what the registry says of the signer now. */
export const SignerFacts = z.object({
  /** Lives in an active household of the community and is 18 or older today. */
  adultResident: z.boolean(),
  /**
   * The household they may speak for: its designated representative, or an adult of it when
   * it has none (as in a meeting of household representatives).
   */
  householdId: Id.optional(),
  /** The active resident group they are an elected representative of, living in it. */
  groupId: Id.optional(),
});
export type SignerFacts = z.infer<typeof SignerFacts>;

const Count = z.number().int().nonnegative().max(10_000_000);

/** Context: the bodies Art. 10 counts, from the registry now (as electorateFor counts them). */
export const ConvocationElectorate = z.object({
  /** Adult residents (18+, in an active household; unknown age left out). */
  adults: Count,
  /** Active households with at least one adult. */
  households: Count,
  /** Active resident groups. */
  groups: Count,
});
export type ConvocationElectorate = z.infer<typeof ConvocationElectorate>;

// ---- Commands ---------------------------------------------------------------------------

const Signature = {
  capacity: SignerCapacity,
  /** Context. */
  signer: SignerFacts,
  /** Context. */
  electorate: ConvocationElectorate,
};

export const RequestResidentsMeetingData = z.object({
  requestId: Id,
  /** Context: the community, from the path. */
  communityId: CommunityId,
  /** Context: residents' meetings are urban (村 has the villagers' meeting, Art. 21 of its law). */
  communityKind: z.enum(['urban', 'rural']),
  /** What the meeting should discuss, and why (提议事项和理由). */
  matters: Text(20_000),
  ...Signature,
});
export const SignResidentsMeetingRequestData = z.object(Signature);
export const RecordResidentsMeetingConvenedData = z.object({
  /** When and where the meeting sits (召开时间、地点), as the convener announced it. */
  meetingAt: IsoTime,
  place: Text(200).optional(),
  /** The proposals that put the requested matters to the meeting, when already submitted. */
  proposalIds: z.array(Id).max(50).optional(),
  note: Text(2000).optional(),
});

// ---- Events -----------------------------------------------------------------------------

const Meta = { at: IsoTime, by: Actor };
const RequestCountData = z.object({ total: Count, requesting: Count });

export const ResidentsMeetingRequestedData = z.object({
  communityId: z.string(),
  requestId: z.string(),
  matters: z.string(),
  ...Meta,
});
export const ResidentsMeetingRequestSignedData = z.object({
  capacity: SignerCapacity,
  /** Who signed (the actor), and what the signature counts: the person, household or group. */
  signerId: Id,
  countedId: Id,
  ...Meta,
});
export const ResidentsMeetingMustBeConvenedData = z.object({
  rule: z.literal('residents-meeting-convocation'),
  outcome: z.literal('must-convene'),
  /** Every test of Art. 10 with its figures: value / base against the threshold. */
  tests: z.array(
    z.object({
      name: z.string(),
      value: Count,
      base: Count,
      threshold: Threshold,
      passed: z.boolean(),
      group: z.string().optional(),
    }),
  ),
  /** The tests that passed (any one suffices): `request-adults`, `-households`, `-groups`. */
  passed: z.array(z.string()).min(1),
  /** Signatures counted and the size of each body, when the threshold was reached. */
  figures: z.object({
    adults: RequestCountData,
    households: RequestCountData,
    groups: RequestCountData,
    thresholds: z.object({ adults: Threshold, households: Threshold, groups: Threshold }),
  }),
  /**
   * Signatures on record per capacity. Each was checked against the registry when given and
   * stays counted; should a body have shrunk below its signatures since, the rule sees the
   * count capped at the body's size.
   */
  signatures: z.object({ adults: Count, households: Count, groups: Count }),
  ...Meta,
});
export const ResidentsMeetingConvenedData = RecordResidentsMeetingConvenedData.extend(Meta);

export const convocationCommandSchemas = {
  RequestResidentsMeeting: RequestResidentsMeetingData,
  SignResidentsMeetingRequest: SignResidentsMeetingRequestData,
  RecordResidentsMeetingConvened: RecordResidentsMeetingConvenedData,
} as const;

export const convocationEventSchemas = {
  ResidentsMeetingRequested: ResidentsMeetingRequestedData,
  ResidentsMeetingRequestSigned: ResidentsMeetingRequestSignedData,
  ResidentsMeetingMustBeConvened: ResidentsMeetingMustBeConvenedData,
  ResidentsMeetingConvened: ResidentsMeetingConvenedData,
} as const;
