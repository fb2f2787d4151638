import { createPublicKey } from 'node:crypto';
import * as jose from 'jose';

import { InMemoryKeyStore } from './in-memory-key-store';
import { TestTokenFactory } from './test-token.factory';

describe(TestTokenFactory.name, () => {
  const keys = new InMemoryKeyStore('ES256');
  const tokens = new TestTokenFactory(keys, 'http://auth.test', 'test-api');
  const publicKey = createPublicKey(keys.signingKey.privateKey);

  it('signs an RFC 9068 access token with the store key, verifiable by jose', async () => {
    const { payload, protectedHeader } = await jose.jwtVerify(
      tokens.sign({ sub: 'u1', sid: 's1' }),
      publicKey,
      {
        issuer: 'http://auth.test',
        audience: 'test-api',
        typ: 'at+jwt',
      },
    );
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: keys.signingKey.kid });
    expect(payload).toMatchObject({
      sub: 'u1',
      sid: 's1',
      client_id: 'test-client',
      scope: '',
      roles: ['user'],
    });
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  it('overrides header members, and removes those set to null', () => {
    const token = tokens.sign({}, { header: { typ: null, kid: 'other', crit: ['x'] } });
    expect(jose.decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: 'other', crit: ['x'] });
  });

  it('omits claims and makes expired tokens on request', () => {
    const claims = jose.decodeJwt(tokens.sign({}, { omitClaims: ['sub', 'jti'], expiresIn: -10 }));
    expect(claims).not.toHaveProperty('sub');
    expect(claims).not.toHaveProperty('jti');
    expect(claims.exp! - claims.iat!).toBe(-10);
  });

  it('signs with the new key after a rotation', () => {
    const before = keys.signingKey.kid;
    const kid = keys.rotate();
    expect(kid).not.toBe(before);
    expect(jose.decodeProtectedHeader(tokens.sign()).kid).toBe(kid);
    expect(keys.hasKey(before)).toBe(true);
  });
});
