import type { Random } from './random.ts';
import type { Simulator } from './simulate.ts';

// A realistic history of a district: communities with their registries, owners' votes (most
// events are ballots), joint sessions with minutes, residents' meetings.

export interface GenerateOptions {
  /** Stop once about this many events were appended. */
  events: number;
  count: () => number;
  random: Random;
  onProgress?: (events: number) => void;
}

export async function generateDistrict(sim: Simulator, options: GenerateOptions): Promise<void> {
  const r = options.random;
  let community = 0;
  while (options.count() < options.events) {
    community += 1;
    const cid = `c${community}`;
    await sim.registerCommunity(cid);
    for (let i = 0; i < 40; i++) await sim.randomRegistryCommand(cid);
    const proposals = r.int(5, 25);
    for (let p = 1; p <= proposals && options.count() < options.events; p++) {
      const kind = r.next();
      if (kind < 0.6) await sim.ownersDecision(cid, `p${p}`, r.int(20, 600), r.chance(0.6));
      else if (kind < 0.8) await sim.jointSession(cid, `p${p}`, `s${p}`);
      else await sim.residentsMeeting(cid, `p${p}`, r.int(10, 120));
      options.onProgress?.(options.count());
    }
  }
}
