import {
  type Capacity,
  INSTALLATION,
  type InstallationView,
  installationCapacities,
  type PhoneDirectory,
  type SessionIdentity,
  type SmsGateway,
  type TokenMinter,
} from '@yishi/identity';
import type {
  CapacityList,
  CommunityList,
  CommunityView,
  InstallationView as Installation,
  PhoneLookup,
} from '@yishi/projection/contract';
import { ApiClient, type Upstreams } from '../api.ts';

// What the sign-in asks of the registry and the installation, through the query service with
// the console's own short-lived token (it acts as no person): the capacities of a person, the
// community's SMS gateway, who administers the installation. Tests of the console alone give
// their own answers.

export interface Registry {
  /** Every capacity the persons of a phone number hold now, in a stable order. */
  capacities(identities: readonly SessionIdentity[]): Promise<Capacity[]>;
  /** The first of these communities with an SMS gateway (webhook of kind `sign-in-code`). */
  smsGateway(communityIds: readonly string[]): Promise<SmsGateway | undefined>;
  /** The installation, or undefined when the query service cannot say. */
  installation(): Promise<InstallationView | undefined>;
  /** Every registered community's id. */
  communityIds(): Promise<string[]>;
}

/** Least privilege first: a person who holds several starts in the humblest. */
const ORDER: readonly Capacity['kind'][] = [
  'owner',
  'household-representative',
  'resident',
  'proxy',
  'party-representative',
  'convener',
  'clerk',
  'official',
  'admin',
];

export function sortCapacities(capacities: Capacity[]): Capacity[] {
  return capacities.sort(
    (a, b) =>
      ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind) ||
      a.communityId.localeCompare(b.communityId) ||
      (a.partyId ?? '').localeCompare(b.partyId ?? ''),
  );
}

interface Webhooks {
  items: { webhookId: string; url: string; events: string[]; active: boolean }[];
}

export class ProjectionRegistry implements Registry {
  constructor(
    private readonly upstreams: Upstreams,
    private readonly minter: TokenMinter,
  ) {}

  private async client(communities: readonly string[]): Promise<ApiClient> {
    return new ApiClient(this.upstreams, await this.minter.serviceToken(communities));
  }

  async capacities(identities: readonly SessionIdentity[]): Promise<Capacity[]> {
    const all: Capacity[] = [];
    const installationPersons = identities.filter((i) => i.communityId === INSTALLATION);
    if (installationPersons.length > 0) {
      const installation = await this.installation();
      if (installation) {
        for (const person of installationPersons) {
          all.push(...installationCapacities(installation, person.personId));
        }
      }
    }
    for (const { communityId, personId } of identities) {
      if (communityId === INSTALLATION) continue;
      const api = await this.client([communityId]);
      const enc = encodeURIComponent;
      const [held, community] = await Promise.all([
        api.query<CapacityList>(
          `/v1/communities/${enc(communityId)}/persons/${enc(personId)}/capacities`,
        ),
        api.query<CommunityView>(`/v1/communities/${enc(communityId)}`),
      ]);
      // A person the registry no longer has holds nothing there; a service that cannot
      // answer is an error, not "no capacity".
      if (!held.ok && held.problem.status >= 500) {
        throw new Error(`capacities of ${personId} in ${communityId}: ${held.problem.code}`);
      }
      if (!held.ok) continue;
      const name = community.ok ? community.data.name : communityId;
      for (const c of held.data.capacities) {
        all.push({
          kind: c.kind,
          role: c.role,
          communityId,
          personId,
          ...(c.partyId ? { partyId: c.partyId } : {}),
          label: c.partyName ? `${c.partyName} · ${name}` : name,
          communities: [communityId],
        });
      }
    }
    return sortCapacities(all);
  }

  async smsGateway(communityIds: readonly string[]): Promise<SmsGateway | undefined> {
    for (const communityId of [...communityIds].sort()) {
      const api = await this.client([communityId]);
      const webhooks = await api.query<Webhooks>(
        `/v1/communities/${encodeURIComponent(communityId)}/webhooks`,
      );
      if (!webhooks.ok) continue;
      const gateway = webhooks.data.items.find(
        (w) => w.active && w.events.includes('sign-in-code'),
      );
      if (gateway) return { communityId, webhookId: gateway.webhookId, url: gateway.url };
    }
    return undefined;
  }

  async communityIds(): Promise<string[]> {
    const api = await this.client(['*']);
    const answer = await api.query<CommunityList>('/v1/communities');
    return answer.ok ? answer.data.items.map((c) => c.communityId) : [];
  }

  async installation(): Promise<InstallationView | undefined> {
    const api = await this.client(['*']);
    const answer = await api.query<Installation>('/v1/installation');
    return answer.ok ? answer.data : undefined;
  }
}

/**
 * The persons of a community a phone number belongs to, as the registry keeps them (sealed;
 * the query service looks the number up in its index of keyed digests). A number a clerk
 * records or corrects signs in once the registry has it; an erased person's never again.
 */
export class RegistryPhoneDirectory implements PhoneDirectory {
  constructor(
    private readonly upstreams: Upstreams,
    private readonly minter: TokenMinter,
  ) {}

  async lookup(phone: string): Promise<readonly SessionIdentity[]> {
    const api = new ApiClient(this.upstreams, await this.minter.serviceToken(['*']));
    const found = await api.ask<PhoneLookup>('/v1/directory/phone-lookup', { phone });
    // No answer is not "no one": the sign-in must not tell a registered number it is unknown.
    if (!found.ok) throw new Error(`phone lookup: ${found.problem.code}`);
    return found.data.identities;
  }
}

/** Every person of these directories a number belongs to, each once. */
export function combinedDirectory(directories: readonly PhoneDirectory[]): PhoneDirectory {
  return {
    async lookup(phone) {
      const all = (await Promise.all(directories.map((d) => d.lookup(phone)))).flat();
      const seen = new Set<string>();
      return all.filter((i) => {
        const key = `${i.communityId}\u0000${i.personId}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    },
  };
}
