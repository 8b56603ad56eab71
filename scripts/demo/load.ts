import type { TablePhoneDirectory } from '@yishi/identity';
import { Api, type ApiOptions } from './client.ts';
import { type DemoCommunity, generateCommunity } from './community.ts';
import { participationDemo } from './participation.ts';
import { type DemoLog, type DemoResult, runDemo } from './scenarios.ts';

// The demo community, loaded through the public HTTP API of services on the simulated clock:
// what `pnpm demo` runs, and what the console's "load the demo" button runs (DEMO_CLOCK=1).

export interface LoadDemoOptions extends Omit<ApiOptions, 'communityId'> {
  /** The demo community's id (default `xfl`). */
  communityId?: string;
  /** Where the demo's people get their phone numbers (the sign-in's directory). */
  phones?: TablePhoneDirectory;
  /** The console: some of the demo's people sign in to it at the end. */
  webUrl?: string;
}

export interface LoadedDemo {
  community: DemoCommunity;
  result: DemoResult;
}

/** Seeds the demo community and runs its scenarios, then the participation demo. */
export async function loadDemo(options: LoadDemoOptions, log: DemoLog): Promise<LoadedDemo> {
  const { communityId, phones, webUrl, ...apiOptions } = options;
  const community = generateCommunity(communityId ?? 'xfl');
  const api = new Api({ ...apiOptions, communityId: community.communityId });
  const result = await runDemo(api, community, log, {
    ...(phones ? { phones } : {}),
    ...(webUrl ? { webUrl } : {}),
  });
  await participationDemo(api, community, log);
  return { community, result };
}
