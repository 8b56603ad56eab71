import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRemoteJWKSet, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';

export const TokenRole = z.enum([
  'resident',
  'owner',
  'proxy',
  'clerk',
  'party_representative',
  'convener',
  'official',
  'admin',
]);
export type TokenRole = z.infer<typeof TokenRole>;

/** What a verified token says: who acts, in which role, for which communities. */
export interface Principal {
  personId: string;
  role: TokenRole;
  /** Communities this token may act on; `*` = every community (officials, admins). */
  communities: readonly string[];
  partyId?: string;
}

const Claims = z.object({
  sub: z.string().min(1).max(64),
  role: TokenRole,
  communities: z.array(z.string().min(1).max(64)).min(1).max(1000),
  party: z.string().min(1).max(64).optional(),
});

export interface AuthConfig {
  issuer: string;
  audience: string;
  /** HS256 secret (local and single-site installs). */
  secret?: Uint8Array;
  /** RS256/ES256 keys from a JWKS endpoint (production). */
  jwksUrl?: string;
}

export type Verifier = (token: string) => Promise<Principal>;

export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

export function createVerifier(config: AuthConfig): Verifier {
  const jwks = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : undefined;
  // Import the HMAC key once: importing it on every verification costs more than verifying.
  const secret = config.secret
    ? crypto.subtle.importKey('raw', config.secret, { name: 'HMAC', hash: 'SHA-256' }, false, [
        'verify',
      ])
    : undefined;
  return async (token) => {
    let payload: JWTPayload;
    try {
      const options = { issuer: config.issuer, audience: config.audience };
      if (jwks) {
        ({ payload } = await jwtVerify(token, jwks, {
          ...options,
          algorithms: ['RS256', 'ES256'],
        }));
      } else if (secret) {
        ({ payload } = await jwtVerify(token, await secret, { ...options, algorithms: ['HS256'] }));
      } else {
        throw new AuthError('no key configured');
      }
    } catch (error) {
      throw new AuthError(error instanceof Error ? error.message : 'invalid token');
    }
    const claims = Claims.safeParse(payload);
    if (!claims.success) throw new AuthError('token claims are incomplete');
    return {
      personId: claims.data.sub,
      role: claims.data.role,
      communities: claims.data.communities,
      ...(claims.data.party ? { partyId: claims.data.party } : {}),
    };
  };
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
