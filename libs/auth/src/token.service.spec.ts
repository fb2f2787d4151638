import { Test } from '@nestjs/testing';
import { createPublicKey } from 'node:crypto';
import * as jose from 'jose';

import { AuthError } from './auth.errors';
import { AuthModule } from './auth.module';
import type { AuthModuleOptions } from './interfaces/auth-module-options.interface';
import type { JwtAlgorithm } from './interfaces/jwt-algorithm';
import { InMemoryKeyStore } from './testing';
import { TokenService } from './token.service';

const ISSUER = 'http://auth.test';
const AUDIENCE = 'resource-api';

async function tokenService(options: Partial<AuthModuleOptions> & { keyStore?: InMemoryKeyStore }) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      AuthModule.forRoot({ issuer: ISSUER, audience: [AUDIENCE, 'other-api'], ...options }),
    ],
  }).compile();
  return moduleRef.get(TokenService);
}

describe(TokenService.name, () => {
  describe.each<JwtAlgorithm>(['ES256', 'RS256', 'PS256'])('with an %s key store', (alg) => {
    const keyStore = new InMemoryKeyStore(alg);
    const now = Math.floor(Date.now() / 1000) * 1000;
    let service: TokenService;

    beforeAll(async () => {
      service = await tokenService({ keyStore, algorithms: [alg], clock: { now: () => now } });
    });

    it('signs an RFC 9068 access token that jose verifies with the public key', async () => {
      const issued = await service.sign({
        sub: 'u1',
        clientId: 'web',
        roles: ['editor'],
        scope: ['articles:read', 'stats:read'],
        sessionId: 's1',
      });
      const publicKey = createPublicKey(keyStore.signingKey.privateKey);
      const { payload, protectedHeader } = await jose.jwtVerify(issued.token, publicKey, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [alg],
        typ: 'at+jwt',
        currentDate: new Date(now),
      });
      expect(protectedHeader).toEqual({ alg, typ: 'at+jwt', kid: keyStore.signingKey.kid });
      expect(payload).toEqual({
        iss: ISSUER,
        sub: 'u1',
        aud: AUDIENCE,
        iat: now / 1000,
        exp: now / 1000 + 900,
        jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
        client_id: 'web',
        scope: 'articles:read stats:read',
        roles: ['editor'],
        sid: 's1',
      });
      expect(issued).toEqual({ token: issued.token, expiresIn: 900, claims: payload });
    });

    it('verifies what it signs, with the guard rules', async () => {
      const { token } = await service.sign({
        sub: 'u1',
        clientId: 'web',
        roles: ['user'],
        scope: 'a b',
      });
      await expect(service.verify(token)).resolves.toMatchObject({
        sub: 'u1',
        roles: ['user'],
        scopes: ['a', 'b'],
        clientId: 'web',
      });
    });
  });

  describe('claims', () => {
    const keyStore = new InMemoryKeyStore();
    let service: TokenService;
    beforeAll(async () => {
      service = await tokenService({ keyStore, accessTokenTtlSeconds: 60 });
    });

    it('gives every token a fresh jti, no sid without a session, and empty scope and roles by default', async () => {
      const a = await service.sign({ sub: 'svc', clientId: 'svc' });
      const b = await service.sign({ sub: 'svc', clientId: 'svc' });
      expect(a.claims.jti).not.toBe(b.claims.jti);
      expect(a.claims).not.toHaveProperty('sid');
      expect(a.claims).toMatchObject({ scope: '', roles: [], exp: a.claims.iat + 60 });
      expect(a.expiresIn).toBe(60);
    });

    it('honours an audience and lifetime override', async () => {
      const issued = await service.sign({
        sub: 'u',
        clientId: 'c',
        audience: 'other-api',
        expiresInSeconds: 30,
      });
      expect(issued.claims).toMatchObject({ aud: 'other-api', exp: issued.claims.iat + 30 });
      await expect(service.verify(issued.token)).resolves.toBeDefined();
    });

    it('adds claims about the subject, which never replace a registered one', async () => {
      const issued = await service.sign({
        sub: 'u',
        clientId: 'c',
        claims: { email_verified: true, sub: 'someone-else', iss: 'http://evil.test' },
      });
      expect(issued.claims).toMatchObject({ email_verified: true, sub: 'u', iss: ISSUER });
      const principal = await service.verify(issued.token);
      expect(principal.claims.email_verified).toBe(true);
    });
  });

  it('signs with whichever key the store hands out, as the store rotates and reloads keys', async () => {
    const keyStore = new InMemoryKeyStore('ES256');
    const service = await tokenService({ keyStore });
    const input = { sub: 'u1', clientId: 'web' };
    const kidOf = (token: string) => jose.decodeProtectedHeader(token).kid;
    const publicKeyOf = (token: string) =>
      jose.importJWK(
        keyStore.toJwks().keys.find((k) => k.kid === kidOf(token)) as jose.JWK,
        'ES256',
      );

    const first = (await service.sign(input)).token;
    expect(kidOf(first)).toBe(keyStore.signingKey.kid);
    const firstKid = keyStore.signingKey.kid;
    const secondKid = keyStore.rotate();
    const second = (await service.sign(input)).token;
    expect(kidOf(second)).toBe(secondKid);
    // Signed with the new private key, not only labelled with its kid.
    await expect(jose.jwtVerify(second, await publicKeyOf(second))).resolves.toBeDefined();
    await expect(
      jose.jwtVerify(
        second,
        await jose.importJWK(
          keyStore.toJwks().keys.find((k) => k.kid === firstKid) as jose.JWK,
          'ES256',
        ),
      ),
    ).rejects.toThrow();

    // A store may hand out a new object for the same key on each reload; and a kid may be reused
    // with another key: each token is signed with the key it names.
    const active = keyStore.signingKey;
    jest.spyOn(keyStore, 'getSigningKey').mockImplementation(async () => ({ ...active }));
    const reloaded = (await service.sign(input)).token;
    await expect(jose.jwtVerify(reloaded, await publicKeyOf(reloaded))).resolves.toBeDefined();
    await expect(service.verify(first)).resolves.toMatchObject({ sub: 'u1' });
    await expect(service.verify(second)).resolves.toMatchObject({ sub: 'u1' });
    await expect(service.verify(reloaded)).resolves.toMatchObject({ sub: 'u1' });

    const other = new InMemoryKeyStore('ES256').signingKey;
    jest
      .spyOn(keyStore, 'getSigningKey')
      .mockImplementation(async () => ({ ...active, privateKey: other.privateKey }));
    const sameKidOtherKey = (await service.sign(input)).token;
    expect(kidOf(sameKidOtherKey)).toBe(active.kid);
    await expect(
      jose.jwtVerify(sameKidOtherKey, createPublicKey(other.privateKey)),
    ).resolves.toBeDefined();
  });

  it('refuses a token it signed once it has expired, like the guard', async () => {
    const clock = { ms: Date.now(), now: () => clock.ms };
    const service = await tokenService({ keyStore: new InMemoryKeyStore(), clock });
    const { token } = await service.sign({ sub: 'u1', clientId: 'web', expiresInSeconds: 60 });
    await expect(service.verify(token)).resolves.toBeDefined();
    clock.ms += 66_000;
    await expect(service.verify(token)).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' });
  });

  it('refuses a token from another key store', async () => {
    const service = await tokenService({ keyStore: new InMemoryKeyStore() });
    const other = await tokenService({ keyStore: new InMemoryKeyStore() });
    const { token } = await other.sign({ sub: 'u1', clientId: 'web' });
    const error = await service.verify(token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: 'ERR_KID_UNKNOWN' });
  });

  it('cannot sign in a module that only verifies, and says why', async () => {
    const keyStore = new InMemoryKeyStore();
    const service = await tokenService({
      publicKeys: [{ kid: keyStore.signingKey.kid, key: keyStore.toJwks().keys[0] }],
    });
    await expect(service.sign({ sub: 'u1', clientId: 'web' })).rejects.toThrow(
      'TokenService.sign needs the keyStore option',
    );
  });
});
