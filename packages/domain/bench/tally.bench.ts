// Tallies an owners' joint decision (民法典 Art. 278) over 100,000 owners and prints the median
// time. Run: pnpm --filter @yishi/domain bench (or: npx tsx packages/domain/bench/tally.bench.ts);
// `--smoke`: 1,000 owners (see run.ts).
import {
  type Ballot,
  type Choice,
  type OwnedUnit,
  ownersDecision278,
  ownersElectorate,
} from '../src/rules/index.ts';
import { printBench, sized, timeRuns } from './run.ts';

const OWNERS = sized(100_000, 1_000);

/** Deterministic PRNG (mulberry32) so every run tallies the same community. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const random = prng(20260301);
const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

// A large estate: 99,999 buyers and the developer. Every buyer has a home of 45–180 m²;
// one in ten shares it with a co-owner; one in twenty also holds a shop or a second home;
// 1,000 homes are unsold; 5,000 parking spaces are left out by default (at 100,000 owners).
const units: OwnedUnit[] = [];
for (let i = 0; i < OWNERS - 1; i++) {
  const owner = `p${i}`;
  const ownerIds = i % 10 === 0 ? [owner, `p${i}-spouse`] : [owner];
  units.push({ unitId: `h${i}`, areaCentiM2: between(4_500, 18_000), ownerIds, kind: 'home' });
  if (i % 20 === 0) {
    const kind = i % 40 === 0 ? 'shop' : 'home';
    units.push({ unitId: `x${i}`, areaCentiM2: between(3_000, 12_000), ownerIds, kind });
  }
  if (i % 20 === 1) {
    units.push({ unitId: `c${i}`, areaCentiM2: between(1_200, 1_500), ownerIds, kind: 'parking' });
  }
}
for (let i = 0; i < OWNERS / 100; i++) {
  units.push({
    unitId: `d${i}`,
    areaCentiM2: between(4_500, 18_000),
    ownerIds: [],
    kind: 'home',
    developerUnsold: true,
  });
}

const buildStart = performance.now();
const { voters } = ownersElectorate(units);
const buildMs = performance.now() - buildStart;
if (voters.length !== OWNERS) throw new Error(`expected ${OWNERS} voters, got ${voters.length}`);

// 78% turnout: 70% yes, 20% no, 10% abstain.
const ballots: Ballot[] = [];
for (const v of voters) {
  if (random() >= 0.78) continue;
  const r = random();
  const choice: Choice = r < 0.7 ? 'yes' : r < 0.9 ? 'no' : 'abstain';
  ballots.push({ voterId: v.voterId, choice });
}

const params = { matter: 'maintenance-fund-raise', deemedConsent: true } as const;
let result = ownersDecision278(voters, ballots, params);
const timing = timeRuns(() => {
  result = ownersDecision278(voters, ballots, params);
});

console.log(
  `electorate: ${voters.length} owners from ${units.length} units (built in ${buildMs.toFixed(1)} ms)`,
);
console.log(
  `tally: ${ballots.length} ballots, outcome ${result.outcome}` +
    (result.failedTest ? ` (${result.failedTest})` : '') +
    `, deemed ${result.deemed?.outcome}`,
);
console.log(
  `ownersDecision278 median of ${timing.runs} runs: ${timing.median.toFixed(2)} ms (min ${timing.min.toFixed(2)}, max ${timing.max.toFixed(2)})`,
);
printBench('domain.tally_100k_owners', timing.median, 'ms');
