import {
  figureMessages,
  type Lang,
  labelOf,
  matter,
  meetingForm,
  outcome,
  type Pair,
  partyKind,
  position,
  role,
  rule,
  sessionKind,
  type Words,
  wordsOf,
} from '@yishi/presentation';

// The printed documents' own strings, Chinese first; the figures' words and the labels of
// the domain's values are the console's (@yishi/presentation).

const documentMessages = {
  'doc.kind.decision-notice': ['公示', 'Public notice'],
  'doc.kind.meeting-notice': ['会议通知', 'Meeting notice'],
  'doc.kind.minutes': ['会议纪要', 'Minutes'],
  'doc.kind.register': ['决议台账摘录', 'Extract of the decision register'],
  'doc.notice.title': ['关于“{title}”表决结果的公示', 'Public notice of the decision on “{title}”'],
  'doc.notice.matter': ['事项', 'Matter'],
  'doc.notice.procedure': ['议事程序', 'Procedure'],
  'doc.notice.items': ['表决事项', 'Items decided'],
  'doc.notice.rule': ['表决规则', 'Rule applied'],
  'doc.notice.electorate': [
    '表决权人 {voters} 人，专有部分总面积 {area}',
    '{voters} voters; total area of their units {area}',
  ],
  'doc.notice.electorateHeads': ['表决权人 {voters} 人', '{voters} voters'],
  'doc.notice.result': ['表决结果', 'Result'],
  'doc.notice.decidedAt': ['{at} 作出决定：{outcome}', 'Decided {at}: {outcome}'],
  'doc.notice.bySession': ['由联席会议（{session}）决定', 'Decided by the joint session {session}'],
  'doc.notice.item': ['第 {n} 项：{title}', 'Item {n}: {title}'],
  'doc.notice.chosen': ['选定方案：{option}', 'Plan chosen: {option}'],
  'doc.notice.failed': ['未符合：{test}', 'First test not met: {test}'],
  'doc.notice.alternatives': ['以下任一项符合即可：', 'Any one of these suffices:'],
  'doc.notice.positions': [
    '支持：{support}；反对：{oppose}；弃权：{abstain}',
    'Support: {support}; oppose: {oppose}; abstain: {abstain}',
  ],
  'doc.notice.deemed': [
    '按管理规约“未表决视为同意多数”计算：{outcome}',
    'With non-voters deemed to follow the majority (management statute): {outcome}',
  ],
  'doc.figures': ['计票', 'Figures'],
  'doc.figures.count': ['人数', 'Count'],
  'doc.figures.area': ['面积', 'Area'],
  'doc.notice.period': ['公示期与异议', 'Publication period and objections'],
  'doc.notice.periodDates': ['公示期自 {from} 起至 {to} 止。', 'Published from {from} until {to}.'],
  'doc.notice.periodPending': [
    '公示期自公布之日起 {days} 日。',
    'Published for {days} days from the day it is published.',
  ],
  'doc.notice.periodNone': [
    '本议事程序对该决定不设公示期。',
    'The procedure sets no publication period for this decision.',
  ],
  'doc.notice.howToObject': [
    '公示期内，本社区的居民、业主和协商主体代表对表决结果有异议的，可扫描本页二维码或登录议事系统（{url}），在本议题页面提出异议并说明理由；每项异议及其答复均记入本议题的记录。',
    'Until the period ends, residents, owners and party representatives of the community who object to the result may raise an objection, with their reasons, on this proposal’s page in the Yishi system ({url}), or scan the QR code on this page. Each objection and its answer is kept in the proposal’s record.',
  ],
  'doc.notice.objections': [
    '截至本文件生成时，已提出异议 {raised} 项，已答复 {answered} 项。',
    'When this document was made, {raised} objections had been raised and {answered} answered.',
  ],
  'doc.notice.text': ['公告内容', 'Text of the announcement'],
  'doc.notice.implementationDue': ['落实期限：{at}', 'To be implemented by {at}'],
  'doc.meeting.title': ['{title} 会议通知', 'Notice of meeting: {title}'],
  'doc.meeting.when': ['时间', 'Time'],
  'doc.meeting.where': ['地点', 'Place'],
  'doc.meeting.kind': ['会议类型', 'Kind of meeting'],
  'doc.meeting.convenedBy': ['召集人', 'Convened by'],
  'doc.meeting.parties': ['参加各方', 'Parties invited'],
  'doc.meeting.required': ['（应出席）', ' (required)'],
  'doc.meeting.members': ['议事会成员 {count} 人', '{count} council members'],
  'doc.meeting.agenda': ['议程', 'Agenda'],
  'doc.meeting.concerned': ['涉及：{parties}', 'Concerns: {parties}'],
  'doc.meeting.proposal': ['议题 {id}', 'proposal {id}'],
  'doc.meeting.notice': ['通知内容', 'Text of the notice'],
  'doc.meeting.noticeAt': ['通知发出时间：{at}', 'Notice given {at}'],
  'doc.meeting.noNotice': ['尚未发出会议通知。', 'No notice has been given yet.'],
  'doc.minutes.title': ['{title} 会议纪要', 'Minutes: {title}'],
  'doc.minutes.attendance': ['出席', 'Attendance'],
  'doc.minutes.nobody': ['（无记录）', '(none recorded)'],
  'doc.minutes.resolutions': ['议定事项', 'Resolutions'],
  'doc.minutes.unresolved': ['未作决议', 'Not resolved'],
  'doc.minutes.dissent': ['持异议：{parties}', 'Dissenting: {parties}'],
  'doc.minutes.text': ['纪要正文（第 {version} 稿）', 'Text of the minutes (version {version})'],
  'doc.minutes.none': ['尚未起草会议纪要。', 'No minutes have been drafted yet.'],
  'doc.minutes.final': [
    '各方已签署，纪要定稿于 {at}。',
    'Signed by every party; final since {at}.',
  ],
  'doc.minutes.draft': [
    '草稿：尚未经出席各方全部签署。',
    'Draft: not yet signed by every attending party.',
  ],
  'doc.minutes.published': ['纪要公开于 {at}。', 'Published {at}.'],
  'doc.minutes.textHash': ['正文摘要（SHA-256）', 'Text digest (SHA-256)'],
  'doc.minutes.signatures': ['签署', 'Signatures'],
  'doc.minutes.party': ['协商主体', 'Party'],
  'doc.minutes.signer': ['签署人', 'Signed by'],
  'doc.minutes.signedAt': ['签署时间', 'Signed at'],
  'doc.minutes.noSignatures': ['尚无签署。', 'Not signed yet.'],
  'doc.minutes.corrections': ['更正', 'Corrections'],
  'doc.minutes.correction': ['更正 {id}：{reason}', 'Correction {id}: {reason}'],
  'doc.minutes.correctionFinal': ['已签署生效', 'signed and in force'],
  'doc.minutes.correctionPending': ['待签署', 'awaiting signatures'],
  'doc.register.title': ['{community} 决议台账摘录', 'Decision register of {community}: extract'],
  'doc.register.filter': ['范围：{range}', 'Range: {range}'],
  'doc.register.all': ['全部决议', 'every decision'],
  'doc.register.from': ['{date} 起', 'from {date}'],
  'doc.register.to': ['{date} 前', 'before {date}'],
  'doc.register.none': ['该范围内没有决议。', 'No decision in this range.'],
  'doc.register.proposal': ['议题', 'Proposal'],
  'doc.register.decided': ['决定', 'Decided'],
  'doc.register.outcome': ['结果', 'Outcome'],
  'doc.register.publication': ['公示', 'Published'],
  'doc.register.implementation': ['落实', 'Implementation'],
  'doc.register.head': ['链头', 'Chain head'],
  'doc.register.progress': ['进度 {percent}%', '{percent}% done'],
  'doc.register.notStarted': ['未开始', 'not started'],
  'doc.register.due': ['期限 {at}', 'due {at}'],
  'doc.register.overdue': ['已逾期', 'overdue'],
  'doc.register.notOverdue': ['未逾期', 'not overdue'],
  'doc.register.withdrawn': ['已撤回', 'withdrawn'],
  'doc.verify.title': ['核验', 'Verification'],
  'doc.verify.code': ['文件核验码', 'Document code'],
  'doc.verify.head': ['记录链头', 'Chain head of the record'],
  'doc.verify.headLine': ['{stream} 第 {version} 条 · {hash}', '{stream} event {version} · {hash}'],
  'doc.verify.proposalHead': ['议题 {id} 链头', 'Chain head of proposal {id}'],
  'doc.verify.how': [
    '扫描二维码或打开下面的网址，核对本文件所依据的记录是否完整、是否仍为最新，并可查看同一版本的在线文件（核验码应相同）：',
    'Scan the QR code or open the address below to check that the record this document stands on is intact and still the latest, and to see the same version online (its document code must match):',
  ],
  'doc.verify.made': [
    '生成于 {at}，依据记录位置 {position}。',
    'Made {at} from the record at position {position}.',
  ],
  'doc.page': ['第 {page} 页，共 {pages} 页', 'Page {page} of {pages}'],
  'doc.screen.print': [
    '这是打印页：用浏览器的“打印”（Ctrl+P）打印在 A4 纸上，或下载 PDF。',
    'This is a print page: print it on A4 with the browser’s Print (Ctrl+P), or download the PDF.',
  ],
  'doc.screen.pdf': ['下载 PDF', 'Download the PDF'],
  'doc.none': ['无', 'none'],
} as const satisfies Record<string, Pair>;

const messages = { ...figureMessages, ...documentMessages };
export type DocumentKey = keyof typeof messages;

const labels = {
  matter,
  meetingForm,
  outcome,
  partyKind,
  position,
  role,
  rule,
  sessionKind,
};

/** A document's words in one language. */
export interface DocumentWords extends Words<DocumentKey> {
  /** The label of a domain value; the value itself when the group does not know it. */
  label(group: keyof typeof labels, value: string): string;
}

export function documentWords(lang: Lang): DocumentWords {
  return {
    ...wordsOf(messages, lang),
    label: (group, value) => labelOf(labels[group], value, lang) ?? value,
  };
}
