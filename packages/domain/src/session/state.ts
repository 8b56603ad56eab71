import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { PartyPosition } from '../rules/joint-session.ts';
import type { Choice } from '../rules/types.ts';
import type { CommandsOf, Decision, EventsOf, OfType } from '../shared/decider.ts';
import type { AgendaItem, sessionCommandSchemas, sessionEventSchemas } from './schemas.ts';

// 联席会议 and 居民议事会: a session convened with parties and an agenda. Each attending party
// states one position per item through its representative; the item is resolved by the
// session rule; the minutes become final when every attending party (and, in a residents'
// council, every attending member) has signed them.

export type SessionCommand = CommandsOf<typeof sessionCommandSchemas>;
export type SessionEvent = EventsOf<typeof sessionEventSchemas>;
export type SessionCommandType = SessionCommand['type'];
export type SessionEventType = SessionEvent['type'];
/** The command of one type, as the function that decides it takes it. */
export type SessionCommandOf<T extends SessionCommandType> = OfType<SessionCommand, T>;
export type SessionDecision = Decision<SessionEvent>;

type ConvenedData = z.infer<typeof sessionEventSchemas.SessionConvened>;

export interface Minutes {
  readonly version: number;
  /** SHA-256 of the current text: a signature must name it. */
  readonly textHash: string;
  /** Parties that signed the current version. */
  readonly signedBy: readonly string[];
  /** Council members who signed the current version. */
  readonly signedByMembers: readonly string[];
  readonly final: boolean;
  /** Whether the scheduler reminded the missing signers of this version. */
  readonly reminded: boolean;
}

/** Who signed a text so far: parties, and council members. */
export interface Signatures {
  readonly signedBy: readonly string[];
  readonly signedByMembers: readonly string[];
}

export interface Session {
  readonly status: 'convened';
  readonly convened: Omit<ConvenedData, 'at' | 'by'>;
  readonly noticeGiven: boolean;
  /** party id → the person representing it in this session. */
  readonly partyAttendance: Readonly<Record<string, string>>;
  /** Persons attending: representatives, members and residents. */
  readonly attendees: readonly string[];
  readonly positions: Readonly<Record<string, Readonly<Record<string, PartyPosition>>>>;
  readonly memberVotes: Readonly<Record<string, Readonly<Record<string, Choice>>>>;
  readonly resolved: Readonly<Record<string, 'adopted' | 'rejected'>>;
  readonly minutes?: Minutes;
  readonly corrections: Readonly<Record<string, Signatures & { final: boolean }>>;
}

export type SessionState = { readonly status: 'none' } | Session;

export function initialState(): SessionState {
  return { status: 'none' };
}

/** The parties attending, in id order: those who sign the minutes. */
export function attendingPartiesOf(session: Session): string[] {
  return Object.keys(session.partyAttendance).sort();
}

/** The council members attending, in id order: they sign the minutes too. */
export function attendingMembersOf(session: Session): string[] {
  return session.convened.memberIds.filter((m) => session.attendees.includes(m)).sort();
}

/** SHA-256 (lowercase hex) of a text's UTF-8 bytes: what a signature of minutes names. */
export function textHashOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Parties whose attendance an item requires: the session's required parties and those concerned. */
export function requiredFor(session: Session, item: AgendaItem): string[] {
  return [...new Set([...session.convened.requiredPartyIds, ...item.concernedPartyIds])].sort();
}

/** A signature added: a party's, or (no party) a council member's. */
export function withSignature<T extends Signatures>(
  signed: T,
  { partyId, personId }: { partyId?: string | undefined; personId: string },
): T {
  return partyId === undefined
    ? { ...signed, signedByMembers: [...signed.signedByMembers, personId] }
    : { ...signed, signedBy: [...signed.signedBy, partyId] };
}

/** Whether every signer of the session has signed: each attending party and member. */
export function signedByAll(session: Session, signed: Signatures): boolean {
  return (
    attendingPartiesOf(session).every((p) => signed.signedBy.includes(p)) &&
    attendingMembersOf(session).every((m) => signed.signedByMembers.includes(m))
  );
}
