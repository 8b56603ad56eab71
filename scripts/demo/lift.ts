import { formatYuan } from '@yishi/presentation';
import { type Api, inPool } from './client.ts';
import type { DemoCommunity } from './community.ts';

// (5) 加装电梯: the owners of one entrance decide it (domain.md 3.1b) and each sees their share
// of the cost, by area, before voting.

const BUILDING = '5号楼';
const ENTRANCE = '2单元';
const COST_FEN = 48_000_000; // 48 万元

export interface LiftResult {
  proposalId: string;
  /** Owners of the entrance's units (co-owners vote as one: the electorate may be fewer). */
  owners: number;
  ballots: number;
}

export async function liftVote(
  api: Api,
  c: DemoCommunity,
  advance: (days: number) => Promise<void>,
  now: () => Promise<Date>,
  log: (line: string) => void,
): Promise<LiftResult> {
  const units = c.units.filter(
    (u) =>
      u.building === BUILDING &&
      u.entrance === ENTRANCE &&
      !u.developerUnsold &&
      u.ownerIds.length > 0,
  );
  const owners = [...new Set(units.map((u) => u.ownerIds[0]!))];
  const proposer = api.as('owner', owners[0]!);
  await proposer.post('proposals', {
    proposalId: 'lift',
    title: `${BUILDING}${ENTRANCE}加装电梯`,
    description: `${BUILDING}${ENTRANCE}业主提议加装电梯一部，总费用48万元，由本单元业主按专有部分面积分摊。`,
    procedure: 'owners-joint-decision',
    items: [
      {
        itemId: 'lift',
        title: '同意加装电梯并按面积分摊费用',
        kind: 'motion',
        matter: 'rebuild',
        options: [],
        cost: { basis: 'area', totalFen: COST_FEN },
      },
    ],
    scope: { kind: 'building', building: BUILDING, entrance: ENTRANCE },
  });
  const convener = api.as('convener', c.conveners[0]!);
  await convener.post('proposals/lift/give-notice', {
    text: `${BUILDING}${ENTRANCE}加装电梯表决公告：本单元业主表决，15日后开始`,
  });
  await advance(16);
  const opened = await convener.post('proposals/lift/open-voting', {
    rule: { kind: 'owners-278', deemedConsent: false, countParking: false },
    closesAt: new Date((await now()).getTime() + 10 * 86_400_000).toISOString(),
  });
  // Low floors gain least from a lift: most upper-floor owners agree, some below do not.
  let ballots = 0;
  await inPool(owners, 8, async (ownerId, i) => {
    if (i % 7 === 6) return; // did not vote
    const res = await api
      .as('owner', ownerId)
      .post(
        'proposals/lift/cast-ballot',
        { choices: [{ itemId: 'lift', choice: i % 5 === 1 ? 'no' : 'yes' }] },
        [201, 403, 409],
      );
    if (res.code === undefined) ballots += 1;
  });
  const shares = await api.read(
    api.as('owner', owners[1]!),
    `/v1/communities/${c.communityId}/proposals/lift/shares?personId=${owners[1]}&minPosition=${opened.position}`,
  );
  const share = (shares.body as { costs?: { shares: { amountFen: number }[] }[] }).costs?.[0]
    ?.shares[0];
  // The scheduler closes the vote at its time as the clock moves past it (#24).
  await advance(10);
  log(
    `  (5) ${BUILDING}${ENTRANCE}加装电梯（本单元业主决定）：${owners.length} 位业主，${ballots} 人投票；费用 ${formatYuan(COST_FEN)} 按面积分摊${share ? `，例如 ${owners[1]} 分摊 ${formatYuan(share.amountFen)}` : ''}`,
  );
  return { proposalId: 'lift', owners: owners.length, ballots };
}
