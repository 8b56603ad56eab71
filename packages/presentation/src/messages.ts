import type {
  ActorRole,
  DecisionRuleKind,
  OwnersMatter,
  PartyKind,
  PartyPosition,
  ResidentsMeetingForm,
} from '@yishi/domain';
import type { Pair } from './lang.ts';

// Words both the console and the printed documents use: the figures of a rule in words, and
// the labels of the domain's values. Chinese first, English second.

/** The strings `figures.ts` words a result with. */
export const figureMessages = {
  'tally.yes': ['同意', 'Yes'],
  'tally.no': ['反对', 'No'],
  'tally.abstain': ['弃权', 'Abstain'],
  'tally.notVoting': ['未投票', 'Not voting'],
  'words.reaches': ['达到{threshold}', 'reaches {threshold}'],
  'words.notReaches': ['未达到{threshold}', 'does not reach {threshold}'],
  'words.exceeds': ['超过{threshold}', 'is more than {threshold}'],
  'words.notExceeds': ['未超过{threshold}', 'is not more than {threshold}'],
  'words.half': ['半数', 'half'],
  'words.all': ['全部', 'all'],
  'words.fraction': ['{d}分之{n}', '{n}/{d}'],
  'words.ofTotal': ['{value} / {base}', '{value} of {base}'],
  'words.sentence': [
    '{subject} {percent}（{ratio}），{verdict}',
    '{subject} {percent} ({ratio}): {verdict}',
  ],
  'words.ratioOnly': ['{subject} {ratio}，{verdict}', '{subject} {ratio}: {verdict}'],
  'words.passed': ['符合', 'met'],
  'words.failed': ['不符合', 'not met'],
  'words.alternatives': ['以下任一项符合即可：', 'Any one of these suffices:'],
  'unit.m2': ['{value} 平方米', '{value} m²'],
  'unit.persons': ['{value} 人', '{value}'],
  'unit.parties': ['{value} 方', '{value} parties'],
  'test.participation-area': ['参与表决面积', 'Participating area'],
  'test.participation-owners': ['参与表决人数', 'Participating owners'],
  'test.approval-area': ['同意面积（占参与表决面积）', 'Area in favour (of participating area)'],
  'test.approval-owners': [
    '同意人数（占参与表决人数）',
    'Owners in favour (of participating owners)',
  ],
  'test.quorum': ['到会人数', 'Present'],
  'test.quorum-villagers': ['到会村民', 'Villagers present'],
  'test.quorum-households': ['到会户代表（户数）', 'Households represented'],
  'test.approval': ['同意人数（占到会人数）', 'In favour (of those present)'],
  'test.attendance-required': ['应出席的协商主体出席', 'Required parties attending'],
  'test.consensus': ['协商一致（支持方占表态方）', 'Consensus (supporting of deciding parties)'],
  'test.qualified-majority': ['支持的协商主体（占出席方）', 'Parties in support (of attending)'],
  'test.consent-all': ['利害关系业主同意', 'Interested owners consenting'],
  'test.majority': ['领先方案得票（占有效票）', 'Leading plan (of valid votes)'],
} as const satisfies Record<string, Pair>;
export type FigureKey = keyof typeof figureMessages;

/** Roles as an event records them: `system` is the scheduler (自动, an automatic step). */
export const role: Record<ActorRole, Pair> = {
  resident: ['居民', 'resident'],
  owner: ['业主', 'owner'],
  proxy: ['委托代理人', 'proxy'],
  clerk: ['书记员', 'clerk'],
  party_representative: ['协商主体代表', 'party representative'],
  convener: ['召集人', 'convener'],
  official: ['街道/民政工作人员', 'official'],
  admin: ['管理员', 'administrator'],
  system: ['自动', 'automatic'],
};

export const partyKind: Record<PartyKind, Pair> = {
  'party-organisation': ['社区党组织', 'community party organisation'],
  'residents-committee': ['居民委员会', 'residents’ committee'],
  'villagers-committee': ['村民委员会', 'villagers’ committee'],
  'owners-committee': ['业主委员会', 'owners’ committee'],
  'property-company': ['物业服务企业', 'property service company'],
  'resident-unit': ['驻区单位', 'resident unit'],
  'social-organisation': ['社会组织', 'social organisation'],
  'supervision-committee': ['监督委员会', 'supervision committee'],
};

export const position: Record<PartyPosition, Pair> = {
  support: ['支持', 'support'],
  oppose: ['反对', 'oppose'],
  abstain: ['弃权', 'abstain'],
};

export const choice: Record<'yes' | 'no' | 'abstain', Pair> = {
  yes: ['同意', 'yes'],
  no: ['反对', 'no'],
  abstain: ['弃权', 'abstain'],
};

export const outcome: Record<string, Pair> = {
  adopted: ['通过', 'adopted'],
  'partly-adopted': ['部分通过', 'partly adopted'],
  rejected: ['未通过', 'rejected'],
  chosen: ['已选定', 'chosen'],
  tie: ['票数相同', 'tie'],
  'runoff-needed': ['需要第二轮', 'run-off needed'],
  'no-valid-votes': ['无有效票', 'no valid votes'],
};

export const rule: Record<DecisionRuleKind, Pair> = {
  'owners-278': ['业主共同决定（民法典第 278 条）', 'Owners’ decision (Civil Code Art. 278)'],
  'residents-meeting': ['居民会议（居委会组织法第 9 条）', 'Residents’ meeting (Art. 9)'],
  'villagers-meeting': ['村民会议（村委会组织法第 22 条）', 'Villagers’ meeting (Art. 22)'],
  'villagers-representatives-meeting': [
    '村民代表会议（第 26 条）',
    'Villagers’ representatives’ meeting (Art. 26)',
  ],
  'villager-group-meeting': ['村民小组会议（第 28 条）', 'Villager group meeting (Art. 28)'],
  'party-members-meeting': ['党员大会审议', 'Party members’ meeting'],
  'art279-consent': [
    '住改商：利害关系业主一致同意（民法典第 279 条）',
    'Home to business: all interested owners (Art. 279)',
  ],
  'joint-session': ['联席会议决议', 'Joint session resolution'],
};

export const meetingForm: Record<ResidentsMeetingForm, Pair> = {
  'all-adults': ['全体十八周岁以上居民', 'all residents aged 18 or over'],
  'household-representatives': ['每户派代表', 'one representative per household'],
  'group-representatives': ['居民小组选举的代表', 'representatives of the resident groups'],
};

export const sessionKind: Record<'joint-session' | 'residents-council', Pair> = {
  'joint-session': ['多方联席会议', 'joint session'],
  'residents-council': ['居民议事会会议', 'residents’ council meeting'],
};

export const matter: Record<OwnersMatter, Pair> = {
  'assembly-rules': [
    '（一）制定和修改业主大会议事规则',
    '(1) Rules of procedure of the owners’ assembly',
  ],
  'management-statute': ['（二）制定和修改管理规约', '(2) Management statute'],
  'committee-election': [
    '（三）选举或更换业主委员会成员',
    '(3) Electing or replacing the owners’ committee',
  ],
  'property-company': [
    '（四）选聘和解聘物业服务企业',
    '(4) Hiring or dismissing the property company',
  ],
  'maintenance-fund-use': ['（五）使用维修资金', '(5) Using the maintenance fund'],
  'maintenance-fund-raise': ['（六）筹集维修资金', '(6) Raising the maintenance fund'],
  rebuild: ['（七）改建、重建建筑物及其附属设施', '(7) Rebuilding or reconstructing'],
  'common-parts-use': [
    '（八）改变共有部分用途或利用共有部分经营',
    '(8) Changing the use of common parts',
  ],
  'other-major': ['（九）其他重大事项', '(9) Other major matters'],
};
