import {
  codeOf,
  createVerifier,
  tamperPayload,
  type VerifierHarness,
} from '../test/verifier-harness';
import type { AuthPrincipal } from './interfaces/auth-principal.interface';
import { VerifiedTokenCache } from './verified-token.cache';

describe(VerifiedTokenCache.name, () => {
  let h: VerifierHarness;

  beforeEach(() => {
    h = createVerifier();
  });

  it('serves a token verified before without looking up its key or checking its signature', async () => {
    const token = h.sign({ sub: 'u1' });
    const first = await h.verifier.verify(token);
    const second = await h.verifier.verify(token);
    expect(second).toBe(first);
    expect(h.source.getKeyCalls).toBe(1);
    expect(h.cache.size).toBe(1);
  });

  it("never serves a forged token that copies a cached token's signature", async () => {
    const genuine = h.sign({ sub: 'u1', roles: ['user'] });
    await h.verifier.verify(genuine);
    const forged = tamperPayload(genuine, (claims) => (claims.roles = ['admin']));
    expect(forged.split('.')[2]).toBe(genuine.split('.')[2]);
    expect(await codeOf(h.verifier.verify(forged))).toBe('ERR_SIGNATURE_INVALID');
    expect(h.verifier.verifiedFromCache(forged)).toBeUndefined();
    // The genuine entry is untouched by the forgery.
    const lookups = h.source.getKeyCalls;
    await expect(h.verifier.verify(genuine)).resolves.toMatchObject({ roles: ['user'] });
    expect(h.source.getKeyCalls).toBe(lookups);
    expect(h.cache.size).toBe(1);
  });

  it('keys entries by the exact token text', async () => {
    await h.verifier.verify(h.sign({ sub: 'u1' }));
    await h.verifier.verify(h.sign({ sub: 'u1' }));
    expect(h.source.getKeyCalls).toBe(2);
  });

  it('never serves a token past its exp: the expiry check runs again', async () => {
    const token = h.sign({ exp: h.clock.seconds + 60 });
    await h.verifier.verify(token);
    h.clock.advance(61);
    // Within the 5 s tolerance the token still passes, but only by being verified again.
    await expect(h.verifier.verify(token)).resolves.toBeDefined();
    expect(h.source.getKeyCalls).toBe(2);
    h.clock.advance(5);
    expect(await codeOf(h.verifier.verify(token))).toBe('ERR_TOKEN_EXPIRED');
  });

  it('does not remember a token that is only valid thanks to the clock tolerance', async () => {
    const token = h.sign({ exp: h.clock.seconds - 2 });
    await h.verifier.verify(token);
    await h.verifier.verify(token);
    expect(h.cache.size).toBe(0);
    expect(h.source.getKeyCalls).toBe(2);
  });

  it('drops a token as soon as its signing key leaves the key set', async () => {
    const token = h.sign();
    await h.verifier.verify(token);
    h.keys.rotate();
    await expect(h.verifier.verify(token)).resolves.toBeDefined();
    h.keys.remove(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid);
    expect(await codeOf(h.verifier.verify(token))).toBe('ERR_KID_UNKNOWN');
  });

  it('evicts the least recently used token when full', async () => {
    h = createVerifier({ verifiedTokenCache: { maxEntries: 2 } });
    const [a, b, c] = ['a', 'b', 'c'].map((sub) => h.sign({ sub }));
    await h.verifier.verify(a);
    await h.verifier.verify(b);
    await h.verifier.verify(a); // a is now the most recently used
    await h.verifier.verify(c); // evicts b
    expect(h.cache.size).toBe(2);
    const lookups = h.source.getKeyCalls;
    await h.verifier.verify(a);
    await h.verifier.verify(c);
    expect(h.source.getKeyCalls).toBe(lookups);
    await h.verifier.verify(b);
    expect(h.source.getKeyCalls).toBe(lookups + 1);
  });

  it('is off with verifiedTokenCache: false', async () => {
    h = createVerifier({ verifiedTokenCache: false });
    const token = h.sign();
    await h.verifier.verify(token);
    await h.verifier.verify(token);
    await h.verifier.verify(token);
    expect(h.source.getKeyCalls).toBe(3);
    expect(h.cache.enabled).toBe(false);
    expect(h.cache.size).toBe(0);
  });

  it.each<[string, (h: VerifierHarness) => string]>([
    ['a bad signature', (v) => tamperPayload(v.sign(), (c) => (c.roles = ['admin']))],
    ['a wrong audience', (v) => v.sign({ aud: 'other-api' })],
    ['an expired token', (v) => v.sign({ exp: v.clock.seconds - 60 })],
    ['an unknown kid', (v) => v.sign({}, { header: { kid: 'nope' } })],
  ])('never remembers a token refused for %s', async (_, build) => {
    const token = build(h);
    await expect(h.verifier.verify(token)).rejects.toThrow();
    await expect(h.verifier.verify(token)).rejects.toThrow();
    expect(h.cache.size).toBe(0);
    expect(h.source.getKeyCalls).toBe(2);
  });

  describe('used directly', () => {
    const principal = (expiresAt: number) =>
      ({ sub: 'u', roles: [], scopes: [], expiresAt, claims: {} }) as unknown as AuthPrincipal;

    it('refuses to store an entry that is already expired', () => {
      const cache = new VerifiedTokenCache(10, h.keys, h.clock);
      cache.set('t1', principal(h.clock.seconds), h.keys.signingKey.kid);
      cache.set('t2', principal(h.clock.seconds + 1), h.keys.signingKey.kid);
      expect(cache.get('t1')).toBeUndefined();
      expect(cache.get('t2')).toBeDefined();
    });

    it('keeps a token hit thousands of times in a full cache, never growing past its bound', () => {
      const cache = new VerifiedTokenCache(100, h.keys, h.clock);
      const kid = h.keys.signingKey.kid;
      const live = principal(h.clock.seconds + 60);
      for (let i = 0; i < 100; i++) cache.set(`t${i}`, live, kid);
      cache.set('hot', live, kid); // evicts t0
      for (let round = 0; round < 50; round++) {
        for (let hit = 0; hit < 100; hit++) expect(cache.get('hot')).toBe(live);
        cache.set(`new${round}`, live, kid); // evicts the oldest other token, never the hot one
      }
      expect(cache.size).toBe(100);
      expect(cache.get('t0')).toBeUndefined();
      expect(cache.get('t50')).toBeUndefined();
      expect(cache.get('t51')).toBe(live);
      expect(cache.get('new49')).toBe(live);
    });

    it('clear() forgets everything', () => {
      const cache = new VerifiedTokenCache(10, h.keys, h.clock);
      cache.set('t', principal(h.clock.seconds + 60), h.keys.signingKey.kid);
      cache.clear();
      expect(cache.get('t')).toBeUndefined();
    });
  });
});
