import type { ColumnType, Generated } from 'kysely';

// The sign-in's tables, in the schema `identity` of the deployment's database. Nothing here is a
// phone number or a code in clear: numbers are keyed by their HMAC, codes and session ids are
// stored as hashes, so a copy of the tables signs no one in.

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** One-time sign-in codes (6 digits, 5 minutes, 5 attempts). */
export interface OtpCodesTable {
  id: Generated<string>;
  phone_hmac: string;
  code_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  attempts: Generated<number>;
  /** Used, or superseded by a newer code for the same number. */
  used_at: Timestamp | null;
}

/** Fixed-window counters: per phone number, per client address. */
export interface RateLimitsTable {
  bucket: string;
  window_start: Timestamp;
  count: number;
}

/** Console sessions, server-side; the cookie holds the id, this table its hash. */
export interface SessionsTable {
  id_hash: string;
  /** Who signed in: the registered persons of the phone number, as found then. */
  identities: ColumnType<SessionIdentity[], string, string>;
  /** The capacity chosen (null until one is): person, community ('' installation), kind. */
  person_id: string | null;
  community_id: string | null;
  capacity: string | null;
  party_id: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  /** The absolute timeout: created_at plus the longest a session lives. */
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

/** The one-time code that bootstraps the first administrator (one row, at most). */
export interface BootstrapCodesTable {
  id: number;
  code_hash: string;
  created_at: Timestamp;
  used_at: Timestamp | null;
}

/**
 * Phone numbers of persons, by HMAC: the installation's persons (community ''), and until the
 * registry keeps phone numbers, the communities' persons.
 */
export interface PhoneNumbersTable {
  phone_hmac: string;
  community_id: string;
  person_id: string;
  created_at: Generated<Timestamp>;
}

/** A registered person a phone number belongs to: of a community, or of the installation (''). */
export interface SessionIdentity {
  communityId: string;
  personId: string;
}

export interface IdentityDatabase {
  otp_codes: OtpCodesTable;
  rate_limits: RateLimitsTable;
  sessions: SessionsTable;
  bootstrap_codes: BootstrapCodesTable;
  phone_numbers: PhoneNumbersTable;
}
