import { z } from 'zod';
import { attachmentOfRef } from '../attachment/schemas.ts';
import { Actor, CommunityId, Id, IsoTime, Text } from '../shared/decider.ts';
import { PartyKind } from '../shared/party.ts';

// 微心愿 and needs, stream `wish-<cid>.<wid>`: a resident posts a small wish or a need; a
// volunteer, or a party of the registry (a social organisation, the residents' committee, a
// unit in the area) through its representative, claims it and marks it done with a photo; the
// resident rates the help. A claim may be given up (the wish is open again); the resident or
// the clerk cancels a wish not yet done. Fields marked "context" come from the registry.

/** 微心愿 (a small wish: a school bag, a visit) or 需求 (a need: a ramp, a repair). */
export const WishKind = z.enum(['wish', 'need']);
export const WishCategory = z.enum([
  /** 为老服务 */
  'elderly-care',
  /** 儿童关爱 */
  'children',
  /** 助残 */
  'disability',
  /** 生活帮扶 */
  'daily-life',
  /** 维修 */
  'repair',
  /** 环境 */
  'environment',
  /** 文体 */
  'culture',
  /** 医疗健康 */
  'health',
  'other',
]);
export type WishCategory = z.infer<typeof WishCategory>;

/**
 * A photo of the help given: an uploaded attachment (`attachment:<sha256>`), an https URL of
 * the photo, or a reference to a document kept elsewhere (`doc:` and letters, digits, `_./-`).
 */
export const PhotoRef = Text(500).refine(
  (ref) =>
    /^doc:[A-Za-z0-9_./-]{1,200}$/.test(ref) ||
    attachmentOfRef(ref) !== undefined ||
    isHttpsUrl(ref),
  {
    message:
      '须为 https 网址、attachment: 附件或 doc: 文档编号 / must be an https URL, an attachment: or a doc: reference',
  },
);

function isHttpsUrl(text: string): boolean {
  if (!text.startsWith('https://') || /\s/.test(text)) return false;
  try {
    return new URL(text).hostname.length > 0;
  } catch {
    return false;
  }
}

/** Context: who claims: the volunteer themselves, or the party their token speaks for. */
export const Claimant = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('person') }),
  z.object({ kind: z.literal('party'), partyId: Id, partyKind: PartyKind, name: Text(200) }),
]);
export type Claimant = z.infer<typeof Claimant>;

export const PostWishData = z.object({
  wishId: Id,
  /** Context: the community, from the path. */
  communityId: CommunityId,
  kind: WishKind,
  category: WishCategory,
  title: Text(100),
  description: Text(2000),
});
export const ClaimWishData = z.object({
  note: Text(500).optional(),
  /** Context. */
  claimant: Claimant,
});
export const UnclaimWishData = z.object({ reason: Text(500).optional() });
export const CompleteWishData = z.object({ photo: PhotoRef, note: Text(1000).optional() });
export const RateWishData = z.object({
  /** 1 (poor) to 5 (very satisfied). */
  stars: z.number().int().min(1).max(5),
  comment: Text(500).optional(),
});
export const CancelWishData = z.object({ reason: Text(500) });

const Meta = { at: IsoTime, by: Actor };

export const WishPostedData = PostWishData.extend(Meta);
export const WishClaimedData = ClaimWishData.extend(Meta);
export const WishUnclaimedData = UnclaimWishData.extend(Meta);
export const WishCompletedData = CompleteWishData.extend(Meta);
export const WishRatedData = RateWishData.extend(Meta);
export const WishCancelledData = CancelWishData.extend(Meta);

export const wishCommandSchemas = {
  PostWish: PostWishData,
  ClaimWish: ClaimWishData,
  UnclaimWish: UnclaimWishData,
  CompleteWish: CompleteWishData,
  RateWish: RateWishData,
  CancelWish: CancelWishData,
} as const;

export const wishEventSchemas = {
  WishPosted: WishPostedData,
  WishClaimed: WishClaimedData,
  WishUnclaimed: WishUnclaimedData,
  WishCompleted: WishCompletedData,
  WishRated: WishRatedData,
  WishCancelled: WishCancelledData,
} as const;
