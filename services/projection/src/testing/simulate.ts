import {
  type Actor,
  adoptedRules,
  type Choice,
  type CommunityCommand,
  type CommunityEvent,
  type CommunityState,
  type ConvocationCommand,
  type ConvocationEvent,
  type ConvocationState,
  communityDecider,
  convocationDecider,
  type Decider,
  defaultCommunitySettings,
  isDomainError,
  type ProposalCommand,
  type ProposalEvent,
  type ProposalItem,
  type ProposalState,
  proposalDecider,
  type SessionCommand,
  type SessionEvent,
  type SessionState,
  sessionDecider,
  streams,
  textHashOf,
  type Voter,
} from '@yishi/domain';
import type { AppendResult, EventStore, JsonObject } from '@yishi/event-store';
import type { Random } from './random.ts';

// Random valid command sequences for tests: commands go through the domain's deciders, and
// only what a decider accepts is appended, with the metadata the command service writes.

/** The simulated communities are urban, with the default settings (OpenVoting's context). */
const urbanRules = adoptedRules({ kind: 'urban', settings: defaultCommunitySettings });

interface Stream<S> {
  state: S;
  version: number;
}

export class Simulator {
  private readonly streamStates = new Map<string, Stream<unknown>>();
  private clock: number;
  private commandNo = 0;
  /** Command ids must be unique across simulators writing to one store (idempotency). */
  private readonly idPrefix: string;
  accepted = 0;
  readonly refusals = new Map<string, number>();
  refused = 0;
  last: AppendResult | undefined;

  constructor(
    private readonly store: Pick<EventStore, 'append'>,
    private readonly random: Random,
    start = Date.parse('2026-01-05T01:00:00.000Z'),
  ) {
    this.clock = start;
    this.idPrefix = `sim${random.int(0, 2 ** 31)}`;
  }

  /** Moves the simulated clock on (notice periods, closing times). */
  advance(days: number): void {
    this.clock += days * 86_400_000;
  }

  /** Decides and appends one command; the events, or undefined when the decider refused it. */
  async send<C, E extends { type: string; data: unknown }, S>(
    streamId: string,
    decider: Decider<C, E, S>,
    command: (at: string) => C,
    actor: Actor,
    communityId: string,
  ): Promise<readonly E[] | undefined> {
    const stream = (this.streamStates.get(streamId) as Stream<S> | undefined) ?? {
      state: decider.initialState(),
      version: 0,
    };
    this.clock += this.random.int(1, 120) * 1000;
    const at = new Date(this.clock).toISOString();
    const decided = decider.decide(command(at), stream.state);
    if (isDomainError(decided)) {
      this.refused += 1;
      const what = `${(command(at) as { type?: string }).type ?? '?'}: ${decided.code}`;
      this.refusals.set(what, (this.refusals.get(what) ?? 0) + 1);
      return undefined;
    }
    if (decided.length === 0) return undefined;
    this.commandNo += 1;
    const commandId = `${this.idPrefix}-${this.commandNo}`;
    const metadata: JsonObject = {
      commandId,
      actorId: actor.personId,
      actorRole: actor.role,
      occurredAt: at,
      correlationId: `req-${this.commandNo}`,
      causationId: commandId,
      communityId,
    };
    this.last = await this.store.append(
      streamId,
      decided.map((e) => ({ type: e.type, data: e.data as JsonObject, metadata })),
      { expected: stream.version, commandId },
    );
    if (this.last.duplicate) throw new Error(`command id ${commandId} was used before`);
    let state = stream.state;
    for (const event of decided) state = decider.evolve(state, event);
    this.streamStates.set(streamId, { state, version: this.last.nextExpectedVersion });
    this.accepted += 1;
    return decided;
  }

  async community(
    communityId: string,
    command: (at: string) => CommunityCommand,
    actor: Actor,
  ): Promise<boolean> {
    const events = await this.send<CommunityCommand, CommunityEvent, CommunityState>(
      streams.community(communityId),
      communityDecider,
      command,
      actor,
      communityId,
    );
    return events !== undefined;
  }

  /** A command on a request to convene a residents' meeting (its context filled by the caller). */
  convocation(
    communityId: string,
    requestId: string,
    command: (at: string) => ConvocationCommand,
    actor: Actor,
  ): Promise<readonly ConvocationEvent[] | undefined> {
    return this.send<ConvocationCommand, ConvocationEvent, ConvocationState>(
      streams.convocation(communityId, requestId),
      convocationDecider,
      command,
      actor,
      communityId,
    );
  }

  proposal(
    communityId: string,
    proposalId: string,
    type: ProposalCommand['type'],
    data: object,
    actor: Actor,
  ): Promise<readonly ProposalEvent[] | undefined> {
    return this.send<ProposalCommand, ProposalEvent, ProposalState>(
      streams.proposal(communityId, proposalId),
      proposalDecider,
      (at) => ({ type, data, actor, at }) as ProposalCommand,
      actor,
      communityId,
    );
  }

  session(
    communityId: string,
    sessionId: string,
    type: SessionCommand['type'],
    data: object,
    actor: Actor,
  ): Promise<readonly SessionEvent[] | undefined> {
    return this.send<SessionCommand, SessionEvent, SessionState>(
      streams.session(communityId, sessionId),
      sessionDecider,
      (at) => ({ type, data, actor, at }) as SessionCommand,
      actor,
      communityId,
    );
  }

  /**
   * A vote of six owners, still open, in which every way of casting and changing a ballot
   * happens: online and changed (twice for o4), on paper and corrected, by a proxy on paper
   * and online.
   * Every command must be accepted.
   */
  async changedBallots(communityId: string, proposalId: string): Promise<void> {
    const clerk: Actor = { personId: 'clerk1', role: 'clerk' };
    const owner = (id: string): Actor => ({ personId: id, role: 'owner' });
    const send = async (type: ProposalCommand['type'], data: object, actor: Actor) => {
      const events = await this.proposal(communityId, proposalId, type, data, actor);
      if (!events) throw new Error(`${type} by ${actor.personId} was refused`);
    };
    const items = ['fund', 'raise'];
    const choices = (...c: Choice[]) => items.map((itemId, i) => ({ itemId, choice: c[i]! }));
    await this.openVote(communityId, proposalId, 6, new Date(this.clock + 30 * 86_400_000), {
      raise: true,
      allowBallotChange: true,
    });
    const paper = (voterId: string, ...c: Choice[]) => ({
      voterId,
      signedBy: voterId,
      choices: choices(...c),
      documentRef: `表决票-${voterId}`,
    });
    await send('CastBallot', { choices: choices('yes', 'no') }, owner('o1'));
    await send('EnterPaperBallot', paper('o2', 'no', 'no'), clerk);
    await send('CastBallot', { choices: choices('abstain', 'yes') }, owner('o3'));
    await send('CastBallot', { choices: choices('no', 'no') }, owner('o4'));
    await send('ChangeBallot', { choices: choices('no', 'yes') }, owner('o1'));
    await send('CorrectPaperBallot', { ...paper('o2', 'yes', 'no'), reason: '录入错误' }, clerk);
    await send('ChangeBallot', { choices: choices('yes', 'yes') }, owner('o4'));
    await send('ChangeBallot', { choices: [{ itemId: 'raise', choice: 'abstain' }] }, owner('o4'));
    // A proxy: on paper (then corrected, which keeps who signed and under which authorisation),
    // and online (then changed by the owner, which drops the authorisation).
    const authorisations = (voterId: string) =>
      items.map((itemId) => ({
        authorisationId: `a-${voterId}-${itemId}`,
        ownerId: voterId,
        proxyId: 'zhou',
        proposalId,
        itemId,
        active: true,
      }));
    const proxy: Actor = { personId: 'zhou', role: 'proxy' };
    await send(
      'EnterPaperBallot',
      { ...paper('o5', 'yes', 'yes'), signedBy: 'zhou', authorisations: authorisations('o5') },
      clerk,
    );
    await send('CorrectPaperBallot', { ...paper('o5', 'no', 'yes'), reason: '录入错误' }, clerk);
    await send(
      'CastProxyBallot',
      { voterId: 'o6', choices: choices('yes', 'no'), authorisations: authorisations('o6') },
      proxy,
    );
    await send('ChangeBallot', { choices: choices('no', 'no') }, owner('o6'));
  }

  /**
   * An owners' joint decision (业主共同决定) from submission towards feedback: notice, a vote of
   * `voters` owners with online, paper, changed and corrected ballots, publication, objections,
   * implementation reports and satisfaction. It stops at a random stage unless `complete`.
   */
  async ownersDecision(
    communityId: string,
    proposalId: string,
    voters: number,
    complete = false,
    /** The proposal's title (else one of a few, picked at random). */
    title?: string,
  ): Promise<void> {
    const r = this.random;
    const convener: Actor = { personId: 'conv', role: 'convener' };
    const clerk: Actor = { personId: 'clerk1', role: 'clerk' };
    const owner = (id: string): Actor => ({ personId: id, role: 'owner' });
    const stopAt = complete ? 99 : r.int(1, 9);
    const items: ProposalItem[] = [
      {
        itemId: 'fund',
        title: '使用维修资金更换电梯',
        kind: 'motion',
        matter: 'maintenance-fund-use',
        options: [],
      },
    ];
    if (r.chance(0.3)) {
      items.push({
        itemId: 'raise',
        title: '筹集维修资金',
        kind: 'motion',
        matter: 'maintenance-fund-raise',
        options: [],
      });
    }
    const send = (type: ProposalCommand['type'], data: object, actor: Actor) =>
      this.proposal(communityId, proposalId, type, data, actor);
    await send(
      'SubmitProposal',
      {
        communityId,
        proposalId,
        // Picked even when given, so the rest of the run draws the same numbers.
        title: ((picked) => title ?? picked)(
          r.pick(['更换电梯', '外墙修缮', '增设充电桩', '选聘物业']),
        ),
        description: '业主提议，按《民法典》第二百七十八条表决。',
        procedure: 'owners-joint-decision',
        items,
        // As the command service fills it from the registry: o1 owns u1 (see the electorate).
        submitterUnitIds: ['u1'],
      },
      owner('o1'),
    );
    if (stopAt < 2) return;
    await send('GiveNotice', { text: '业主大会表决公告：表决事项、时间和方式。' }, convener);
    if (stopAt < 3) return;
    this.advance(16);
    const electorate: Voter[] = Array.from({ length: voters }, (_, i) => ({
      voterId: `o${i + 1}`,
      personIds: [`o${i + 1}`],
      unitIds: [`u${i + 1}`],
      areaCentiM2: r.int(5_000, 15_000),
      heads: 1,
    }));
    const allowBallotChange = r.chance(0.5);
    await send(
      'OpenVoting',
      {
        rule: { kind: 'owners-278' },
        communityRules: urbanRules,
        closesAt: new Date(this.clock + 14 * 86_400_000).toISOString(),
        allowBallotChange,
        electorate,
      },
      convener,
    );
    const choice = (): Choice =>
      r.pick(['yes', 'yes', 'yes', 'yes', 'yes', 'no', 'abstain'] as const);
    const choices = () => items.map((item) => ({ itemId: item.itemId, choice: choice() }));
    for (const voter of electorate) {
      if (r.chance(0.15)) continue;
      if (r.chance(0.8)) {
        await send('CastBallot', { choices: choices() }, owner(voter.voterId));
        if (allowBallotChange && r.chance(0.1)) {
          await send('ChangeBallot', { choices: choices() }, owner(voter.voterId));
        }
      } else {
        const documentRef = `表决票-${voter.voterId}`;
        await send(
          'EnterPaperBallot',
          { voterId: voter.voterId, signedBy: voter.voterId, choices: choices(), documentRef },
          clerk,
        );
        if (r.chance(0.2)) {
          await send(
            'CorrectPaperBallot',
            { voterId: voter.voterId, choices: choices(), documentRef, reason: '录入错误' },
            clerk,
          );
        }
      }
    }
    if (stopAt < 4) return;
    this.advance(15);
    await send('CloseVoting', {}, convener);
    if (stopAt < 5) return;
    this.advance(r.int(1, 5));
    await send(
      'Publish',
      {
        text: '表决结果公告',
        implementationDueAt: new Date(this.clock + r.int(10, 60) * 86_400_000).toISOString(),
        // 落实责任人, as the command service finds them in the registry.
        implementationResponsibleId: 'clerk1',
        responsibleRegistered: true,
      },
      convener,
    );
    for (let i = 1; i <= r.int(0, 2); i++) {
      await send(
        'RaiseObjection',
        { objectionId: `x${i}`, text: '对计票有异议' },
        owner(`o${i + 1}`),
      );
      if (r.chance(0.7)) {
        await send(
          'AnswerObjection',
          { objectionId: `x${i}`, answer: '已复核，计票无误' },
          convener,
        );
      }
    }
    if (stopAt < 6) return;
    this.advance(8);
    for (const percent of [30, 70, 100]) {
      await send(
        'ReportImplementation',
        { progressPercent: percent, text: `已完成 ${percent}%` },
        convener,
      );
      if (stopAt < 7 && percent === 30) return;
      this.advance(r.int(3, 20));
    }
    if (stopAt < 8) return;
    await send('ReportFeedback', { text: '向业主反馈实施情况' }, convener);
    for (let i = 1; i <= Math.min(voters, 5); i++) {
      await send('RateSatisfaction', { rating: r.int(1, 5) }, owner(`o${i}`));
    }
    if (r.chance(0.3)) await send('RateSatisfaction', { rating: 5, comment: '改评' }, owner('o1'));
  }

  /**
   * An owners' vote (Art. 278) open until `closesAt`, for owners o1…o`voters`, on the use of the
   * maintenance fund (and on raising it, with `raise`).
   */
  async openVote(
    communityId: string,
    proposalId: string,
    voters: number,
    closesAt: Date,
    options: { raise?: boolean; allowBallotChange?: boolean } = {},
  ): Promise<void> {
    const convener: Actor = { personId: 'conv', role: 'convener' };
    const send = (type: ProposalCommand['type'], data: object, actor: Actor) =>
      this.proposal(communityId, proposalId, type, data, actor);
    await send(
      'SubmitProposal',
      {
        communityId,
        proposalId,
        title: '加装电梯',
        description: '全体业主表决。',
        procedure: 'owners-joint-decision',
        items: [
          {
            itemId: 'fund',
            title: '使用维修资金',
            kind: 'motion',
            matter: 'maintenance-fund-use',
            options: [],
          },
          ...(options.raise
            ? [
                {
                  itemId: 'raise',
                  title: '筹集维修资金',
                  kind: 'motion',
                  matter: 'maintenance-fund-raise',
                  options: [],
                },
              ]
            : []),
        ],
        // As the command service fills it from the registry: o1 owns u1 (see the electorate).
        submitterUnitIds: ['u1'],
      },
      { personId: 'o1', role: 'owner' },
    );
    await send('GiveNotice', { text: '表决公告' }, convener);
    this.advance(16);
    const opened = await send(
      'OpenVoting',
      {
        rule: { kind: 'owners-278' },
        communityRules: urbanRules,
        closesAt: closesAt.toISOString(),
        ...(options.allowBallotChange ? { allowBallotChange: true } : {}),
        electorate: Array.from({ length: voters }, (_, i) => ({
          voterId: `o${i + 1}`,
          personIds: [`o${i + 1}`],
          unitIds: [`u${i + 1}`],
          areaCentiM2: 8000 + (i % 5000),
          heads: 1,
        })),
      },
      convener,
    );
    if (!opened)
      throw new Error(
        `voting on ${proposalId} did not open: ${[...this.refusals.keys()].join(', ')}`,
      );
  }

  /**
   * A community consultation (城乡社区协商) decided by a residents' meeting (居民会议): agenda,
   * notice, deliberation, a vote with presence (签到), publication, implementation, feedback.
   */
  async residentsMeeting(
    communityId: string,
    proposalId: string,
    residents: number,
  ): Promise<void> {
    const r = this.random;
    const convener: Actor = { personId: 'conv', role: 'convener' };
    const send = (type: ProposalCommand['type'], data: object, actor: Actor) =>
      this.proposal(communityId, proposalId, type, data, actor);
    const resident = (id: string): Actor => ({ personId: id, role: 'resident' });
    await send(
      'SubmitProposal',
      {
        communityId,
        proposalId,
        title: r.pick(['增设休闲座椅', '调整快递柜位置', '开设老年食堂']),
        description: '居民提出的协商事项。',
        procedure: 'community-consultation',
        items: [
          {
            itemId: 'plan',
            title: '选择方案',
            kind: 'plans',
            options: [
              { optionId: 'A', title: '方案A' },
              { optionId: 'B', title: '方案B' },
            ],
          },
        ],
      },
      resident('r1'),
    );
    await send('AcceptOntoAgenda', { concernedPartyIds: ['rc'] }, convener);
    await send(
      'AddOption',
      { itemId: 'plan', option: { optionId: 'C', title: '方案C' } },
      convener,
    );
    await send('GiveNotice', { text: '协商会议通知' }, convener);
    this.advance(2);
    await send('RecordDeliberation', { summary: '居民代表充分讨论了三个方案。' }, convener);
    const electorate: Voter[] = Array.from({ length: residents }, (_, i) => ({
      voterId: `r${i + 1}`,
      personIds: [`r${i + 1}`],
      unitIds: [],
      areaCentiM2: 0,
      heads: 1,
    }));
    await send(
      'OpenVoting',
      {
        rule: { kind: 'residents-meeting', form: 'all-adults' },
        communityRules: urbanRules,
        closesAt: new Date(this.clock + 86_400_000).toISOString(),
        planMethod: 'plurality',
        electorate,
      },
      convener,
    );
    const present = electorate.filter(() => r.chance(0.8)).map((v) => v.voterId);
    if (present.length > 0) await send('RecordPresence', { voterIds: present }, convener);
    for (const id of present) {
      if (r.chance(0.9)) {
        await send(
          'CastBallot',
          { choices: [{ itemId: 'plan', ranking: [r.pick(['A', 'B', 'C'])] }] },
          resident(id),
        );
      }
    }
    this.advance(2);
    await send('CloseVoting', {}, convener);
    await send('Publish', { text: '协商结果公示' }, convener);
    this.advance(8);
    await send('ReportImplementation', { progressPercent: 100, text: '已落实' }, convener);
    await send('ReportFeedback', { text: '向居民反馈' }, convener);
    await send('RateSatisfaction', { rating: 4 }, resident('r1'));
  }

  /**
   * A joint session (多方联席会议) deciding a proposal: agenda, attendance, statements, each
   * party's position, resolution, minutes drafted, amended, signed and published, and the
   * proposal's decision and publication.
   */
  async jointSession(communityId: string, proposalId: string, sessionId: string): Promise<void> {
    const r = this.random;
    const convener: Actor = { personId: 'conv', role: 'convener' };
    const clerk: Actor = { personId: 'clerk1', role: 'clerk' };
    const parties = [
      { partyId: 'party', kind: 'party-organisation', name: '社区党委', person: 'sec' },
      { partyId: 'rc', kind: 'residents-committee', name: '居委会', person: 'rc1' },
      { partyId: 'oc', kind: 'owners-committee', name: '业委会', person: 'oc1' },
      { partyId: 'pm', kind: 'property-company', name: '物业公司', person: 'pm1' },
    ] as const;
    const rep = (p: (typeof parties)[number]): Actor => ({
      personId: p.person,
      role: 'party_representative',
      partyId: p.partyId,
    });
    const proposal = (type: ProposalCommand['type'], data: object, actor: Actor) =>
      this.proposal(communityId, proposalId, type, data, actor);
    const session = (type: SessionCommand['type'], data: object, actor: Actor) =>
      this.session(communityId, sessionId, type, data, actor);
    await proposal(
      'SubmitProposal',
      {
        communityId,
        proposalId,
        title: r.pick(['楼道堆物整治', '小区停车管理', '垃圾分类点位调整']),
        description: '由联席会议协商决定。',
        procedure: 'joint-session',
      },
      { personId: 'rc1', role: 'resident' },
    );
    await session(
      'ConveneSession',
      {
        communityId,
        sessionId,
        kind: 'joint-session',
        title: '联席会议',
        scheduledAt: new Date(this.clock + 3 * 86_400_000).toISOString(),
        parties: parties.map(({ partyId, kind, name }) => ({ partyId, kind, name })),
        agenda: [
          { itemId: 'item1', title: '议题讨论', proposalId, concernedPartyIds: ['oc', 'pm'] },
          { itemId: 'item2', title: '其他事项', concernedPartyIds: [] },
        ],
        requiredPartyIds: ['party', 'rc'],
      },
      convener,
    );
    await proposal('AcceptOntoAgenda', { concernedPartyIds: ['oc', 'pm'], sessionId }, convener);
    await session('GiveSessionNotice', { text: '会议通知' }, convener);
    this.advance(3);
    for (const p of parties) {
      await session(
        'RecordAttendance',
        { personId: p.person, partyId: p.partyId, partyRepresentativeIds: [p.person] },
        clerk,
      );
    }
    for (const p of parties) {
      if (r.chance(0.8)) {
        await session('RecordStatement', { itemId: 'item1', text: `${p.name}的意见` }, rep(p));
      }
    }
    const resolveIt = r.chance(0.8);
    for (const p of parties) {
      const position = p.partyId === 'pm' && r.chance(0.4) ? 'oppose' : 'support';
      await session('StatePosition', { itemId: 'item1', partyId: p.partyId, position }, rep(p));
    }
    if (!resolveIt) return;
    const resolved = await session('ResolveItem', { itemId: 'item1' }, convener);
    for (const p of parties) {
      await session(
        'StatePosition',
        { itemId: 'item2', partyId: p.partyId, position: 'support' },
        rep(p),
      );
    }
    await session('ResolveItem', { itemId: 'item2' }, convener);
    const decision = resolved?.find((e) => e.type === 'ItemResolved');
    if (decision?.type === 'ItemResolved') {
      await proposal(
        'RecordSessionResolution',
        {
          sessionId,
          sessionItemId: 'item1',
          outcome: decision.data.outcome,
          result: decision.data.result,
        },
        convener,
      );
    }
    let text = '会议纪要（初稿）';
    await session('DraftMinutes', { text }, clerk);
    if (r.chance(0.5)) {
      text = '会议纪要（修改稿）';
      await session('AmendMinutes', { text, reason: '补充发言' }, rep(parties[2]));
    }
    const textHash = textHashOf(text);
    for (const p of parties) await session('SignMinutes', { partyId: p.partyId, textHash }, rep(p));
    await session('PublishMinutes', {}, convener);
    if (decision?.type === 'ItemResolved' && decision.data.outcome === 'adopted') {
      await proposal('Publish', { text: '联席会议决议公开' }, convener);
    }
  }

  /** Registers the community, appoints a clerk, and registers a few persons and their units. */
  async registerCommunity(communityId: string): Promise<void> {
    const admin: Actor = { personId: 'admin', role: 'admin' };
    await this.community(
      communityId,
      (at) => ({
        type: 'RegisterCommunity',
        data: { communityId, name: `${communityId} 社区`, kind: 'urban' },
        actor: admin,
        at,
      }),
      admin,
    );
    await this.community(
      communityId,
      (at) => ({
        type: 'RegisterPerson',
        data: { personId: 'clerk1', name: '登记员', adult: true },
        actor: admin,
        at,
      }),
      admin,
    );
    await this.community(
      communityId,
      (at) => ({ type: 'AppointClerk', data: { personId: 'clerk1' }, actor: admin, at }),
      admin,
    );
    const clerk: Actor = { personId: 'clerk1', role: 'clerk' };
    for (let n = 1; n <= 12; n++) {
      await this.community(
        communityId,
        (at) => ({
          type: 'RegisterPerson',
          data: { personId: `p${n}`, name: `居民${n}`, adult: true },
          actor: clerk,
          at,
        }),
        clerk,
      );
    }
    for (let n = 1; n <= 8; n++) {
      await this.community(
        communityId,
        (at) => ({
          type: 'RegisterUnit',
          data: {
            unitId: `u${n}`,
            building: '1号楼',
            label: `${n}01`,
            kind: 'home',
            areas: { registryCentiM2: 8000 + n * 100 },
            developerUnsold: false,
            ownerIds: [`p${n}`],
          },
          actor: clerk,
          at,
        }),
        clerk,
      );
    }
  }

  /** One random registry command (it may be refused, as a real clerk's mistake would be). */
  randomRegistryCommand(communityId: string): Promise<boolean> {
    const r = this.random;
    const clerk: Actor = { personId: 'clerk1', role: 'clerk' };
    const admin: Actor = { personId: 'admin', role: 'admin' };
    const person = () => `p${r.int(1, 30)}`;
    const unit = () => `u${r.int(1, 25)}`;
    const household = () => `h${r.int(1, 8)}`;
    const group = () => `g${r.int(1, 3)}`;
    const party = () => r.pick(['party', 'rc', 'oc', 'pm']);
    const commands: (() => { command: Omit<CommunityCommand, 'at'>; actor: Actor })[] = [
      () => ({
        command: {
          type: 'RegisterPerson',
          data: {
            personId: person(),
            name: r.pick(['张伟', '王芳', '李娜', '刘洋']),
            adult: r.chance(0.9),
          },
          actor: clerk,
        },
        actor: clerk,
      }),
      () => ({
        command: {
          type: 'RegisterUnit',
          data: {
            unitId: unit(),
            building: `${r.int(1, 4)}号楼`,
            label: `${r.int(1, 20)}0${r.int(1, 4)}`,
            kind: r.pick(['home', 'home', 'home', 'shop', 'parking'] as const),
            areas: { registryCentiM2: r.int(2000, 20000) },
            developerUnsold: false,
            ownerIds: [person()],
          },
          actor: clerk,
        },
        actor: clerk,
      }),
      () => ({
        command: {
          type: 'CorrectUnitArea',
          data: {
            unitId: unit(),
            areas: { surveyedCentiM2: r.int(2000, 20000) },
            documentRef: `测绘-${r.int(1, 99)}`,
          },
          actor: clerk,
        },
        actor: clerk,
      }),
      () => ({
        command: {
          type: 'TransferUnit',
          data: {
            unitId: unit(),
            ownerIds: [person()],
            reason: 'sale',
            documentRef: `不动产-${r.int(1, 999)}`,
          },
          actor: clerk,
        },
        actor: clerk,
      }),
      () => ({
        command: {
          type: 'CreateResidentGroup',
          data: { groupId: group(), name: `第${r.int(1, 3)}居民小组` },
          actor: clerk,
        },
        actor: clerk,
      }),
      () => ({
        command: {
          type: 'CreateHousehold',
          data: { householdId: household(), residentGroupId: group() },
          actor: clerk,
        },
        actor: clerk,
      }),
      () => ({
        command: {
          type: 'AddResident',
          data: { personId: person(), householdId: household() },
          actor: clerk,
        },
        actor: clerk,
      }),
      () => ({
        command: {
          type: 'MoveResident',
          data: { personId: person(), householdId: household() },
          actor: clerk,
        },
        actor: clerk,
      }),
      () => ({
        command: {
          type: 'RemoveResident',
          data: { personId: person(), reason: 'moved-out' },
          actor: clerk,
        },
        actor: clerk,
      }),
      () => ({
        command: {
          type: 'DesignateHouseholdRepresentative',
          data: { householdId: household(), personId: person() },
          actor: clerk,
        },
        actor: clerk,
      }),
      () => ({
        command: {
          type: 'RegisterParty',
          data: {
            partyId: party(),
            kind: r.pick([
              'party-organisation',
              'residents-committee',
              'owners-committee',
              'property-company',
            ] as const),
            name: r.pick(['社区党委', '居委会', '业委会', '物业公司']),
          },
          actor: clerk,
        },
        actor: clerk,
      }),
      () => ({
        command: {
          type: 'AppointPartyRepresentative',
          data: { partyId: party(), personId: person() },
          actor: clerk,
        },
        actor: clerk,
      }),
      () => ({
        command: {
          type: 'AddPartyMember',
          data: { partyId: party(), personId: person() },
          actor: clerk,
        },
        actor: clerk,
      }),
      () => ({
        command: {
          type: 'RemovePartyMember',
          data: { partyId: party(), personId: person() },
          actor: clerk,
        },
        actor: clerk,
      }),
      () => ({
        command: {
          type: 'CorrectPerson',
          data: { personId: person(), name: '赵敏', reason: '户籍更正' },
          actor: clerk,
        },
        actor: clerk,
      }),
      () => ({
        command: {
          type: 'GrantProxy',
          data: {
            authorisationId: `a${r.int(1, 40)}`,
            ownerId: person(),
            proxyId: person(),
            proposalId: 'p1',
            itemId: `i${r.int(1, 2)}`,
            documentRef: `委托书-${r.int(1, 99)}`,
          },
          actor: clerk,
        },
        actor: clerk,
      }),
      () => ({
        command: {
          type: 'RevokeProxy',
          data: { authorisationId: `a${r.int(1, 40)}` },
          actor: clerk,
        },
        actor: clerk,
      }),
      () => ({
        command: {
          type: 'DefineProcedure',
          data: {
            templateId: 'repair-fund',
            name: '维修资金使用',
            stages: [
              { id: 'submit', kind: 'submission', name: '提出', submitterPartyKinds: [] },
              { id: 'notice', kind: 'notice', name: '公告', minDays: r.int(10, 20) },
              {
                id: 'vote',
                kind: 'decision',
                name: '业主表决',
                rules: ['owners-278'],
                ifRejected: 'end',
              },
              {
                id: 'publish',
                kind: 'publication',
                name: '公示',
                subject: 'decision',
                periodDays: 7,
              },
            ],
          },
          actor: clerk,
        },
        actor: clerk,
      }),
      () => ({
        command: {
          type: 'ChangeCommunitySettings',
          data: { proxyLimit: r.int(1, 5), parkingSpacesVote: r.chance(0.5) },
          actor: admin,
        },
        actor: admin,
      }),
    ];
    const { command, actor } = r.pick(commands)();
    return this.community(communityId, (at) => ({ ...command, at }) as CommunityCommand, actor);
  }
}
