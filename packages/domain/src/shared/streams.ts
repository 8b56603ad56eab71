/** Stream ids: `<category>-<communityId>` or `<category>-<communityId>.<entityId>`. */
export const streams = {
  community: (communityId: string) => `community-${communityId}`,
  proposal: (communityId: string, proposalId: string) => `proposal-${communityId}.${proposalId}`,
  session: (communityId: string, sessionId: string) => `session-${communityId}.${sessionId}`,
  /** A request to convene a residents' meeting (提议召开居民会议). */
  convocation: (communityId: string, requestId: string) =>
    `convocation-${communityId}.${requestId}`,
  /** The comments on one proposal (kept apart so the proposal's stream stays small). */
  discussion: (communityId: string, proposalId: string) =>
    `discussion-${communityId}.${proposalId}`,
  /** A micro-wish or need (微心愿). */
  wish: (communityId: string, wishId: string) => `wish-${communityId}.${wishId}`,
  /** A periodic evaluation (e.g. 物业服务评估) with its sealed answers. */
  evaluation: (communityId: string, evaluationId: string) =>
    `evaluation-${communityId}.${evaluationId}`,
  /** A crowdfunding campaign (众筹). */
  crowdfunding: (communityId: string, campaignId: string) =>
    `crowdfunding-${communityId}.${campaignId}`,
  /** A fund's ledger (专项维修资金, 微基金). */
  fund: (communityId: string, fundId: string) => `fund-${communityId}.${fundId}`,
  /** An uploaded document or photo, named by the SHA-256 of its bytes. */
  attachment: (communityId: string, sha256: string) => `attachment-${communityId}.${sha256}`,
  /**
   * The installation's administrators and officials: of no community (`_` starts no
   * community id, so `communityOfStream` finds none and no community's reader sees it).
   */
  installation: () => 'installation-_',
};

/**
 * A stream id whose first group is its community: the community is at most
 * `COMMUNITY_ID_MAX_LENGTH` characters. Written so that it means the same to JavaScript and to
 * PostgreSQL's regular expressions (set-based rebuilds use it in SQL).
 */
export const COMMUNITY_OF_STREAM_PATTERN = '^[a-z][a-z0-9_]*-([a-z0-9][a-z0-9-]*)(?:\\.|$)';
export const COMMUNITY_ID_MAX_LENGTH = 63;
const communityOfStreamRe = new RegExp(COMMUNITY_OF_STREAM_PATTERN);

/** The community a stream belongs to. */
export function communityOfStream(streamId: string): string | undefined {
  const id = communityOfStreamRe.exec(streamId)?.[1];
  return id !== undefined && id.length <= COMMUNITY_ID_MAX_LENGTH ? id : undefined;
}
