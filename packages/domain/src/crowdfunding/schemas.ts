import { z } from 'zod';
import { DecisionFact } from '../money/decision.ts';
import { Actor, CommunityId, Id, IsoTime, Text } from '../shared/decider.ts';

// A crowdfunding campaign (众筹: 费用由居民众筹), stream `crowdfunding-<cid>.<campaignId>`,
// linked to the proposal item (and plan) it funds. Residents and organisations pledge; a
// treasurer records what each pays; when the plan is not adopted or the target is missed at
// the deadline, every amount received is owed back and each refund is recorded when paid.

const Amount = z.number().int().min(1).max(10_000_000_000_000);
const DocumentRef = Text(200);

/** Who pledges: a person of the registry, or a party (社会组织, 驻区单位 …) through its representative. */
export const Pledger = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('person'), personId: Id }),
  z.object({ kind: z.literal('party'), partyId: Id }),
]);
export type Pledger = z.infer<typeof Pledger>;

// ---- Commands ---------------------------------------------------------------------------

export const OpenCrowdfundingData = z.object({
  campaignId: Id,
  /** Context: the community, from the path. */
  communityId: CommunityId,
  title: Text(200),
  description: Text(5000).optional(),
  /** The proposal item the money is for, and for a plans item the plan (方案) it funds. */
  proposalId: Id,
  itemId: Id,
  optionId: Id.optional(),
  targetFen: Amount,
  /** Pledges are taken until this time (exclusive). */
  deadline: IsoTime,
  /** Context: the item's decision as the proposal holds it now. */
  decision: DecisionFact,
});
export const PledgeToCrowdfundingData = z.object({ pledgeId: Id, amountFen: Amount });
export const RecordPledgeReceiptData = z.object({
  pledgeId: Id,
  amountFen: Amount,
  /** The receipt given for the money (收据). */
  documentRef: DocumentRef,
  /** Context: whether the sender is an appointed treasurer. */
  treasurer: z.boolean(),
});
export const CloseCrowdfundingData = z.object({
  note: Text(2000).optional(),
  /** Context: the linked item's decision now. */
  decision: DecisionFact,
});
export const RecordRefundData = z.object({
  pledgeId: Id,
  /** Exactly what was received on the pledge. */
  amountFen: Amount,
  documentRef: DocumentRef,
  /** Context. */
  treasurer: z.boolean(),
});

// ---- Events -----------------------------------------------------------------------------

const Meta = { at: IsoTime, by: Actor };
const Fen = z.number().int().nonnegative();

export const CrowdfundingOpenedData = OpenCrowdfundingData.omit({ decision: true }).extend(Meta);
export const PledgeMadeData = z.object({
  pledgeId: Id,
  pledger: Pledger,
  amountFen: Amount,
  ...Meta,
});
export const PledgeReceiptRecordedData = z.object({
  pledgeId: Id,
  amountFen: Amount,
  /** Received on this pledge so far, this receipt included. */
  receivedFen: Fen,
  documentRef: z.string(),
  ...Meta,
});
export const CrowdfundingClosedData = z.object({
  /** `funded`: the plan was adopted and the target reached; `refunding`: money goes back. */
  outcome: z.enum(['funded', 'refunding']),
  reason: z.enum(['not-adopted', 'target-missed']).optional(),
  targetFen: Fen,
  pledgedFen: Fen,
  receivedFen: Fen,
  /** The decision the outcome rests on. */
  decision: DecisionFact,
  /** Per pledge with money received: exactly that amount is owed back. */
  refundsOwed: z.array(z.object({ pledgeId: Id, pledger: Pledger, amountFen: Amount })),
  note: z.string().optional(),
  ...Meta,
});
export const RefundRecordedData = z.object({
  pledgeId: Id,
  amountFen: Amount,
  documentRef: z.string(),
  ...Meta,
});

export const crowdfundingCommandSchemas = {
  OpenCrowdfunding: OpenCrowdfundingData,
  PledgeToCrowdfunding: PledgeToCrowdfundingData,
  RecordPledgeReceipt: RecordPledgeReceiptData,
  CloseCrowdfunding: CloseCrowdfundingData,
  RecordRefund: RecordRefundData,
} as const;

export const crowdfundingEventSchemas = {
  CrowdfundingOpened: CrowdfundingOpenedData,
  PledgeMade: PledgeMadeData,
  PledgeReceiptRecorded: PledgeReceiptRecordedData,
  CrowdfundingClosed: CrowdfundingClosedData,
  RefundRecorded: RefundRecordedData,
} as const;
