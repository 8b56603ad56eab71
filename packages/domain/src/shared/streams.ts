/** Stream ids: `<category>-<communityId>` or `<category>-<communityId>.<entityId>`. */
export const streams = {
  community: (communityId: string) => `community-${communityId}`,
  proposal: (communityId: string, proposalId: string) => `proposal-${communityId}.${proposalId}`,
  session: (communityId: string, sessionId: string) => `session-${communityId}.${sessionId}`,
  /** A request to convene a residents' meeting (提议召开居民会议). */
  convocation: (communityId: string, requestId: string) =>
    `convocation-${communityId}.${requestId}`,
};

/** The community a stream belongs to. */
export function communityOfStream(streamId: string): string | undefined {
  const match = /^[a-z][a-z0-9_]*-([a-z0-9][a-z0-9-]{0,62})(?:\.|$)/.exec(streamId);
  return match?.[1];
}
