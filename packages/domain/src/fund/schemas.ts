import { z } from 'zod';
import { PostingLine, PostingLines } from '../money/accounts.ts';
import { DecisionFact, DecisionRef } from '../money/decision.ts';
import { Actor, CommunityId, Id, IsoTime, Text } from '../shared/decider.ts';

// A community fund's ledger, stream `fund-<cid>.<fundId>`: the special maintenance fund
// (专项维修资金) or a community micro-fund (微基金). Double-entry postings by a treasurer, each
// with its document; spending only on an adopted decision; corrections are reversing entries.
// Fields marked "context" are filled by the command service, never taken from the body.

/** 专项维修资金 (its use is an owners' matter, 民法典 Art. 278 (5)) or 社区微基金. */
export const FundKind = z.enum(['maintenance-fund', 'micro-fund']);
export type FundKind = z.infer<typeof FundKind>;

const DocumentRef = Text(200);

// ---- Commands ---------------------------------------------------------------------------

export const OpenFundData = z.object({
  fundId: Id,
  /** Context: the community, from the path. */
  communityId: CommunityId,
  kind: FundKind,
  name: Text(200),
  description: Text(2000).optional(),
});
export const PostFundEntryData = z.object({
  entryId: Id,
  lines: PostingLines,
  /** What the entry is for (摘要). */
  memo: Text(500),
  /** The receipt, invoice or bank slip the entry rests on (凭证). */
  documentRef: DocumentRef,
  /** The adopted decision that authorises spending; required when the entry spends. */
  authorisedBy: DecisionRef.optional(),
  /** Context: that decision as the proposal holds it now. */
  decision: DecisionFact.optional(),
  /** Context: whether the sender is an appointed treasurer of the community. */
  treasurer: z.boolean(),
});
export const ReverseFundEntryData = z.object({
  /** The new, reversing entry. */
  entryId: Id,
  /** The entry it reverses (冲销). */
  reverses: Id,
  reason: Text(500),
  documentRef: DocumentRef,
  /** Context. */
  treasurer: z.boolean(),
});

// ---- Events -----------------------------------------------------------------------------

const Meta = { at: IsoTime, by: Actor };

export const FundOpenedData = OpenFundData.extend(Meta);
export const FundEntryPostedData = z.object({
  entryId: Id,
  lines: z.array(PostingLine),
  memo: z.string(),
  documentRef: z.string(),
  /** The adopted decision the spending stands on, as it was when posted. */
  decision: DecisionFact.optional(),
  ...Meta,
});
export const FundEntryReversedData = z.object({
  entryId: Id,
  reverses: Id,
  /** The reversed entry's lines, each on the other side. */
  lines: z.array(PostingLine),
  reason: z.string(),
  documentRef: z.string(),
  ...Meta,
});

export const fundCommandSchemas = {
  OpenFund: OpenFundData,
  PostFundEntry: PostFundEntryData,
  ReverseFundEntry: ReverseFundEntryData,
} as const;

export const fundEventSchemas = {
  FundOpened: FundOpenedData,
  FundEntryPosted: FundEntryPostedData,
  FundEntryReversed: FundEntryReversedData,
} as const;
