import { createVerifier, issueToken, type Principal, type Verifier } from './auth.ts';

/** HS256 auth with a fixed secret, for tests: a verifier and a token factory. */
export function testAuth(): { verify: Verifier; token(principal: Principal): Promise<string> } {
  const secret = new TextEncoder().encode('test-secret-test-secret-test-secret!');
  const config = { issuer: 'yishi', audience: 'yishi' };
  return {
    verify: createVerifier({ ...config, secret }),
    token: (principal) => issueToken({ ...config, secret }, principal),
  };
}
