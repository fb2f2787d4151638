import { createHmac, createPublicKey, type JsonWebKey } from 'node:crypto';
import * as jose from 'jose';

import {
  AUDIENCE,
  b64url,
  codeOf,
  createVerifier,
  FakeClock,
  ISSUER,
  tamperPayload,
  type VerifierHarness,
} from '../test/verifier-harness';
import type { JwtAlgorithm } from './interfaces/jwt-algorithm';
import { resolveAuthOptions } from './resolved-auth-options';
import { StaticKeySource } from './static-key-source';
import { TokenVerifier } from './token-verifier';
import { VerifiedTokenCache } from './verified-token.cache';

/** A verifier over one jose-generated public key given as a static JWK: jose is the independent signer. */
async function joseSetup(alg: JwtAlgorithm) {
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
  const jwk = (await jose.exportJWK(publicKey)) as JsonWebKey;
  const clock = new FakeClock();
  const options = resolveAuthOptions({
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: [alg],
    publicKeys: [{ kid: 'k1', key: jwk }],
    clock,
  });
  const source = new StaticKeySource([{ kid: 'k1', key: jwk }], options.algorithms);
  const verifier = new TokenVerifier(options, source, new VerifiedTokenCache(10, source, clock));
  const sign = (claims: jose.JWTPayload = {}) =>
    new jose.SignJWT({ sub: 'u1', ...claims })
      .setProtectedHeader({ alg, typ: 'at+jwt', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(clock.seconds)
      .setExpirationTime(clock.seconds + 60)
      .sign(privateKey);
  return { verifier, sign };
}

describe(TokenVerifier.name, () => {
  let h: VerifierHarness;
  const header = (over: Record<string, unknown> = {}) => ({
    alg: 'ES256',
    typ: 'at+jwt',
    kid: h.keys.signingKey.kid,
    ...over,
  });
  const claims = () => ({
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'u1',
    iat: h.clock.seconds,
    exp: h.clock.seconds + 300,
  });
  const payloadPart = () => b64url(claims());
  const refuse = (token: string) => codeOf(h.verifier.verify(token));

  beforeEach(() => {
    h = createVerifier();
  });

  it('accepts a token signed by the trusted key', async () => {
    await expect(h.verifier.verify(h.sign({ sub: 'alice' }))).resolves.toMatchObject({
      sub: 'alice',
    });
  });

  it.each(['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'] as const)(
    'verifies %s tokens signed by jose',
    async (alg) => {
      const { verifier, sign } = await joseSetup(alg);
      await expect(verifier.verify(await sign({ roles: ['user'] }))).resolves.toMatchObject({
        sub: 'u1',
        roles: ['user'],
      });
    },
  );

  describe('alg none', () => {
    it.each([
      ['none', '', 'ERR_TOKEN_MALFORMED'],
      ['None', '', 'ERR_TOKEN_MALFORMED'],
      ['NONE', '', 'ERR_TOKEN_MALFORMED'],
      ['nOnE', '', 'ERR_TOKEN_MALFORMED'],
      ['none', 'c2lnbmF0dXJl', 'ERR_ALG_NOT_ALLOWED'],
      ['None', 'c2lnbmF0dXJl', 'ERR_ALG_NOT_ALLOWED'],
      ['NONE', 'AAAA', 'ERR_ALG_NOT_ALLOWED'],
      ['nOnE', 'AAAA', 'ERR_ALG_NOT_ALLOWED'],
    ])(
      'refuses alg %p with signature %p as %s, before any key lookup',
      async (alg, signature, code) => {
        expect(await refuse(`${b64url(header({ alg }))}.${payloadPart()}.${signature}`)).toBe(code);
        expect(h.source.getKeyCalls).toBe(0);
      },
    );
  });

  describe('HMAC forged with the public key as secret', () => {
    const secrets = (): Array<[string, string | Buffer]> => {
      const publicKey = createPublicKey(h.keys.signingKey.privateKey);
      return [
        ['PEM', publicKey.export({ format: 'pem', type: 'spki' })],
        ['DER', publicKey.export({ format: 'der', type: 'spki' })],
        ['JWK', JSON.stringify(h.keys.toJwks().keys[0])],
      ];
    };

    it.each(['ES256', 'RS256'] as const)(
      'refuses HS256 over a %s key with PEM, DER and JWK secrets',
      async (alg) => {
        h = createVerifier({}, alg);
        for (const [, secret] of secrets()) {
          const input = `${b64url(header({ alg: 'HS256' }))}.${payloadPart()}`;
          const mac = createHmac('sha256', secret).update(input).digest('base64url');
          expect(await refuse(`${input}.${mac}`)).toBe('ERR_ALG_NOT_ALLOWED');
        }
        expect(h.source.getKeyCalls).toBe(0);
      },
    );
  });

  describe('algorithm allowlist and key binding', () => {
    it('refuses an RS256 token when only ES256 is allowed, and accepts it once RS256 is', async () => {
      const esOnly = createVerifier({ algorithms: ['ES256'] }, 'RS256');
      expect(await codeOf(esOnly.verifier.verify(esOnly.sign()))).toBe('ERR_ALG_NOT_ALLOWED');
      const both = createVerifier({ algorithms: ['ES256', 'RS256'] }, 'RS256');
      await expect(both.verifier.verify(both.sign())).resolves.toMatchObject({ sub: 'test-user' });
    });

    it('refuses an allowed alg that the key was not made for (header says ES384 over a P-256 key)', async () => {
      h = createVerifier({ algorithms: ['ES256', 'ES384'] });
      expect(await refuse(h.sign({}, { header: { alg: 'ES384' } }))).toBe('ERR_ALG_NOT_ALLOWED');
    });

    it('refuses an ES384 token signed by another key under the trusted kid', async () => {
      h = createVerifier({ algorithms: ['ES256', 'ES384'] });
      const attacker = await jose.generateKeyPair('ES384');
      const token = await new jose.SignJWT(claims())
        .setProtectedHeader(header({ alg: 'ES384' }))
        .sign(attacker.privateKey);
      expect(await refuse(token)).toBe('ERR_ALG_NOT_ALLOWED');
    });

    it('refuses PS256 made with an RS256 key, even when PS256 is allowed', async () => {
      h = createVerifier({ algorithms: ['RS256', 'PS256'] }, 'RS256');
      const token = await new jose.SignJWT(claims())
        .setProtectedHeader(header({ alg: 'PS256' }))
        .sign(h.keys.signingKey.privateKey);
      expect(await refuse(token)).toBe('ERR_ALG_NOT_ALLOWED');
    });
  });

  describe('typ', () => {
    it.each([['JWT'], ['jwt'], ['application/jwt'], ['at+jwt '], [42], [null]])(
      'refuses typ %p',
      async (typ) => {
        expect(await refuse(h.sign({}, { header: { typ } }))).toBe('ERR_TYP_INVALID');
      },
    );

    it.each(['at+jwt', 'AT+JWT', 'At+Jwt', 'application/at+jwt', 'APPLICATION/AT+JWT'])(
      'accepts typ %p',
      async (typ) => {
        await expect(h.verifier.verify(h.sign({}, { header: { typ } }))).resolves.toBeDefined();
      },
    );
  });

  describe('kid', () => {
    it('refuses an unknown kid', async () => {
      expect(await refuse(h.sign({}, { header: { kid: 'no-such-kid' } }))).toBe('ERR_KID_UNKNOWN');
    });

    it.each([
      ['a missing', null],
      ['an empty', ''],
      ['a numeric', 42],
      ['an overlong', 'k'.repeat(257)],
    ])('refuses %s kid without asking the key source', async (_, kid) => {
      expect(await refuse(h.sign({}, { header: { kid } }))).toBe('ERR_KID_UNKNOWN');
      expect(h.source.getKeyCalls).toBe(0);
    });
  });

  describe('headers that carry their own key', () => {
    it.each([
      ['jku', 'http://127.0.0.1:9/jwks.json'],
      ['x5u', 'http://127.0.0.1:9/cert.pem'],
      ['x5c', ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA']],
      ['jwk', { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }],
    ])('refuses a token with %s', async (name, value) => {
      expect(await refuse(h.sign({}, { header: { [name]: value } }))).toBe('ERR_HEADER_FORBIDDEN');
      expect(h.source.getKeyCalls).toBe(0);
    });

    it.each([
      ['with the trusted kid', true],
      ['without a kid', false],
    ])('refuses a token signed by the key it embeds in jwk, %s', async (_, withKid) => {
      const attacker = await jose.generateKeyPair('ES256', { extractable: true });
      const jwk = await jose.exportJWK(attacker.publicKey);
      const protectedHeader = header({ jwk, kid: withKid ? h.keys.signingKey.kid : undefined });
      const token = await new jose.SignJWT(claims())
        .setProtectedHeader(protectedHeader as jose.JWTHeaderParameters)
        .sign(attacker.privateKey);
      expect(await refuse(token)).toBe('ERR_HEADER_FORBIDDEN');
    });
  });

  describe('crit', () => {
    it.each([[['exp']], [['b64']], [[]], ['exp'], [[1]], [{}]])('refuses crit %p', async (crit) => {
      expect(await refuse(h.sign({}, { header: { crit, b64: true, exp: 1 } }))).toBe(
        'ERR_CRIT_UNSUPPORTED',
      );
    });
  });

  describe('signature', () => {
    it('refuses a tampered payload (roles raised to admin, signature kept)', async () => {
      expect(
        await refuse(tamperPayload(h.sign({ roles: ['user'] }), (c) => (c.roles = ['admin']))),
      ).toBe('ERR_SIGNATURE_INVALID');
    });

    it('refuses a tampered header (signature kept)', async () => {
      const [, payload, signature] = h.sign().split('.');
      expect(await refuse(`${b64url(header({ extra: 1 }))}.${payload}.${signature}`)).toBe(
        'ERR_SIGNATURE_INVALID',
      );
    });

    it.each(['ES256', 'RS256'] as const)(
      'refuses a %s token with a flipped or truncated signature',
      async (alg) => {
        h = createVerifier({}, alg);
        const [input1, input2, signature] = h.sign().split('.');
        const flipped = Buffer.from(signature, 'base64url');
        flipped[5] ^= 0x01;
        expect(await refuse(`${input1}.${input2}.${flipped.toString('base64url')}`)).toBe(
          'ERR_SIGNATURE_INVALID',
        );
        const truncated = Buffer.from(signature, 'base64url').subarray(0, 32).toString('base64url');
        expect(await refuse(`${input1}.${input2}.${truncated}`)).toBe('ERR_SIGNATURE_INVALID');
      },
    );

    it('refuses a token signed by another key under the trusted kid', async () => {
      const attacker = await jose.generateKeyPair('ES256');
      const token = await new jose.SignJWT(claims())
        .setProtectedHeader(header())
        .sign(attacker.privateKey);
      expect(await refuse(token)).toBe('ERR_SIGNATURE_INVALID');
    });
  });
});
