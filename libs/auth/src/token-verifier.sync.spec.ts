import fc from 'fast-check';

import {
  b64url,
  codeOf,
  createVerifier,
  tamperPayload,
  type VerifierHarness,
} from '../test/verifier-harness';
import { AuthError } from './auth.errors';
import type { KeySource } from './interfaces/key-source.interface';
import { TokenVerifier } from './token-verifier';
import { VerifiedTokenCache } from './verified-token.cache';

/** What `verifySync` did with a token: a principal, a refusal code, or "ask verify()". */
function syncOutcome(h: VerifierHarness, token: string): string {
  try {
    const principal = h.verifier.verifySync(token);
    return principal ? `ok:${principal.sub}` : 'undecided';
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    return error.code;
  }
}

async function asyncOutcome(h: VerifierHarness, token: string): Promise<string> {
  try {
    return `ok:${(await h.verifier.verify(token)).sub}`;
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    return error.code;
  }
}

describe(`${TokenVerifier.name}.verifySync`, () => {
  let h: VerifierHarness;

  beforeEach(() => {
    h = createVerifier();
  });

  it('accepts a good token with its key loaded, caches it, and gives what verify() gives', async () => {
    const token = h.sign({ sub: 'u1', roles: ['editor'], scope: 'a b' });
    const principal = h.verifier.verifySync(token);
    expect(principal).toMatchObject({ sub: 'u1', roles: ['editor'], scopes: ['a', 'b'] });
    expect(h.cache.size).toBe(1);
    expect(h.verifier.verifySync(token)).toBe(principal);
    await expect(h.verifier.verify(token)).resolves.toBe(principal);
    expect(h.source.getKeyCalls).toBe(1);
  });

  it.each<[string, (v: VerifierHarness) => string]>([
    ['a raised role', (v) => tamperPayload(v.sign(), (c) => (c.roles = ['admin']))],
    [
      'alg none',
      (v) =>
        `${b64url({ alg: 'none', typ: 'at+jwt', kid: v.keys.signingKey.kid })}.${v.sign().split('.')[1]}.`,
    ],
    ['a wrong audience', (v) => v.sign({ aud: 'other-api' })],
    ['an expired token', (v) => v.sign({ exp: v.clock.seconds - 60 })],
    ['a wrong typ', (v) => v.sign({}, { header: { typ: 'JWT' } })],
    ['a jku header', (v) => v.sign({}, { header: { jku: 'https://evil.example/jwks' } })],
    ['junk', () => 'abc.def.ghi'],
    ['an empty string', () => ''],
  ])('refuses %s with the same code as verify()', async (_, build) => {
    const token = build(h);
    const code = await codeOf(h.verifier.verify(token));
    expect(() => h.verifier.verifySync(token)).toThrow(AuthError);
    expect(syncOutcome(h, token)).toBe(code);
    expect(h.cache.size).toBe(0);
  });

  it('leaves a kid that is not loaded to verify(), which may fetch it', async () => {
    const token = h.sign({}, { header: { kid: 'not-loaded' } });
    expect(h.verifier.verifySync(token)).toBeUndefined();
    expect(await codeOf(h.verifier.verify(token))).toBe('ERR_KID_UNKNOWN');
  });

  it('leaves every token to verify() when a revocation checker is configured', async () => {
    let checks = 0;
    h = createVerifier({ revocationChecker: { isRevoked: async () => (checks += 1) > 1 } });
    const token = h.sign();
    expect(h.verifier.verifySync(token)).toBeUndefined();
    await expect(h.verifier.verify(token)).resolves.toBeDefined();
    expect(h.verifier.verifySync(token)).toBeUndefined(); // cached, but revocation is asked each time
    expect(await codeOf(h.verifier.verify(token))).toBe('ERR_TOKEN_REVOKED');
  });

  it('leaves uncached tokens to verify() when the key source has no synchronous lookup', async () => {
    const token = h.sign();
    const asyncOnly: KeySource = {
      getKey: (kid) => h.keys.getKey(kid),
      hasKey: (kid) => h.keys.hasKey(kid),
    };
    const cache = new VerifiedTokenCache(100, asyncOnly, h.clock);
    const verifier = new TokenVerifier(
      (h.verifier as unknown as { options: ConstructorParameters<typeof TokenVerifier>[0] })
        .options,
      asyncOnly,
      cache,
    );
    expect(verifier.verifySync(token)).toBeUndefined();
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(verifier.verifySync(token)).toBeDefined(); // now a cache hit
  });

  it('agrees with verify() on every single-character change of a valid token', async () => {
    const valid = h.sign({ sub: 'u1' });
    const chars = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ '];
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: valid.length - 1 }),
        fc.constantFrom(...chars),
        async (index, char) => {
          const token = `${valid.slice(0, index)}${char}${valid.slice(index + 1)}`;
          const sync = syncOutcome(h, token);
          if (sync !== 'undecided') expect(sync).toBe(await asyncOutcome(h, token));
        },
      ),
      { numRuns: 300 },
    );
  });
});
