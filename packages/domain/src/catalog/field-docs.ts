import { z } from 'zod';

// What each field of a command means, in Chinese then English ("中文 · English"): the API
// description documents every body field from here. Looked up by the command and the field's
// path (`OpenVoting.rule.kind`), then the path (`rule.kind`), then the field's name; a test
// fails for a body field without one.

const MATTERS =
  '业主共同决定事项（民法典第二百七十八条第一款）：assembly-rules (1) 制定和修改业主大会议事规则, management-statute (2) 制定和修改管理规约, committee-election (3) 选举或更换业主委员会成员, property-company (4) 选聘和解聘物业服务企业或者其他管理人, maintenance-fund-use (5) 使用维修资金, maintenance-fund-raise (6) 筹集维修资金, rebuild (7) 改建、重建建筑物及其附属设施, common-parts-use (8) 改变共有部分的用途或者利用共有部分从事经营活动, other-major (9) 其他重大事项；(6)–(8) 须参与表决的专有部分面积和人数各四分之三以上同意，其余各过半数 · ' +
  "The owners' matter (Civil Code Art. 278 para. 1, items 1–9, as listed); matters (6)–(8) need three quarters of the participating area and owners, the others more than half; omitted on an item that is not an owners' vote";

const THRESHOLD = {
  numerator: '分子 · Numerator of the fraction',
  denominator: '分母 · Denominator of the fraction',
  inclusive:
    'true："以上"（达到即可）；false："超过/过半数"（须超过） · true: reaching the fraction passes (以上, >=); false: it must be exceeded (超过, >)',
};

const common: Record<string, string> = {
  ...THRESHOLD,
  personId: '人员编号（名册中的人员） · Person id, as in the registry',
  partyId: '协商主体编号 · Party id (a consultation party of the registry)',
  unitId: '专有部分编号 · Unit id (专有部分: a home, shop or parking space)',
  groupId: '居民小组/村民小组编号 · Resident group id',
  householdId: '户编号 · Household id',
  proposalId: '议题编号（省略则由服务生成） · Proposal id (generated when omitted)',
  sessionId: '会议编号 · Session id',
  itemId: '议项编号 · Item id of the proposal or session agenda',
  voterId:
    '投票人编号：业主、居民、户或代表（共有的专有部分为共有人组；开发商未售部分为 developerId） · The voter: an owner (co-owners vote as one), a resident, a household or a representative; unsold units of the developer vote as the community’s `developerId`',
  authorisationId: '委托编号 · Proxy authorisation id',
  objectionId: '异议编号 · Objection id',
  correctionId: '更正编号 · Correction id',
  webhookId: '通知网关编号（删除后不再使用） · Webhook id (never reused after removal)',
  requestId: '提议编号（省略则由服务生成） · Request id (generated when omitted)',
  documentRef:
    '书面材料的编号或存放位置（如档案号），或已上传的附件 attachment:<sha256>（须为本社区的附件） · Where the paper document is kept or its reference (file number), or an uploaded attachment as attachment:<sha256> (one of this community)',
  sha256: '内容的 SHA-256（64 位小写十六进制） · SHA-256 of the content, 64 lowercase hex digits',
  size: '字节数 · Size in bytes',
  mediaType: '由内容识别的类型 · The type read from the bytes',
  fileName: '上传时的文件名（仅作显示） · The file’s name on the uploader’s device (shown only)',
  reason: '理由（记入记录） · Reason, kept in the record',
  text: '正文 · Text, as published or recorded',
  note: '备注 · Note',
  name: '名称 · Name',
  title: '标题 · Title',
  description: '说明 · Description',
  ownerIds: '业主（共有人）人员编号 · Owners (co-owners when several), as person ids',
  areas:
    '面积（0.01 平方米）：按不动产登记簿、测绘、合同的顺序采用（最高法解释第八条） · Areas in 0.01 m²: the registry area counts, else the surveyed, else the contract area (SPC interpretation 2020 Art. 8)',
  registryCentiM2:
    '不动产登记簿记载的面积（0.01 平方米） · Area in the real-estate register, 0.01 m²',
  surveyedCentiM2: '测绘机构实测面积（0.01 平方米） · Surveyed area, 0.01 m²',
  contractCentiM2: '合同记载的面积（0.01 平方米） · Area in the sale contract, 0.01 m²',
  birthDate:
    '出生日期（YYYY-MM-DD），用于每次表决时计算是否成年 · Birth date, to tell adulthood (18+) at each vote',
  adult: '是否年满十八周岁（不登记出生日期时） · Whether 18 or older, when no birth date is kept',
  phone:
    '手机号（E.164，如 +8613812345678；大陆号码须为手机号），用于登录和通知；加密保存 · Mobile number in E.164 (a mainland number must be a mobile one), to sign in and be notified; stored sealed',
  choices: '每个议项的选择，每项一条 · One choice per item voted on',
  choice: '同意 yes、反对 no、弃权 abstain · yes, no or abstain',
  ranking:
    '方案议项：按偏好排列的方案编号（空数组为空白票） · A plans item: option ids in order of preference (empty: a blank ballot)',
  signedBy:
    '在纸质票上签名的人（代理人或业主本人） · Who signed the paper ballot (the owner or their proxy)',
  quorum: '出席（参与）门槛 · Quorum threshold',
  approval: '通过门槛 · Approval threshold',
  threshold: '门槛 · Threshold',
  deemedConsent:
    '未表决视为同意多数（须管理规约有此规定） · Non-voters are deemed to vote with the majority (only where the statute provides for it)',
  deemedConsentStatuteRef:
    '规定"视为同意"的管理规约条款 · The statute provision allowing deemed consent',
  proxyLimit: '每名代理人在每个议项可接受的委托数 · Authorisations one proxy may hold per item',
  parkingSpacesVote:
    '车位是否作为专有部分计入业主表决 · Whether parking spaces count as units in owners’ votes',
  developerId:
    '建设单位（开发商）的人员编号：未出售或未交付的专有部分以此身份计入表决，由其投票 · Person id under which the developer votes: every unit marked `developerUnsold` counts as the developer’s, with its area, and the developer casts that ballot',
  partyMembersMeeting:
    '党员大会审议（四议两公开）的出席与通过门槛 · Quorum and approval of the party members’ meeting (四议两公开)',
  matter: MATTERS,
  concernedPartyIds: '议题涉及的协商主体 · The parties the matter concerns',
  capacity:
    '以何种身份联名：adult-resident 十八周岁以上居民，household 户，resident-group 居民小组 · Signing as an adult resident, a household or a resident group (居民会议组织法第十条)',
  days: '天数 · Days',
  units: '专有部分，每行一条 · Units, one per row',
  residents: '居民，每行一条 · Residents, one per row',
  sheet: '所在工作表 · The sheet the row is on',
  row: '行号 · Row number',
  owners: '业主（姓名与人员编号） · The owners, with name and person id',
  groupName: '居民小组名称 · Resident group name',
};

/** By path: fields whose meaning depends on where they are. */
const byPath: Record<string, string> = {
  kind: '类型 · Kind',
  settings: '社区设置（省略则用默认值） · Settings (defaults when omitted)',
  'stages.id': '阶段编号 · Stage id',
  'stages.kind':
    '阶段类型：submission 提出, agenda 列入议事清单, notice 公告, deliberation 协商, decision 决定, publication 公开 · Stage kind',
  'stages.name': '阶段名称 · Stage name',
  'stages.submitterPartyKinds':
    '只有这些类型协商主体的代表可提出（空：任何人） · Only representatives of these party kinds may submit; empty: anyone',
  'stages.minDays': '公告后至少经过的天数 · Days after the notice before the next stage',
  'stages.rules': '可用的决定规则 · The decision rules this stage may use',
  'stages.ifRejected':
    '未通过时：end 结束，publish 公开后结束，return 退回 returnTo · When rejected: end, publish then end, or return to `returnTo`',
  'stages.returnTo': '退回到的阶段 · The stage to return to',
  'stages.subject': '公开的是决定 decision 还是落实结果 implementation · What is published',
  'stages.withinDays': '决定后须在几天内公开 · Days after the decision within which to publish',
  'stages.periodDays': '公开期（天），期间可提异议 · Days the publication stays open to objections',
  items: '议项及其方案 · Items and their options',
  'items.kind':
    '议项类型：motion 动议（同意/反对），plans 方案选取 · motion (yes/no) or plans (choose among options)',
  'items.options': '方案（plans 议项） · Options of a plans item',
  'items.options.optionId': '方案编号 · Option id',
  optionId: '方案编号 · Option id',
  option: '新增的方案 · The option to add',
  rule: '表决规则（开启表决时冻结） · The decision rule, frozen when voting opens',
  'rule.kind':
    '规则：owners-278 业主共同决定，residents-meeting 居民会议，villagers-meeting 村民会议，villagers-representatives-meeting 村民代表会议，villager-group-meeting 村民小组会议，art279-consent 住改商同意，party-members-meeting 党员大会 · The rule',
  'rule.countParking':
    '车位是否计入（须与社区设置一致） · Whether parking spaces count (as the community adopted)',
  'rule.form': '居民会议形式：全体成年居民、户代表或居民小组代表 · The residents’ meeting form',
  'rule.unitId': '申请住改商的专有部分 · The unit to be turned into business premises',
  'rule.applicantOwnerIds': '申请的业主 · The applicant owners',
  'rule.groupId': '村民小组编号 · The villager group',
  'rule.partyId': '党组织 · The party organisation',
  closesAt: '表决截止时间（ISO 8601，含时区） · When voting closes (ISO 8601 with offset)',
  allowBallotChange: '截止前是否允许改票 · Whether voters may change ballots until it closes',
  planMethod:
    '方案选取方式：plurality 相对多数，majority-runoff 过半数否则两强决选，instant-runoff 排序复选 · How plans are chosen',
  voterIds: '签到的投票人 · Voters present',
  meetingEnded:
    '会议已结束（会议表决于此截止） · The meeting has ended (a meeting vote closes with it)',
  sessionItemId: '联席会议中决议该议题的议项 · The session agenda item that resolved the proposal',
  implementationDueAt: '落实期限 · When implementation is due',
  implementationResponsibleId:
    '落实责任人（登记的人员），逾期时提醒 · The registered person responsible for implementation, reminded when overdue',
  responsibleId:
    '新的落实责任人（登记的人员） · The registered person now responsible for implementation',
  answer: '答复 · Answer',
  progressPercent: '落实进度（%） · Implementation progress, percent',
  rating: '满意度，1 至 5 · Satisfaction from 1 to 5',
  comment: '意见 · Comment',
  scheduledAt: '开会时间 · When the session sits',
  agenda: '议程 · Agenda items',
  'agenda.proposalId': '议程所议的议题 · The proposal the item discusses',
  requiredPartyIds:
    '必须出席的协商主体（省略：默认） · Parties that must attend (default when omitted)',
  resolutionRule: '决议规则 · How items are resolved',
  'resolutionRule.kind':
    'consensus 协商一致，qualified-majority 多数同意 · Consensus or a qualified majority',
  'resolutionRule.among': '谁的一致：必须出席方 required 或全部出席方 attending · Whose consensus',
  memberIds: '议事会成员（居民议事会） · Council members (residents’ council)',
  venue: '开会地点 · Where the meetings sit (venue)',
  standingBodyId:
    '所属常设议事机构（定时器召开的例会） · The standing body whose regular meeting this is (convened by the scheduler)',
  bodyId: '常设议事机构编号 · Standing body id',
  partyIds: '每次例会邀请的协商主体 · The parties invited to each meeting',
  schedule:
    '例会时间：每月几日（如逢四说事 4、14、24 日）或每月第几个星期几，北京时间 · When it meets: days of each month (逢四说事: 4, 14, 24) or the n-th weekday of each month, China Standard Time',
  'schedule.kind':
    'days-of-month 每月几日，weekday-of-month 每月第几个星期几 · Days of the month, or the n-th weekday',
  'schedule.days': '每月的日期（1 至 28） · Days of each month (1 to 28)',
  'schedule.time': '开会时刻，北京时间 HH:MM · Time of day, China Standard Time, HH:MM',
  'schedule.weekday': '星期几（1 星期一 … 7 星期日） · ISO weekday (1 Monday … 7 Sunday)',
  'schedule.nth': '第几个（1 至 4） · Which one of the month (1 to 4)',
  reminderDaysBeforeClose:
    '表决截止前几天提醒未表决者（0：不提醒；省略：2 天） · Days before a vote closes that those who have not voted are reminded (0: none; default 2)',
  channels:
    '本人同意接收通知的渠道：sms 短信，wechat-work 企业微信，dingtalk 钉钉 · The channels the person consented to be reached on',
  speakerPersonId: '发言人 · The speaker',
  position: '立场：support 支持，oppose 反对，abstain 弃权 · The party’s position',
  textHash: '所签纪要正文的哈希 · Hash of the minutes text signed',
  matters: '提议的事项 · The matters the meeting is requested for',
  meetingAt: '会议召开时间 · When the meeting sat',
  place: '地点 · Place',
  proposalIds: '提交会议的议题 · The proposals put to the meeting',
  hours: '小时数 · Hours',
  url: '网关地址（https，本机可 http；不得含用户名和密码） · The gateway URL (https, http on this machine only; no credentials)',
  events: '通知的事件 · What the webhook is told about',
  procedure: '议事规程模板编号 · The procedure template',
  procedureVersion: '规程版本（省略：最新） · The procedure version (latest when omitted)',
  summary: '协商纪要 · Summary of the deliberation',
  building: '楼栋 · Building',
  entrance:
    '单元（楼栋内的门洞），一个单元的业主可单独决定本单元的事项 · The entrance (单元) of the building: its owners may decide its own matters',
  scope:
    '由谁决定：全体业主（community，默认）或一栋楼（building，可再指定单元 entrance）的业主，如加装电梯；提交后不可更改 · Who decides: the whole community (default) or the owners of one building (and entrance), e.g. installing a lift; fixed once submitted',
  cost: '费用：按面积 area 或按户 unit 分摊总额，按每平方米单价 rate，或由基金支付 fund；金额单位为分 · The cost: a total shared by area or by unit, a rate per square metre, or paid from a fund; amounts in fen',
  basis:
    '分摊方式：area 按面积（最大余额法，合计恰为总额）、unit 按户、rate 按单价（每户四舍五入到分）、fund 基金支付 · How it is borne: area (largest remainder, summing to the total), unit, rate (each owner rounded half up to the fen), or fund',
  totalFen: '总额（分） · The total, in fen',
  fenPerSquareMetre:
    '每平方米单价（分），如 3000 即 30 元/平方米 · Rate per square metre in fen (3000: 30 元/m²)',
  label: '房号 · Unit label',
  developerUnsold:
    '未出售或未交付：无论登记的买受人，计入建设单位（developerId）表决 · Unsold or not delivered: counted with the developer (`developerId`) whatever buyer is on record',
  instructions: '委托人对表决的指示 · How the owner instructs the proxy to vote',
  ownerId: '委托人 · The owner who authorises',
  proxyId: '代理人 · The proxy',
  templateId: '规程模板编号 · Procedure template id',
  stages: '阶段，按顺序 · Stages, in order',
  residentGroupId: '所属居民小组 · The resident group',
  address: '地址 · Address',
  voteId: '表决编号 · Vote id',
};

/** Per command, where a field means something of its own there. */
// ---- Participation: amendments, discussion, micro-wishes, evaluations ----------------------

const WISH_CATEGORY =
  '类别：elderly-care 为老服务，children 儿童关爱，disability 助残，daily-life 生活帮扶，repair 维修，environment 环境，culture 文体，health 医疗健康，other 其他 · Category: elderly care, children, disability, daily life, repair, environment, culture, health, other';

const participation: Record<string, Record<string, string>> = {
  ProposeAmendment: {
    title: '建议的标题 · Proposed title',
    description: '建议的说明 · Proposed text',
    items: '建议的议项（整体替换） · Proposed items (replacing all)',
    reason: '建议理由 · Why it should be amended',
  },
  AcceptAmendment: {
    amendmentId: '修改建议编号（a1、a2…） · Amendment id (a1, a2, …)',
    reason: '采纳理由（记入议题的修改记录） · Why it is accepted (kept with the amendment)',
  },
  RejectAmendment: {
    amendmentId: '修改建议编号（a1、a2…） · Amendment id (a1, a2, …)',
    reason: '不采纳的理由 · Why it is rejected',
  },
  PostComment: {
    body: '留言内容（至多 5000 字） · The comment, at most 5,000 characters',
    itemId:
      '所评论的议项（省略则评论整个议题） · The item commented on (omitted: the whole proposal)',
    optionId: '所评论的方案（须同时给出议项） · The plan commented on (with its item)',
    parentId:
      '所回复的留言编号（只能回复一级留言；回复沿用其议项和方案） · The comment replied to: a first-level comment (the reply takes its item and plan)',
  },
  HideComment: {
    commentId: '留言编号（c1、c2…） · Comment id (c1, c2, …)',
    reason: '隐藏理由（作者和管理人员可见） · Why it is hidden (shown to its author and officials)',
  },
  UnhideComment: {
    commentId: '已隐藏的留言编号 · The hidden comment’s id',
    reason: '恢复显示的理由 · Why it is shown again',
  },
  PostWish: {
    wishId: '心愿编号（省略则由服务生成） · Wish id (generated when omitted)',
    kind: 'wish 微心愿，need 需求 · A small wish, or a need',
    category: WISH_CATEGORY,
    title: '心愿标题（至多 100 字） · Title, at most 100 characters',
    description: '具体说明 · What is wished for or needed',
  },
  ClaimWish: { note: '认领说明（如何时上门） · A note (e.g. when they will come)' },
  UnclaimWish: { reason: '放弃认领的原因 · Why the claim is given up' },
  CompleteWish: {
    photo:
      '完成照片：已上传的附件 attachment:<sha256>、https 网址或 doc: 开头的文档编号 · Photo of the help given: an uploaded attachment (attachment:<sha256>), an https URL or a doc: reference',
    note: '完成情况说明 · What was done',
  },
  RateWish: {
    stars: '评分 1（很不满意）至 5（很满意） · Rating, 1 (poor) to 5 (very satisfied)',
    comment: '评价 · Comment on the help',
  },
  CancelWish: { reason: '取消原因 · Why it is cancelled' },
  OpenEvaluation: {
    evaluationId: '评议编号（省略则由服务生成） · Evaluation id (generated when omitted)',
    title: '评议名称 · Title',
    subject: '评议对象（如物业服务企业） · What is evaluated (e.g. the property company)',
    description: '评议说明 · What the evaluation is about',
    closesAt: '截止时间（ISO 8601） · When answers close (ISO 8601)',
    questions: '问卷题目（1–20 题） · The questionnaire, 1 to 20 questions',
    'questions.questionId': '题目编号 · Question id',
    'questions.text': '题目 · The question',
    'questions.kind':
      'scale 1–5 分评分；choice 单选 · scale: a 1–5 rating; choice: one of the options',
    'questions.options': '单选题的选项（2–10 个） · The options of a choice (2 to 10)',
    'questions.options.optionId': '选项编号 · Option id',
    'questions.options.label': '选项文字 · Option label',
  },
  AnswerEvaluation: {
    answers:
      '每题一答；答案保密，只公布汇总结果 · One answer per question; answers are sealed, only the aggregate is published',
    'answers.questionId': '题目编号 · Question id',
    'answers.value': '评分题：1–5 分 · A scale question: 1 to 5',
    'answers.optionId': '单选题：所选选项编号 · A choice question: the option chosen',
  },
  CloseEvaluation: { note: '结束说明 · Note on closing' },
};

const byCommand: Record<string, Record<string, string>> = {
  RegisterCommunity: {
    name: '社区/村名称 · Community name',
    kind: 'urban 社区（居民委员会），rural 村（村民委员会） · urban: 社区; rural: 村',
  },
  RegisterPerson: { name: '姓名 · Full name' },
  CorrectPerson: { name: '更正后的姓名 · Corrected name' },
  ErasePersonalData: {
    personId: '删除其个人信息的人员 · The person whose personal data is erased',
    legalBasis:
      '删除的法定事由（个人信息保护法第四十七条） · The legal ground of the erasure (PIPL Art. 47)',
    'legalBasis.ground':
      '事由：purpose-fulfilled 处理目的已实现、无法实现或不再必要，retention-ended 停止提供服务或保存期限已届满，consent-withdrawn 撤回同意，unlawful-processing 违法处理，other-law 法律、行政法规规定的其他情形 · The Art. 47 ground: purpose fulfilled, retention ended, consent withdrawn, unlawful processing, or another law',
    'legalBasis.explanation':
      '事由的具体情况（记入记录） · The facts behind the ground, kept in the record',
    approvedBy:
      '批准删除的人员编号（名册中的人员，非记录的书记员） · Who approved the erasure: a registered person other than the recording clerk',
    documentRef: '删除申请或决定的书面材料 · The written request or decision, if any',
  },
  RegisterUnit: {
    kind: '专有部分类型：home 住宅，shop 商铺，parking 车位 · home, shop or parking',
  },
  TransferUnit: {
    ownerIds: '新业主（共有人） · The new owners; the unit is then sold and delivered',
    reason: '变更原因 · Why ownership changed',
  },
  CreateResidentGroup: { name: '小组名称 · Group name' },
  RemoveResident: { reason: '离开原因：迁出、死亡、更正 · Why: moved out, deceased, correction' },
  RegisterParty: {
    kind: '协商主体类型：党组织、居委会、村委会、业委会、物业、驻区单位、社会组织、监督委员会 · Party kind',
    name: '协商主体名称 · Party name',
  },
  ConfigureWebhook: { description: '说明 · What the webhook is for' },
  SubmitProposal: { title: '议题标题 · Proposal title', description: '议题说明 · Proposal text' },
  AmendProposal: {
    title: '修改后的标题 · New title',
    description: '修改后的说明 · New text',
    items: '修改后的议项 · New items',
    reason: '修改理由 · Why it is amended',
  },
  AddOption: { itemId: '方案议项 · The plans item' },
  AcceptOntoAgenda: { sessionId: '安排议题的会议（可选） · The session it is put to (optional)' },
  GiveNotice: { text: '公告内容 · Notice text' },
  RecordDeliberation: { sessionId: '协商所在的会议（可选） · The session it took place in' },
  EnterPaperBallot: { documentRef: '纸质票的编号 · The paper ballot’s reference' },
  CorrectPaperBallot: { documentRef: '更正所依据的材料 · The document behind the correction' },
  ReturnToStage: { reason: '退回协商的理由 · Why it returns to consultation' },
  Publish: { text: '公开内容 · Text published' },
  RaiseObjection: {
    objectionId: '异议编号（由提出人给定） · Objection id',
    text: '异议内容 · Objection',
  },
  ReportImplementation: { itemId: '所报告的议项（可选） · The item reported on (optional)' },
  ReportFeedback: { text: '反馈内容 · Feedback to participants' },
  WithdrawProposal: { reason: '撤回理由 · Why it is withdrawn' },
  ConveneSession: {
    sessionId: '会议编号（省略则由服务生成） · Session id (generated when omitted)',
    kind: 'joint-session 联席会议，residents-council 居民议事会 · Joint session or residents’ council',
    title: '会议名称 · Session title',
  },
  GiveSessionNotice: { text: '会议通知 · Notice of the session' },
  RecordAttendance: { partyId: '代表的协商主体（代表出席时） · The party represented, if any' },
  RecordStatement: { text: '发言内容 · Statement' },
  StatePosition: { reason: '立场理由 · Why' },
  CastMemberVote: { choice: '成员表决：yes、no、abstain · The member’s vote' },
  DraftMinutes: { text: '纪要正文 · Minutes text' },
  AmendMinutes: { text: '修改后的纪要正文 · Amended text', reason: '修改理由 · Why' },
  CorrectMinutes: { text: '更正后的纪要正文 · Corrected text', reason: '更正理由 · Why' },
  RecordResidentsMeetingConvened: { note: '备注 · Note' },
  ...participation,
  BootstrapAdmin: { personId: '首位管理员的人员编号 · The first administrator’s person id' },
  AppointAdmin: { personId: '管理员的人员编号 · The administrator’s person id' },
  RevokeAdmin: { personId: '管理员的人员编号 · The administrator’s person id' },
  AppointOfficial: {
    personId: '街道、民政工作人员的人员编号 · The official’s person id',
    communities:
      '所监督的社区编号（* 为全部社区） · The communities the official oversees (`*`: every community)',
    office: '所在机关，如某某街道办事处、某区民政局 · The office, e.g. a sub-district office',
  },
  RevokeOfficial: { personId: '街道、民政工作人员的人员编号 · The official’s person id' },
};

// Money (众筹, 专项维修资金, 微基金): amounts are integer fen (分), never fractions of a yuan.
const AMOUNT =
  '金额（分，整数），如 150000 即 1500.00 元 · Amount in fen (integer): 150000 is 1500.00 元';
const ACCOUNT =
  '科目：bank 银行存款，cash 库存现金，receivable 应收款，income:owner-deposits 业主缴存，income:interest 利息，income:crowdfunding 众筹转入，income:donations 捐赠，income:other 其他收入，spending:repairs 维修工程，spending:equipment 设施设备，spending:services 服务费用，spending:other 其他支出 · The account';
const money: Record<string, Record<string, string>> = {
  OpenCrowdfunding: {
    campaignId: '众筹编号（省略则由服务生成） · Campaign id (generated when omitted)',
    title: '众筹标题 · Campaign title',
    description: '众筹说明 · What the money is for',
    proposalId: '所资助的议题 · The proposal the money is for',
    itemId: '所资助的议项 · The proposal item the money is for',
    optionId: '所资助的方案（方案议项必填） · The plan it funds (required for a plans item)',
    targetFen: `众筹目标，${AMOUNT}`,
    deadline:
      '截止时间（此刻起不再接受认捐；届时未达目标则退款） · Pledges close at this time; below target then, the money is refunded',
  },
  PledgeToCrowdfunding: {
    pledgeId: '认捐编号（由认捐人给定） · Pledge id, chosen by the pledger',
    amountFen: `认捐金额，${AMOUNT}`,
  },
  RecordPledgeReceipt: {
    pledgeId: '认捐编号 · The pledge paid',
    amountFen: `本次收到的金额（累计不得超过认捐额），${AMOUNT}`,
    documentRef: '收据编号 · The receipt given',
  },
  CloseCrowdfunding: { note: '备注 · Note' },
  RecordRefund: {
    pledgeId: '认捐编号 · The pledge refunded',
    amountFen: `退还金额（须等于已收金额），${AMOUNT}`,
    documentRef: '退款凭证 · The refund’s voucher',
  },
  OpenFund: {
    fundId: '基金编号（省略则由服务生成） · Fund id (generated when omitted)',
    kind: '基金类型：maintenance-fund 专项维修资金，micro-fund 社区微基金 · The kind of fund',
    name: '基金名称 · Fund name',
    description: '说明 · Description',
  },
  PostFundEntry: {
    entryId: '记账凭证编号 · Entry id',
    lines: '分录：借方合计须等于贷方合计 · The lines: debits must equal credits',
    'lines.account': ACCOUNT,
    'lines.side': '借 debit，贷 credit · debit or credit',
    'lines.amountFen': AMOUNT,
    memo: '摘要 · What the entry is for',
    documentRef: '原始凭证（发票、收据、银行回单）编号 · The receipt, invoice or bank slip',
    authorisedBy:
      '授权支出的表决决定（议题与议项）；支出必填 · The adopted decision that authorises the spending; required to spend',
    'authorisedBy.proposalId': '议题编号 · Proposal id',
    'authorisedBy.itemId': '议项编号 · Item id',
  },
  ReverseFundEntry: {
    entryId: '冲销凭证编号 · The reversing entry’s id',
    reverses: '被冲销的凭证编号 · The entry it reverses',
    reason: '冲销理由 · Why it is reversed',
    documentRef: '更正依据的凭证 · The document behind the correction',
  },
};

/** The description of a body field of `command` at `path` (property names, outermost first). */
export function fieldDoc(command: string, path: readonly string[]): string | undefined {
  const dotted = path.join('.');
  const field = path.at(-1) ?? '';
  return (
    (byCommand[command] ?? money[command])?.[dotted] ??
    byPath[dotted] ??
    byPath[field] ??
    common[field]
  );
}

/**
 * The schema with each property described (nested objects too, through optional, nullable,
 * default, arrays and unions). Validation is unchanged: objects keep their refinements
 * (`safeExtend`), other schemas are cloned with their own definition.
 */
export function describeFields<S extends z.ZodType>(
  command: string,
  schema: S,
  path: string[] = [],
): S {
  return annotate(schema, command, path) as S;
}

function annotate(schema: z.ZodType, command: string, path: readonly string[]): z.ZodType {
  if (schema instanceof z.ZodObject) {
    const shape: Record<string, z.ZodType> = {};
    for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      const inner = annotate(field, command, [...path, key]);
      const doc = field.description === undefined ? fieldDoc(command, [...path, key]) : undefined;
      shape[key] = doc === undefined ? inner : inner.describe(doc);
    }
    return schema.safeExtend(shape);
  }
  if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodDefault
  ) {
    const innerType = annotate(schema._zod.def.innerType as z.ZodType, command, path);
    return schema.clone({ ...schema._zod.def, innerType } as never);
  }
  if (schema instanceof z.ZodArray) {
    const element = annotate(schema._zod.def.element as z.ZodType, command, path);
    return schema.clone({ ...schema._zod.def, element });
  }
  if (schema instanceof z.ZodUnion) {
    const options = schema._zod.def.options.map((o) => annotate(o as z.ZodType, command, path));
    return schema.clone({ ...schema._zod.def, options });
  }
  return schema;
}
