import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Role } from '@yishi/domain';
import { createRemoteJWKSet, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { type Config, DEFAULT_MAX_TOKEN_LIFETIME_SECONDS } from './config.ts';

/** What a verified token says: who acts, in which role, for which communities. */
export interface Principal {
  personId: string;
  role: Role;
  /** Communities this token may act on; `*` = every community (officials, admins). */
  communities: readonly string[];
  partyId?: string;
}

const Claims = z.object({
  sub: z.string().min(1).max(64),
  role: Role,
  communities: z.array(z.string().min(1).max(64)).min(1).max(1000),
  party: z.string().min(1).max(64).optional(),
});

export interface AuthConfig {
  issuer: string;
  audience: string;
  /** HS256 secret: the console's own tokens, the token CLI's, single-site installs. */
  secret?: Uint8Array;
  /** RS256/ES256 keys of an external identity provider (OIDC), beside the HS256 secret. */
  jwksUrl?: string;
  /**
   * The claim of an identity provider's token that holds the registered person's id (its `sub`
   * is the provider's own subject): `sub` unless the provider is set to send another one.
   */
  personClaim?: string;
  /** Verified tokens remembered by their text (least recently used evicted); 0 = none. */
  cacheSize?: number;
  /** The longest lifetime (`exp` after `iat`, or after now) a token may have; default 24 h. */
  maxLifetimeSeconds?: number;
}

/** How far the issuer's clock may run ahead of ours when `exp` is judged against now. */
const CLOCK_SKEW_SECONDS = 60;

export type Verifier = (token: string) => Promise<Principal>;

export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

/**
 * A remembered token is trusted no longer than this even before its `exp`, so a key withdrawn
 * from the JWKS stops being honoured within minutes, as with jose's own JWKS cache.
 */
const CACHE_MAX_AGE_MS = 5 * 60_000;

export function createVerifier(config: AuthConfig): Verifier {
  const hs256 = config.secret ? hs256Verifier(config, config.secret) : undefined;
  const jwks = config.jwksUrl ? jwksVerifier(config, config.jwksUrl) : undefined;
  const personClaim = config.personClaim ?? 'sub';
  const cache = new VerifiedTokens(config.cacheSize ?? 10_000);
  const maxLifetime = config.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  return async (token) => {
    const now = Date.now();
    const known = cache.get(token, now);
    if (known) return known;
    let payload: Record<string, unknown>;
    // An identity provider's token names the person in `personClaim`; our own in `sub`.
    let external = false;
    try {
      // With both keys, the header's algorithm picks one: HS256 is only ever the secret's.
      external = jwks !== undefined && (hs256 === undefined || headerAlg(token) !== 'HS256');
      const verifyToken = external ? jwks : hs256;
      if (!verifyToken) throw new AuthError('no key configured');
      // HS256 answers at once: awaited only when it is a promise (a provider's keys).
      const verified = verifyToken(token);
      payload = verified instanceof Promise ? await verified : verified;
    } catch (error) {
      throw new AuthError(error instanceof Error ? error.message : 'invalid token');
    }
    checkLifetime(payload, Math.floor(now / 1000), maxLifetime);
    const claims = Claims.safeParse(payload);
    if (!claims.success) throw new AuthError('token claims are incomplete');
    const personId = external ? payload[personClaim] : claims.data.sub;
    if (typeof personId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(personId)) {
      throw new AuthError(`the "${personClaim}" claim is not a registered person's id`);
    }
    // Frozen: one principal may now serve many requests.
    const principal: Principal = Object.freeze({
      personId,
      role: claims.data.role,
      communities: Object.freeze(claims.data.communities),
      ...(claims.data.party ? { partyId: claims.data.party } : {}),
    });
    cache.set(token, {
      principal,
      exp: typeof payload.exp === 'number' ? payload.exp : undefined,
      nbf: typeof payload.nbf === 'number' ? payload.nbf : undefined,
      until: now + CACHE_MAX_AGE_MS,
    });
    return principal;
  };
}

/**
 * Every token expires, and none lives longer than `max` seconds, so a leaked token is worth
 * a bounded time: `exp` is required, at most `max` after `iat` when there is one (an `iat` of 0
 * makes any `exp` too long), and at most `max` after now (a token without `iat`, or one whose
 * `iat` lies in the future). Signature and `exp`/`nbf` themselves were checked before.
 */
function checkLifetime(claims: Record<string, unknown>, now: number, max: number): void {
  const { exp, iat } = claims;
  if (typeof exp !== 'number') throw new AuthError('missing required "exp" claim');
  if (typeof iat === 'number' && exp - iat > max) {
    throw new AuthError(`token lifetime ("exp" after "iat") is over ${max} seconds`);
  }
  if (exp - now > max + CLOCK_SKEW_SECONDS) {
    throw new AuthError(`token lifetime ("exp" after now) is over ${max} seconds`);
  }
}

/**
 * The verifier's settings from the configuration: the HS256 secret (the console's tokens and
 * the token CLI's), and an identity provider's JWKS when `JWT_JWKS_URL` is set.
 */
export function authConfigFrom(config: Config): AuthConfig {
  return {
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    maxLifetimeSeconds: config.JWT_MAX_LIFETIME_SECONDS,
    secret: localSecret(config.DATA_DIR, config.JWT_SECRET),
    ...(config.JWT_JWKS_URL
      ? { jwksUrl: config.JWT_JWKS_URL, personClaim: config.JWT_PERSON_CLAIM }
      : {}),
  };
}

/** The `alg` of a compact JWS's header, or undefined when it has none that can be read. */
function headerAlg(token: string): unknown {
  const header = token.split('.', 1)[0] ?? '';
  return SEGMENT.test(header) ? jsonSegment(header)?.alg : undefined;
}

type PayloadVerifier = (
  token: string,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

function jwksVerifier(config: AuthConfig, url: string): PayloadVerifier {
  const jwks = createRemoteJWKSet(new URL(url));
  return async (token) =>
    (
      await jwtVerify(token, jwks, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: ['RS256', 'ES256'],
      })
    ).payload;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** One base64url segment of a compact JWS as a plain JSON object, or undefined. */
function jsonSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(utf8.decode(Buffer.from(segment, 'base64url')));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * HS256 with node:crypto: synchronous HMAC, where WebCrypto (jose) costs a thread-pool job per
 * token. The checks are jose's for `jwtVerify(token, secret, { issuer, audience,
 * algorithms: ['HS256'] })`: compact form, header an object, `crit` only `b64` (true), `alg`
 * HS256, signature (compared in constant time), claims an object, `iss` and `aud` present and
 * matching, `iat`/`nbf`/`exp` numbers when present, `nbf <= now < exp` in whole seconds.
 * Stricter only in refusing padded or non-canonical base64url.
 */
function hs256Verifier(config: AuthConfig, secret: Uint8Array): PayloadVerifier {
  const key = createSecretKey(secret);
  // The header's checks depend on its text alone, and an issuer sends the same header with
  // every token: the last header accepted is not decoded and checked again.
  let acceptedHeader: string | undefined;
  return (token) => {
    const parts = token.split('.');
    if (parts.length !== 3) throw new AuthError('Invalid Compact JWS');
    const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
    if (!SEGMENT.test(encodedHeader) || !SEGMENT.test(encodedPayload)) {
      throw new AuthError('Invalid Compact JWS');
    }
    if (encodedHeader !== acceptedHeader) {
      checkHeader(encodedHeader);
      acceptedHeader = encodedHeader;
    }
    const expected = createHmac('sha256', key)
      .update(token.slice(0, encodedHeader.length + 1 + encodedPayload.length))
      .digest();
    const given = Buffer.from(encodedSignature, 'base64url');
    if (
      given.length !== expected.length ||
      given.toString('base64url') !== encodedSignature ||
      !timingSafeEqual(given, expected)
    ) {
      throw new AuthError('signature verification failed');
    }
    const claims = jsonSegment(encodedPayload);
    if (!claims) throw new AuthError('JWT Claims Set must be a top-level JSON object');
    checkRegisteredClaims(claims, config, Math.floor(Date.now() / 1000));
    return claims;
  };
}

/** The protected header of an HS256 JWT, as jose checks it; throws what jose would. */
function checkHeader(encodedHeader: string): void {
  const header = jsonSegment(encodedHeader);
  if (!header) throw new AuthError('JWS Protected Header is invalid');
  if (header.crit !== undefined) {
    const crit = header.crit;
    // b64 is the only extension jose knows, and a JWT must keep its payload encoded.
    if (!Array.isArray(crit) || crit.length === 0 || crit.some((c) => c !== 'b64')) {
      throw new AuthError('"crit" (Critical) Header Parameter is not supported');
    }
    if (header.b64 !== true) throw new AuthError('JWTs MUST NOT use unencoded payload');
  }
  if (header.alg !== 'HS256') {
    throw new AuthError('"alg" (Algorithm) Header Parameter value not allowed');
  }
}

function checkRegisteredClaims(
  claims: Record<string, unknown>,
  config: Pick<AuthConfig, 'issuer' | 'audience'>,
  now: number,
): void {
  for (const claim of ['iss', 'aud']) {
    if (!Object.hasOwn(claims, claim)) throw new AuthError(`missing required "${claim}" claim`);
  }
  if (claims.iss !== config.issuer) throw new AuthError('unexpected "iss" claim value');
  const aud = claims.aud;
  if (!(aud === config.audience || (Array.isArray(aud) && aud.includes(config.audience)))) {
    throw new AuthError('unexpected "aud" claim value');
  }
  for (const claim of ['iat', 'nbf', 'exp']) {
    if (claims[claim] !== undefined && typeof claims[claim] !== 'number') {
      throw new AuthError(`"${claim}" claim must be a number`);
    }
  }
  if (typeof claims.nbf === 'number' && claims.nbf > now) {
    throw new AuthError('"nbf" claim timestamp check failed');
  }
  if (typeof claims.exp === 'number' && claims.exp <= now) {
    throw new AuthError('"exp" claim timestamp check failed');
  }
}

export interface VerifiedToken {
  principal: Principal;
  exp: number | undefined;
  nbf: number | undefined;
  /** Epoch ms after which the token is verified afresh. */
  until: number;
}

/**
 * Tokens that passed verification, by their exact text: a different text (another signature,
 * another claim) is never a hit. A remembered token still honours `exp` and `nbf` exactly as
 * verification does; refused tokens are never remembered.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, VerifiedToken>();
  /**
   * Walks the entries in insertion order, oldest first; every key it passed was evicted. A new
   * `keys()` per eviction would skip the holes deleted entries leave at the front of the
   * map's table each time: at 10,000 tokens that made a cache miss cost more than verifying.
   */
  private oldest: Iterator<string> = this.entries.keys();
  constructor(private readonly limit: number) {}

  get(token: string, nowMs: number): Principal | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    const now = Math.floor(nowMs / 1000);
    if (
      nowMs > entry.until ||
      (entry.exp !== undefined && entry.exp <= now) ||
      (entry.nbf !== undefined && entry.nbf > now)
    ) {
      this.entries.delete(token);
      return undefined;
    }
    this.entries.delete(token);
    this.entries.set(token, entry);
    return entry.principal;
  }

  get size(): number {
    return this.entries.size;
  }

  set(token: string, entry: VerifiedToken): void {
    if (this.limit <= 0) return;
    this.entries.delete(token);
    this.entries.set(token, entry);
    if (this.entries.size > this.limit) {
      // Entries move to the end when used, so the walk's next key is the least recently used.
      let next = this.oldest.next();
      if (next.done) {
        this.oldest = this.entries.keys();
        next = this.oldest.next();
      }
      if (!next.done) this.entries.delete(next.value);
    }
  }
}

export function mayActOn(principal: Principal, communityId: string): boolean {
  return principal.communities.includes('*') || principal.communities.includes(communityId);
}

/** HS256 token for local use and tests. */
export async function issueToken(
  config: Pick<AuthConfig, 'issuer' | 'audience'> & { secret: Uint8Array },
  principal: Principal,
  expiresIn = '12h',
): Promise<string> {
  return new SignJWT({
    role: principal.role,
    communities: [...principal.communities],
    ...(principal.partyId ? { party: principal.partyId } : {}),
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(principal.personId)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(config.secret);
}

/** JWT_SECRET, or a secret generated once into the data directory. */
export function localSecret(dataDir: string, configured?: string): Uint8Array {
  if (configured) return new TextEncoder().encode(configured);
  const file = join(dataDir, 'jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  return new TextEncoder().encode(readFileSync(file, 'utf8').trim());
}
