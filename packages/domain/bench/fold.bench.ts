// Folds a proposal stream of 10,000 ballots (an owners' vote: notice, vote opened with the
// frozen electorate, 10,000 ballots, close and decision) and prints the median time.
// Run: pnpm --filter @yishi/domain bench (or: npx tsx packages/domain/bench/fold.bench.ts);
// `--smoke`: 100 ballots (see run.ts).
import {
  type AuthorisationFact,
  adoptedRules,
  defaultCommunitySettings,
  fold,
  isDomainError,
  type ProposalCommand,
  type ProposalEvent,
  type ProposalState,
  proposalDecider,
  upcastEvent,
  type Voter,
} from '../src/index.ts';
import { printBench, sized, timeRuns } from './run.ts';

const VOTERS = sized(10_000, 100);

const T0 = Date.UTC(2026, 0, 1, 1);
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const DAY = 24 * 60;
const convener = { personId: 'conv', role: 'convener' } as const;
const clerk = { personId: 'clerk', role: 'clerk' } as const;

const electorate: Voter[] = Array.from({ length: VOTERS }, (_, i) => ({
  voterId: `o${i}`,
  personIds: [`o${i}`],
  unitIds: [`u${i}`],
  areaCentiM2: 4_500 + ((i * 7919) % 13_500),
  heads: 1,
}));

// The stream is produced by the decider itself, so it is exactly what the service stores.
const commands: ProposalCommand[] = [
  {
    type: 'SubmitProposal',
    data: {
      communityId: 'bench',
      proposalId: 'p1',
      title: '使用维修资金更换电梯',
      description: '全体业主表决',
      procedure: 'owners-joint-decision',
      // The service's context: the unit the registry lists for the submitting owner.
      submitterUnitIds: ['u0'],
      items: [
        {
          itemId: 'fund',
          title: '更换电梯',
          kind: 'motion',
          matter: 'maintenance-fund-use',
          options: [],
        },
      ],
    },
    actor: { personId: 'o0', role: 'owner' },
    at: at(0),
  },
  { type: 'GiveNotice', data: { text: '表决公告' }, actor: convener, at: at(DAY) },
  {
    type: 'OpenVoting',
    data: {
      rule: { kind: 'owners-278' },
      communityRules: adoptedRules({ kind: 'urban', settings: defaultCommunitySettings }),
      closesAt: at(30 * DAY),
      electorate,
    },
    actor: convener,
    at: at(16 * DAY),
  },
];
// One ballot per voter: most online, every tenth on paper, every twentieth by proxy.
for (let i = 0; i < VOTERS; i++) {
  const voterId = `o${i}`;
  const choices = [{ itemId: 'fund', choice: i % 5 === 0 ? ('no' as const) : ('yes' as const) }];
  const when = at(17 * DAY + (i % 10_000));
  if (i % 20 === 3) {
    const authorisation: AuthorisationFact = {
      authorisationId: `a${i}`,
      ownerId: voterId,
      proxyId: `proxy${i % 300}`,
      proposalId: 'p1',
      itemId: 'fund',
      active: true,
    };
    commands.push({
      type: 'CastProxyBallot',
      data: { voterId, choices, authorisations: [authorisation] },
      actor: { personId: `proxy${i % 300}`, role: 'proxy' },
      at: when,
    });
  } else if (i % 10 === 7) {
    commands.push({
      type: 'EnterPaperBallot',
      data: { voterId, choices, signedBy: voterId, documentRef: `表决票-${i}` },
      actor: clerk,
      at: when,
    });
  } else {
    commands.push({
      type: 'CastBallot',
      data: { choices },
      actor: { personId: voterId, role: 'owner' },
      at: when,
    });
  }
}
commands.push({ type: 'CloseVoting', data: {}, actor: convener, at: at(30 * DAY) });

const buildStart = performance.now();
const events: ProposalEvent[] = [];
let state: ProposalState = proposalDecider.initialState();
for (const command of commands) {
  const result = proposalDecider.decide(command, state);
  if (isDomainError(result))
    throw new Error(`${command.type} refused: ${result.code} ${result.message}`);
  for (const event of result) {
    events.push(event);
    state = proposalDecider.evolve(state, event);
  }
}
const buildMs = performance.now() - buildStart;
const ballots = events.filter((e) => e.type === 'BallotCast').length;
const decision = events.find((e) => e.type === 'ProposalDecided');
if (ballots !== VOTERS || !decision) throw new Error(`expected ${VOTERS} ballots and a decision`);

// What a reader of the store does before folding: parse the stored JSON, upcast and validate.
const stored = events.map((e) => ({
  type: e.type,
  data: JSON.parse(JSON.stringify(e.data)) as unknown,
}));

const folding = timeRuns(() => {
  const folded = fold(proposalDecider, events);
  if (folded.status === 'none' || folded.vote?.complete !== VOTERS) throw new Error('bad fold');
});
const reading = timeRuns(() => {
  fold(proposalDecider, stored.map(upcastEvent) as ProposalEvent[]);
});

console.log(
  `stream: ${events.length} events (${ballots} ballots; decided ${decision.data.outcome}), produced by decide+evolve in ${buildMs.toFixed(0)} ms`,
);
console.log(
  `fold (evolve) median of ${folding.runs} runs: ${folding.median.toFixed(2)} ms (min ${folding.min.toFixed(2)}, max ${folding.max.toFixed(2)})`,
);
console.log(
  `upcast + validate + fold median of ${reading.runs} runs: ${reading.median.toFixed(2)} ms (min ${reading.min.toFixed(2)}, max ${reading.max.toFixed(2)})`,
);
printBench('domain.fold_10k_ballots', folding.median, 'ms');
