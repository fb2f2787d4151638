import {
  AUDIENCE,
  codeOf,
  createVerifier,
  ISSUER,
  type VerifierHarness,
} from '../test/verifier-harness';
import type { AuthPrincipal } from './interfaces/auth-principal.interface';
import { TokenVerifier } from './token-verifier';

describe(`${TokenVerifier.name} claims`, () => {
  let h: VerifierHarness;
  const refuse = (token: string) => codeOf(h.verifier.verify(token));
  const accept = (token: string) => expect(h.verifier.verify(token)).resolves.toBeDefined();

  beforeEach(() => {
    h = createVerifier();
  });

  describe('principal', () => {
    it('exposes the verified claims as principal fields', async () => {
      const exp = h.clock.seconds + 120;
      const token = h.sign({
        sub: 'u1',
        roles: ['editor', 'user'],
        scope: 'articles:read  stats:read',
        client_id: 'web',
        sid: 's1',
        jti: 'j1',
        exp,
        custom: { nested: ['x'] },
      });
      const principal = await h.verifier.verify(token);
      expect(principal).toEqual({
        sub: 'u1',
        roles: ['editor', 'user'],
        scopes: ['articles:read', 'stats:read'],
        clientId: 'web',
        sessionId: 's1',
        tokenId: 'j1',
        expiresAt: exp,
        issuer: ISSUER,
        claims: expect.objectContaining({
          iss: ISSUER,
          aud: AUDIENCE,
          sub: 'u1',
          exp,
          custom: { nested: ['x'] },
        }),
      });
    });

    it('defaults roles and scopes to empty lists', async () => {
      const principal = await h.verifier.verify(
        h.sign({}, { omitClaims: ['roles', 'scope', 'client_id', 'jti'] }),
      );
      expect(principal).toMatchObject({
        roles: [],
        scopes: [],
        clientId: undefined,
        tokenId: undefined,
        sessionId: undefined,
      });
    });

    it('is deeply frozen, so a handler cannot change what later requests see', async () => {
      const principal: AuthPrincipal = await h.verifier.verify(
        h.sign({ roles: ['user'], custom: { nested: ['x'] } }),
      );
      expect(Object.isFrozen(principal)).toBe(true);
      expect(() => (principal.roles as string[]).push('admin')).toThrow(TypeError);
      expect(() => (principal.scopes as string[]).push('admin')).toThrow(TypeError);
      expect(() => ((principal.claims as { sub: string }).sub = 'root')).toThrow(TypeError);
      expect(() => (principal.claims.custom as { nested: string[] }).nested.push('y')).toThrow(
        TypeError,
      );
    });
  });

  describe('time, with the default 5 s tolerance', () => {
    it('refuses a token expired beyond the tolerance and accepts one within it', async () => {
      const now = h.clock.seconds;
      expect(await refuse(h.sign({ exp: now - 6 }))).toBe('ERR_TOKEN_EXPIRED');
      expect(await refuse(h.sign({ exp: now - 5 }))).toBe('ERR_TOKEN_EXPIRED');
      await accept(h.sign({ exp: now - 4 }));
    });

    it('refuses a token once the clock passes its exp', async () => {
      const token = h.sign({ exp: h.clock.seconds + 60 });
      await accept(token);
      h.clock.advance(66);
      expect(await refuse(token)).toBe('ERR_TOKEN_EXPIRED');
    });

    it('refuses nbf in the future beyond the tolerance and accepts it within', async () => {
      expect(await refuse(h.sign({ nbf: h.clock.seconds + 6 }))).toBe('ERR_TOKEN_NOT_YET_VALID');
      await accept(h.sign({ nbf: h.clock.seconds + 4 }));
    });

    it('refuses iat in the future beyond the tolerance and accepts it within', async () => {
      expect(await refuse(h.sign({ iat: h.clock.seconds + 6 }))).toBe('ERR_TOKEN_NOT_YET_VALID');
      await accept(h.sign({ iat: h.clock.seconds + 4 }));
    });

    it('applies a configured tolerance of 0 exactly', async () => {
      h = createVerifier({ clockToleranceSeconds: 0 });
      const now = h.clock.seconds;
      expect(await refuse(h.sign({ exp: now }))).toBe('ERR_TOKEN_EXPIRED');
      expect(await refuse(h.sign({ nbf: now + 1 }))).toBe('ERR_TOKEN_NOT_YET_VALID');
      expect(await refuse(h.sign({ iat: now + 1 }))).toBe('ERR_TOKEN_NOT_YET_VALID');
      await accept(h.sign({ exp: now + 1, nbf: now, iat: now }));
    });
  });

  describe('issuer and audience', () => {
    it.each([
      ['another issuer', 'http://evil.test'],
      ['a trailing slash', `${ISSUER}/`],
      ['a list', [ISSUER]],
    ])('refuses iss with %s', async (_, iss) => {
      expect(await refuse(h.sign({ iss: iss as string }))).toBe('ERR_ISSUER_INVALID');
    });

    it('refuses a token without iss', async () => {
      expect(await refuse(h.sign({}, { omitClaims: ['iss'] }))).toBe('ERR_ISSUER_INVALID');
    });

    it.each([
      ['another audience', 'billing-api'],
      ['a list without ours', ['a', 'b']],
      ['an empty list', []],
      ['a number', 42],
    ])('refuses aud with %s', async (_, aud) => {
      expect(await refuse(h.sign({ aud: aud as string }))).toBe('ERR_AUDIENCE_INVALID');
    });

    it('refuses a token without aud', async () => {
      expect(await refuse(h.sign({}, { omitClaims: ['aud'] }))).toBe('ERR_AUDIENCE_INVALID');
    });

    it('accepts an aud list that contains our audience', async () => {
      await accept(h.sign({ aud: ['billing-api', AUDIENCE] }));
    });

    it('accepts any of several configured audiences', async () => {
      h = createVerifier({ audience: ['orders-api', 'billing-api'] });
      await accept(h.sign({ aud: 'billing-api' }));
      expect(await refuse(h.sign({ aud: AUDIENCE }))).toBe('ERR_AUDIENCE_INVALID');
    });
  });

  describe('claim shapes', () => {
    it.each(['exp', 'iat', 'sub'])('refuses a token without %s', async (claim) => {
      expect(await refuse(h.sign({}, { omitClaims: [claim] }))).toBe('ERR_CLAIM_INVALID');
    });

    it.each<[string, Record<string, unknown>]>([
      ['a string exp', { exp: '9999999999' }],
      ['a null exp', { exp: null }],
      ['a string iat', { iat: '1' }],
      ['a string nbf', { nbf: 'later' }],
      ['an empty sub', { sub: '' }],
      ['a numeric sub', { sub: 42 }],
      ['roles as a string', { roles: 'admin' }],
      ['roles with a number', { roles: ['user', 1] }],
      ['roles as an object', { roles: { 0: 'admin' } }],
      ['scope as a list', { scope: ['stats:read'] }],
      ['scope as a number', { scope: 1 }],
      ['a numeric client_id', { client_id: 7 }],
      ['an object sid', { sid: { id: 's' } }],
      ['a numeric jti', { jti: 1 }],
    ])('refuses %s', async (_, claims) => {
      expect(await refuse(h.sign(claims))).toBe('ERR_CLAIM_INVALID');
    });
  });

  describe('revocation', () => {
    it('asks the checker with the principal and refuses a revoked token', async () => {
      const isRevoked = jest.fn(async (principal: AuthPrincipal) => principal.sessionId === 'gone');
      h = createVerifier({ revocationChecker: { isRevoked } });
      await accept(h.sign({ sid: 'live' }));
      expect(isRevoked).toHaveBeenLastCalledWith(expect.objectContaining({ sessionId: 'live' }));
      expect(await refuse(h.sign({ sid: 'gone' }))).toBe('ERR_TOKEN_REVOKED');
    });

    it('refuses a revoked token even when it is served from the cache', async () => {
      let revoked = false;
      h = createVerifier({ revocationChecker: { isRevoked: () => revoked } });
      const token = h.sign();
      await accept(token);
      revoked = true;
      expect(await refuse(token)).toBe('ERR_TOKEN_REVOKED');
      expect(h.source.getKeyCalls).toBe(1);
    });
  });
});
