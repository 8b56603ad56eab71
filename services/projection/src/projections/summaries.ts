import type {
  AttachmentEvent,
  CommunityEvent,
  ConvocationEvent,
  CrowdfundingEvent,
  DiscussionEvent,
  EvaluationEvent,
  FundEvent,
  InstallationEvent,
  ProposalEvent,
  SessionEvent,
  WishEvent,
} from '@yishi/domain';
import type { JsonObject } from '@yishi/event-store';
import { hundredths, yuan } from '@yishi/presentation';

// One line of Chinese per event, as an official reads the history (人类可读的时间线).
// An event type without a line here still appears, named by its type.

type Lines<E extends { type: string; data: unknown }> = {
  [K in E['type']]?: (data: Extract<E, { type: K }>['data']) => string;
};

const m2 = (centi: number | undefined) => (centi === undefined ? '?' : `${hundredths(centi)} m²`);
const list = (ids: readonly string[]) => (ids.length ? ids.join('、') : '（无）');
const UNIT_KIND: Record<string, string> = { home: '住宅', shop: '商铺', parking: '车位' };
const PARTY_KIND: Record<string, string> = {
  'party-organisation': '党组织',
  'residents-committee': '居民委员会',
  'villagers-committee': '村民委员会',
  'owners-committee': '业主委员会',
  'property-company': '物业服务企业',
  'resident-unit': '驻区单位',
  'social-organisation': '社会组织',
  'supervision-committee': '监督委员会',
};
const WEBHOOK_KIND: Record<string, string> = {
  'session-notice': '会议通知',
  'vote-opened': '表决开始',
  decision: '表决结果',
  publication: '公示',
  'sign-in-code': '登录验证码',
};
const TRANSFER: Record<string, string> = {
  sale: '出售',
  delivery: '交付',
  inheritance: '继承',
  gift: '赠与',
  'court-order': '法院裁定',
  correction: '更正',
};

/** The area that counts (SPC 2020 Art. 8): registry, else surveyed, else contract. */
export function effectiveArea(areas: {
  registryCentiM2?: number | undefined;
  surveyedCentiM2?: number | undefined;
  contractCentiM2?: number | undefined;
}): number {
  return areas.registryCentiM2 ?? areas.surveyedCentiM2 ?? areas.contractCentiM2 ?? 0;
}

const community: Lines<CommunityEvent> = {
  CommunityRegistered: (d) => `登记社区「${d.name}」（${d.kind === 'urban' ? '城市社区' : '村'}）`,
  CommunitySettingsChanged: (d) =>
    `修改社区设置：委托上限 ${d.settings.proxyLimit}，车位${d.settings.parkingSpacesVote ? '计入' : '不计入'}表决，未表决视为同意多数${d.settings.deemedConsent ? '开启' : '关闭'}`,
  ProcedureDefined: (d) =>
    `定义议事程序 ${d.procedure.templateId} 第 ${d.procedure.version} 版「${d.procedure.name}」`,
  PersonRegistered: (d) => `登记人员 ${d.name}（${d.personId}）`,
  PersonCorrected: (d) => `更正人员 ${d.personId} 的信息：${d.reason}`,
  // The ground and documents are withheld from most readers: the line names neither.
  PersonalDataErased: (d) =>
    `依《个人信息保护法》第四十七条删除人员 ${d.personId} 的个人信息（${d.approvedBy} 批准）`,
  UnitRegistered: (d) =>
    `登记${UNIT_KIND[d.kind] ?? d.kind} ${d.building}${d.label ? ` ${d.label}` : ''}（${d.unitId}），面积 ${m2(effectiveArea(d.areas))}${d.developerUnsold ? '，建设单位未出售' : `，业主 ${list(d.ownerIds)}`}`,
  UnitAreaCorrected: (d) =>
    `更正 ${d.unitId} 的面积：${m2(effectiveArea(d.previous))} → ${m2(effectiveArea(d.areas))}（依据 ${d.documentRef}）`,
  UnitTransferred: (d) =>
    `${d.unitId} 因${TRANSFER[d.reason] ?? d.reason}由 ${list(d.previousOwnerIds)} 转至 ${list(d.ownerIds)}（依据 ${d.documentRef}）`,
  ResidentGroupCreated: (d) => `设立居民小组「${d.name}」（${d.groupId}）`,
  ResidentGroupDissolved: (d) => `撤销居民小组 ${d.groupId}：${d.reason}`,
  HouseholdCreated: (d) => `建立户 ${d.householdId}${d.address ? `（${d.address}）` : ''}`,
  HouseholdDissolved: (d) => `撤销户 ${d.householdId}：${d.reason}`,
  ResidentAdded: (d) => `${d.personId} 入户 ${d.householdId}`,
  ResidentMoved: (d) => `${d.personId} 由户 ${d.fromHouseholdId} 迁至户 ${d.householdId}`,
  ResidentRemoved: (d) => `${d.personId} 迁出户 ${d.householdId}（${d.reason}）`,
  HouseholdRepresentativeDesignated: (d) => `指定 ${d.personId} 为户 ${d.householdId} 的代表`,
  GroupRepresentativeElected: (d) => `${d.personId} 当选居民小组 ${d.groupId} 代表`,
  GroupRepresentativeRemoved: (d) => `罢免居民小组 ${d.groupId} 代表 ${d.personId}：${d.reason}`,
  PartyRegistered: (d) => `登记协商主体「${d.name}」（${PARTY_KIND[d.kind] ?? d.kind}）`,
  PartyDissolved: (d) => `协商主体 ${d.partyId} 撤销：${d.reason}`,
  PartyRepresentativeAppointed: (d) => `${d.personId} 任协商主体 ${d.partyId} 的代表`,
  PartyRepresentativeRevoked: (d) => `${d.personId} 不再代表协商主体 ${d.partyId}`,
  PartyMemberAdded: (d) => `${d.personId} 加入 ${d.partyId}`,
  PartyMemberRemoved: (d) => `${d.personId} 退出 ${d.partyId}`,
  ProxyGranted: (d) =>
    `业主 ${d.ownerId} 委托 ${d.proxyId} 就议题 ${d.proposalId} 第 ${d.itemId} 项表决（${d.form === 'written' ? `书面委托 ${d.documentRef ?? ''}` : '电子委托'}）`,
  ProxyRevoked: (d) => `撤销委托 ${d.authorisationId}${d.reason ? `：${d.reason}` : ''}`,
  ClerkAppointed: (d) => `任命 ${d.personId} 为登记员`,
  ClerkRevoked: (d) => `撤销 ${d.personId} 的登记员职务`,
  TreasurerAppointed: (d) => `任命 ${d.personId} 为出纳`,
  TreasurerRevoked: (d) => `撤销 ${d.personId} 的出纳职务`,
  WebhookConfigured: (d) =>
    `${d.reconfigured ? '修改' : '设置'}通知网关 ${d.webhookId}（${d.events.map((k) => WEBHOOK_KIND[k] ?? k).join('、')}）→ ${d.url}`,
  WebhookRemoved: (d) => `停用通知网关 ${d.webhookId}：${d.reason}`,
  ContactConsentRecorded: (d) => `登记 ${d.personId} 同意接收通知（${d.channels.join('、')}）`,
  RemindersOptedOut: (d) => `${d.personId} 退订提醒`,
  StandingBodyEstablished: (d) => `设立常设议事机构「${d.name}」，地点 ${d.venue}`,
  StandingBodyChanged: (d) => `调整常设议事机构「${d.name}」（${d.reason}），地点 ${d.venue}`,
  StandingBodyDissolved: (d) => `撤销常设议事机构 ${d.bodyId}：${d.reason}`,
};

const CHOICE: Record<string, string> = { yes: '同意', no: '反对', abstain: '弃权' };
const POSITION: Record<string, string> = { support: '支持', oppose: '反对', abstain: '弃权' };
const OUTCOME: Record<string, string> = {
  adopted: '通过',
  'partly-adopted': '部分通过',
  rejected: '未通过',
};
const VIA: Record<string, string> = { online: '网上', proxy: '委托代理', paper: '书面' };
type Choices = readonly (
  | { itemId: string; choice: string }
  | { itemId: string; ranking: readonly string[] }
)[];
const choices = (cs: Choices) =>
  cs
    .map((c) =>
      'choice' in c
        ? `${c.itemId}：${CHOICE[c.choice] ?? c.choice}`
        : `${c.itemId}：${c.ranking.length ? c.ranking.join(' > ') : '空白'}`,
    )
    .join('；');
const day = (iso: string) => iso.slice(0, 10);

const proposal: Lines<ProposalEvent> = {
  ProposalSubmitted: (d) =>
    `${d.submittedBy.personId} 提出议题「${d.title}」（${d.procedure.name}，第 ${d.procedure.version} 版${d.onBehalfOf ? `，代表 ${d.onBehalfOf.partyId}` : ''}）`,
  ProposalAmended: (d) =>
    `修改议题：${d.reason}${d.renoticeRequired ? '（告知后修改，须重新告知）' : ''}`,
  OptionAdded: (d) =>
    `第 ${d.itemId} 项增加方案「${d.option.title}」${d.renoticeRequired ? '（告知后修改，须重新告知）' : ''}`,
  ProposalAcceptedOntoAgenda: (d) =>
    `列入议事清单，协商主体：${list(d.concernedPartyIds)}${d.sessionId ? `，提交会议 ${d.sessionId}` : ''}`,
  NoticeGiven: (d) =>
    `${d.renewed ? '修改后重新发布通知（公告）' : '发布通知（公告）'}，${day(d.nextStageFrom)} 起可进入下一阶段`,
  DeliberationRecorded: (d) => `记录协商情况${d.sessionId ? `（会议 ${d.sessionId}）` : ''}`,
  VotingOpened: (d) =>
    `开始表决 ${d.voteId}：规则 ${d.rule.kind}，表决人 ${d.totals.voters} 名，面积 ${m2(d.totals.areaCentiM2)}，截止 ${d.closesAt}${d.allowBallotChange ? '，可改票' : ''}`,
  PresenceRecorded: (d) => `签到 ${d.voterIds.length} 名`,
  BallotCast: (d) =>
    `${d.voterId} ${VIA[d.via] ?? d.via}投票${d.castBy !== d.voterId ? `（${d.castBy} 代投）` : ''}：${choices(d.choices)}`,
  BallotChanged: (d) => `${d.voterId} 改票：${choices(d.choices)}`,
  PaperBallotCorrected: (d) =>
    `更正 ${d.voterId} 的书面表决票（${d.documentRef}）：${choices(d.choices)}，理由：${d.reason}`,
  VotingClosed: (d) =>
    `表决 ${d.voteId} 结束${d.meetingEnded ? '（会议结束，按签到和表决记录计票）' : d.early ? '（全部表决人已表决，提前结束）' : ''}`,
  ProposalDecided: (d) =>
    `表决结果：${OUTCOME[d.outcome] ?? d.outcome}（${d.items.map((i) => `${i.itemId} ${OUTCOME[i.outcome] ?? i.outcome}`).join('；')}）`,
  ProposalReturned: (d) => `退回 ${d.toStageId} 重新协商：${d.reason}`,
  ProposalPublished: (d) =>
    `${d.subject === 'decision' ? '公示决议' : '公开实施结果'}，公示期至 ${day(d.endsAt)}${d.onTime === false ? '（超过公布期限）' : ''}${d.implementationDueAt ? `，应于 ${day(d.implementationDueAt)} 前落实` : ''}${d.implementationResponsibleId ? `，责任人 ${d.implementationResponsibleId}` : ''}`,
  ObjectionRaised: (d) => `${d.by.personId} 提出异议 ${d.objectionId}`,
  ObjectionAnswered: (d) => `答复异议 ${d.objectionId}`,
  ImplementationReported: (d) => `报告落实进度 ${d.progressPercent}%`,
  FeedbackReported: () => '向参与各方和居民反馈',
  SatisfactionRated: (d) => `${d.by.personId} 满意度评议：${d.rating} 分`,
  ProposalWithdrawn: (d) => `撤回议题：${d.reason}`,
  NonVotersReminded: (d) => `自动提醒未表决者 ${d.personIds.length} 人（截止 ${d.closesAt}）`,
  ImplementationAssigned: (d) => `落实责任人改为 ${d.responsibleId}：${d.reason}`,
  ImplementationOverdue: (d) =>
    `落实逾期（期限 ${d.dueAt}）${d.responsibleId ? `，提醒责任人 ${d.responsibleId}` : ''}`,
};

const session: Lines<SessionEvent> = {
  SessionConvened: (d) =>
    `召集${d.kind === 'joint-session' ? '联席会议' : '居民议事会'}「${d.title}」，${d.scheduledAt}，议程 ${d.agenda.length} 项，参加方：${d.parties.map((p) => p.name).join('、')}`,
  SessionNoticeGiven: () => '发出会议通知',
  AttendanceRecorded: (d) =>
    `${d.personId} 出席${d.partyId ? `（代表 ${d.partyId}）` : d.as === 'member' ? '（议事会成员）' : '（列席）'}`,
  StatementRecorded: (d) =>
    `${d.speakerPersonId}${d.partyId ? `（${d.partyId}）` : ''} 就 ${d.itemId} 发言`,
  PositionStated: (d) =>
    `${d.partyId} 就 ${d.itemId} 表态：${POSITION[d.position] ?? d.position}${d.reason ? `（${d.reason}）` : ''}`,
  MemberVoteCast: (d) => `${d.personId} 就 ${d.itemId} 表决：${CHOICE[d.choice] ?? d.choice}`,
  ItemResolved: (d) =>
    `${d.itemId} 形成决议：${OUTCOME[d.outcome] ?? d.outcome}${d.dissentingPartyIds.length ? `，持异议：${list(d.dissentingPartyIds)}` : ''}`,
  MinutesDrafted: (d) => `起草会议纪要第 ${d.version} 稿`,
  MinutesAmended: (d) => {
    const voided = [...(d.voidedSignaturePartyIds ?? []), ...(d.voidedSignatureMemberIds ?? [])];
    return `修改会议纪要为第 ${d.version} 稿：${d.reason}${voided.length ? `；此前 ${voided.join('、')} 的签名作废` : ''}`;
  },
  MinutesSigned: (d) => `${signer(d)}签署会议纪要第 ${d.version} 稿`,
  MinutesFinalised: (d) =>
    `会议纪要第 ${d.version} 稿经 ${list([...d.signedByPartyIds, ...(d.signedByMemberIds ?? [])])} 签署定稿`,
  MinutesCorrectionProposed: (d) => `提出纪要更正 ${d.correctionId}：${d.reason}`,
  MinutesCorrectionSigned: (d) => `${signer(d)}签署纪要更正 ${d.correctionId}`,
  MinutesCorrectionFinalised: (d) => `纪要更正 ${d.correctionId} 生效`,
  MinutesPublished: (d) =>
    `公开会议纪要第 ${d.version} 稿${d.correctionIds.length ? `及更正 ${list(d.correctionIds)}` : ''}`,
  SignersReminded: (d) =>
    `提醒尚未签署会议纪要第 ${d.version} 稿的 ${list([...d.partyIds, ...d.personIds])}`,
};

/** Who signed: a party through its representative, or (no party) a council member. */
function signer(d: { partyId?: string | undefined; personId: string }): string {
  return d.partyId === undefined ? `议事会成员 ${d.personId} ` : `${d.partyId}（${d.personId}）`;
}

const CAPACITY: Record<string, string> = {
  'adult-resident': '本人（成年居民）',
  household: '户代表',
  'resident-group': '居民小组代表',
};
const BODY: Record<string, string> = {
  'request-adults': '成年居民五分之一以上',
  'request-households': '户五分之一以上',
  'request-groups': '居民小组三分之一以上',
};

// 居民会议的召集（城市居民委员会组织法第十条）.
const convocation: Lines<ConvocationEvent> = {
  ResidentsMeetingRequested: (d) => `${d.by.personId} 提议召集居民会议：${d.matters}`,
  ResidentsMeetingRequestSigned: (d) =>
    `${d.signerId} 以${CAPACITY[d.capacity] ?? d.capacity}身份联名（计入 ${d.countedId}）`,
  ResidentsMeetingMustBeConvened: (d) =>
    `联名达到${d.passed.map((p) => BODY[p] ?? p).join('、')}：应当召集居民会议` +
    `（成年居民 ${d.figures.adults.requesting}/${d.figures.adults.total}，户 ${d.figures.households.requesting}/${d.figures.households.total}，小组 ${d.figures.groups.requesting}/${d.figures.groups.total}）`,
  ResidentsMeetingConvened: (d) =>
    `召集居民会议，${d.meetingAt}${d.place ? `，${d.place}` : ''}${d.proposalIds?.length ? `，议题 ${list(d.proposalIds)}` : ''}`,
};

const FUND_KIND: Record<string, string> = {
  'maintenance-fund': '专项维修资金',
  'micro-fund': '社区微基金',
};
const yuanOf = (fen: number) => `${yuan(fen)} 元`;
const pledgerOf = (p: { kind: string; personId?: string; partyId?: string }) =>
  p.kind === 'party' ? `协商主体 ${p.partyId}` : `${p.personId}`;

const crowdfunding: Lines<CrowdfundingEvent> = {
  CrowdfundingOpened: (d) =>
    `发起众筹「${d.title}」，目标 ${yuanOf(d.targetFen)}，截止 ${day(d.deadline)}（议题 ${d.proposalId} 第 ${d.itemId} 项${d.optionId ? ` 方案 ${d.optionId}` : ''}）`,
  PledgeMade: (d) => `${pledgerOf(d.pledger)} 认捐 ${yuanOf(d.amountFen)}（${d.pledgeId}）`,
  PledgeReceiptRecorded: (d) =>
    `收到认捐 ${d.pledgeId} 款项 ${yuanOf(d.amountFen)}，累计 ${yuanOf(d.receivedFen)}（${d.documentRef}）`,
  CrowdfundingClosed: (d) =>
    d.outcome === 'funded'
      ? `众筹成功：认捐 ${yuanOf(d.pledgedFen)}，已收 ${yuanOf(d.receivedFen)}`
      : `众筹退款（${d.reason === 'target-missed' ? '截止时未达目标' : '方案未获通过'}）：应退 ${d.refundsOwed.length} 笔，共 ${yuanOf(d.receivedFen)}`,
  RefundRecorded: (d) => `退还认捐 ${d.pledgeId} ${yuanOf(d.amountFen)}（${d.documentRef}）`,
};

const fund: Lines<FundEvent> = {
  FundOpened: (d) => `设立${FUND_KIND[d.kind] ?? d.kind}账目「${d.name}」`,
  FundEntryPosted: (d) => {
    const debit = d.lines.filter((l) => l.side === 'debit').reduce((s, l) => s + l.amountFen, 0);
    return `记账 ${d.entryId}：${d.memo}，${yuanOf(debit)}（${d.documentRef}）${d.decision ? `，依据议题 ${d.decision.proposalId} 第 ${d.decision.itemId} 项` : ''}`;
  },
  FundEntryReversed: (d) => `冲销凭证 ${d.reverses}（${d.entryId}）：${d.reason}`,
};

// The installation: its administrators and the officials (街道, 民政) who oversee communities.
const installation: Lines<InstallationEvent> = {
  AdminBootstrapped: (d) => `${d.personId} 以一次性代码登记为首位管理员`,
  AdminAppointed: (d) => `任命 ${d.personId} 为管理员`,
  AdminRevoked: (d) => `撤销 ${d.personId} 的管理员职务：${d.reason}`,
  OfficialAppointed: (d) =>
    `${d.reappointed ? '重新任命' : '任命'} ${d.personId}（${d.office}）监督${d.communities.includes('*') ? '全部社区' : `社区 ${list(d.communities)}`}`,
  OfficialRevoked: (d) => `撤销 ${d.personId} 的监督职务：${d.reason}`,
};

// Participation: discussion, amendments, micro-wishes, evaluations. No line holds a comment's
// text (a later event may hide it) or an evaluation's answers (sealed).
const ON = (itemId?: string, optionId?: string) =>
  itemId ? `（关于 ${itemId}${optionId ? `/${optionId}` : ''}）` : '';
const discussion: Lines<DiscussionEvent> = {
  CommentPosted: (d) =>
    d.parentId
      ? `${d.by.personId} 回复留言 ${d.parentId}（${d.commentId}）`
      : `${d.by.personId} 发表留言 ${d.commentId}${ON(d.itemId, d.optionId)}`,
  CommentHidden: (d) => `隐藏留言 ${d.commentId}：${d.reason}`,
  CommentUnhidden: (d) => `恢复留言 ${d.commentId}：${d.reason}`,
};
const amendments: Lines<ProposalEvent> = {
  AmendmentProposed: (d) => `${d.by.personId} 提出修改建议 ${d.amendmentId}：${d.reason}`,
  AmendmentAccepted: (d) => `采纳修改建议 ${d.amendmentId}：${d.reason}`,
  AmendmentRejected: (d) => `不采纳修改建议 ${d.amendmentId}：${d.reason}`,
};
const STARS = (n: number) => '★'.repeat(Math.max(0, Math.min(5, n)));
const wish: Lines<WishEvent> = {
  WishPosted: (d) => `${d.by.personId} 发布${d.kind === 'need' ? '需求' : '微心愿'}：${d.title}`,
  WishClaimed: (d) =>
    `${d.claimant.kind === 'party' ? `${d.claimant.name}（${d.by.personId}）` : d.by.personId} 认领`,
  WishUnclaimed: (d) => `${d.by.personId} 放弃认领${d.reason ? `：${d.reason}` : ''}`,
  WishCompleted: (d) => `${d.by.personId} 完成，照片 ${d.photo}`,
  WishRated: (d) => `评价 ${STARS(d.stars)}（${d.stars}/5）`,
  WishCancelled: (d) => `取消：${d.reason}`,
};
const evaluation: Lines<EvaluationEvent> = {
  EvaluationOpened: (d) => `发起评议：${d.title}（${d.questions.length} 题，截止 ${d.closesAt}）`,
  EvaluationAnswered: (d) => `${d.by.personId} 参加评议`,
  EvaluationClosed: (d) =>
    `评议结束：${d.respondents} 人参加${d.withheld ? '，人数不足不公布结果' : '，公布汇总结果'}`,
};

// An uploaded scan, photo or receipt: its type, size and the first digits of its hash.
const attachment: Lines<AttachmentEvent> = {
  AttachmentUploaded: (d) =>
    `上传附件 ${d.fileName ?? ''}（${d.mediaType}，${Math.ceil(d.size / 1024)} KB，SHA-256 ${d.sha256.slice(0, 12)}）`,
};

const lines: Record<string, ((data: never) => string) | undefined> = {
  ...attachment,
  ...community,
  ...installation,
  ...proposal,
  ...session,
  ...convocation,
  ...crowdfunding,
  ...fund,
  ...discussion,
  ...amendments,
  ...wish,
  ...evaluation,
};

/** Whether events of this type get a line of their own (else the type's name). */
export function hasLine(type: string): boolean {
  return Object.hasOwn(lines, type);
}

export function summarise(type: string, data: JsonObject): string {
  const line = Object.hasOwn(lines, type) ? lines[type] : undefined;
  if (!line) return type;
  try {
    return line(data as never);
  } catch {
    // An event older than the line's shape still gets a line.
    return type;
  }
}
