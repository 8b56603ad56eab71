import type { Api } from './client.ts';
import type { DemoCommunity } from './community.ts';
import type { DemoLog } from './scenarios.ts';

// Participation beyond the vote (issue #26): a short discussion of a new proposal, with a
// resident's amendment the convener accepts, and a micro-wish (微心愿) claimed by a volunteer,
// done with a photo and rated. Kept apart from the four scenarios; the demo's main runs it last.

export interface ParticipationResult {
  proposalId: string;
  wishId: string;
}

export async function participationDemo(
  api: Api,
  c: DemoCommunity,
  log: DemoLog,
): Promise<ParticipationResult> {
  const [first, second, third] = c.households.filter((h) => h.residentIds.length > 0);
  if (!first || !second || !third) throw new Error('the demo community has too few households');
  const convener = api.as('convener', c.conveners[0]!);
  const proposalId = 'handrails';
  await convener.post('proposals', {
    proposalId,
    title: '楼道加装扶手',
    description: '老旧楼栋楼道无扶手，老人上下楼不便，拟在 1—6 号楼楼道加装扶手。',
    procedure: 'community-consultation',
  });
  const resident = (h: typeof first) => api.as('resident', h.residentIds[0]!);
  const discussion = `proposals/${proposalId}/discussion/post-comment`;
  await resident(first).post(discussion, { body: '赞成，我家老人每天要扶墙上楼。' });
  await resident(second).post(discussion, { body: '建议扶手两侧都装，楼梯转角也要有。' });
  await resident(third).post(discussion, { body: '同意，两侧都装更安全。', parentId: 'c2' });
  await resident(second).post(`proposals/${proposalId}/propose-amendment`, {
    title: '楼道两侧加装扶手',
    reason: '单侧扶手下楼时不顺手，转角处最容易摔倒。',
  });
  await convener.post(`proposals/${proposalId}/accept-amendment`, {
    amendmentId: 'a1',
    reason: '采纳：两侧加装，费用增加不多。',
  });
  log('  讨论：楼道加装扶手，3 条留言、1 条修改建议已采纳 (discussion, amendment)');

  const requester = resident(first);
  const wishId = 'glasses';
  await requester.post('wishes', {
    wishId,
    kind: 'wish',
    category: 'elderly-care',
    title: '想要一副老花镜',
    description: '独居老人，看报纸吃力，度数约 200 度。',
  });
  const volunteer = resident(third);
  await volunteer.post(`wishes/${wishId}/claim-wish`, { note: '周六上午送到家里' });
  await volunteer.post(`wishes/${wishId}/complete-wish`, {
    photo: 'doc:demo/wish-glasses.jpg',
    note: '已送到并试戴合适。',
  });
  await requester.post(`wishes/${wishId}/rate-wish`, { stars: 5, comment: '谢谢热心邻居！' });
  log('  微心愿：老花镜，志愿者认领并完成，评分 5 (micro-wish claimed, done, rated)');
  return { proposalId, wishId };
}
