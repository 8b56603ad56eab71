import type { z } from 'zod';
import type { ProcedureDefinition } from '../procedure/templates.ts';
import type { CommandsOf, Decision, EventsOf, OfType } from '../shared/decider.ts';
import type { PartyKind } from '../shared/party.ts';
import type { PMap } from '../shared/pmap.ts';
import type {
  CommunitySettings,
  ContactChannel,
  communityCommandSchemas,
  communityEventSchemas,
  EstablishStandingBodyData,
  UnitAreas,
  WebhookEventKind,
} from './schemas.ts';

// 社区 / 村: the tenant, and its registry. Every stream and read model belongs to exactly one
// community; the registry is the source the service computes electorates and checks from.

export type CommunityCommand = CommandsOf<typeof communityCommandSchemas>;
export type CommunityEvent = EventsOf<typeof communityEventSchemas>;
export type CommunityCommandType = CommunityCommand['type'];
export type CommunityEventType = CommunityEvent['type'];
/** The command of one type, as the function that decides it takes it. */
export type CommunityCommandOf<T extends CommunityCommandType> = OfType<CommunityCommand, T>;
export type CommunityDecision = Decision<CommunityEvent>;

export interface Person {
  readonly personId: string;
  /** Absent once the person's personal data is erased. */
  readonly name?: string;
  readonly birthDate?: string;
  readonly adult?: boolean;
  readonly phone?: string;
  /** Their personal data was erased (PIPL Art. 47): name, birth date and phone are gone. */
  readonly erased?: true;
  /** The household the person lives in (居民), when they are a resident. */
  readonly householdId?: string;
}

export interface Unit {
  readonly unitId: string;
  readonly building: string;
  readonly entrance?: string;
  readonly label?: string;
  readonly kind: 'home' | 'shop' | 'parking';
  readonly areas: UnitAreas;
  readonly developerUnsold: boolean;
  readonly ownerIds: readonly string[];
}

export interface ResidentGroup {
  readonly groupId: string;
  readonly name: string;
  readonly active: boolean;
  readonly representativeIds: readonly string[];
}

export interface Household {
  readonly householdId: string;
  readonly residentGroupId?: string;
  readonly unitId?: string;
  readonly address?: string;
  readonly active: boolean;
  readonly representativeId?: string;
}

export interface Party {
  readonly partyId: string;
  readonly kind: PartyKind;
  readonly name: string;
  readonly active: boolean;
  readonly representativeIds: readonly string[];
  readonly memberIds: readonly string[];
}

export interface ProxyAuthorisation {
  readonly authorisationId: string;
  readonly ownerId: string;
  readonly proxyId: string;
  readonly proposalId: string;
  readonly itemId: string;
  readonly instructions?: string;
  readonly documentRef?: string;
  readonly form: 'written' | 'electronic';
  readonly grantedAt: string;
  readonly active: boolean;
}

/** Where the community's notifications go (通知网关); its signing key is derived, never stored. */
export interface Webhook {
  readonly webhookId: string;
  readonly url: string;
  readonly events: readonly WebhookEventKind[];
  readonly description?: string;
  /** A removed webhook stays, so its id (and so its key) is never given out again. */
  readonly active: boolean;
}

/** A person's consent to be reached, and whether they opted out of reminders. */
export interface Contact {
  readonly channels: readonly ContactChannel[];
  readonly optedOut: boolean;
}

export type StandingBody = z.infer<typeof EstablishStandingBodyData> & {
  readonly establishedAt: string;
  /** When it was dissolved: it meets no more, and its id stays taken. */
  readonly dissolvedAt?: string;
};

/** Active webhooks per community: each event fans out to every one of them. */
export const MAX_ACTIVE_WEBHOOKS = 10;

export interface CommunityRegistry {
  readonly status: 'registered';
  readonly communityId: string;
  readonly name: string;
  readonly kind: 'urban' | 'rural';
  readonly settings: CommunitySettings;
  /** Community-defined procedure templates, every version kept. */
  readonly procedures: Readonly<Record<string, readonly ProcedureDefinition[]>>;
  readonly persons: PMap<Person>;
  readonly units: PMap<Unit>;
  /** Index: person id → the units they own (co-owned units included). */
  readonly unitsByOwner: PMap<readonly string[]>;
  readonly groups: Readonly<Record<string, ResidentGroup>>;
  readonly households: PMap<Household>;
  readonly parties: Readonly<Record<string, Party>>;
  readonly proxies: PMap<ProxyAuthorisation>;
  /** Index: `<proposal>/<item>/<person>` → active authorisation ids given or held. */
  readonly proxiesHeld: PMap<readonly string[]>;
  readonly proxiesGiven: PMap<readonly string[]>;
  readonly clerkIds: readonly string[];
  /** Appointed treasurers: they record money received, refunded and spent. */
  readonly treasurerIds: readonly string[];
  readonly webhooks: Readonly<Record<string, Webhook>>;
  /** person id → consent to be reached, and opt-out of reminders. */
  readonly contacts: PMap<Contact>;
  readonly standingBodies: Readonly<Record<string, StandingBody>>;
}

export type CommunityState = { readonly status: 'none' } | CommunityRegistry;

export const initialState = (): CommunityState => ({ status: 'none' });
