import { InMemoryKeyStore, TestTokenFactory } from '@jwt-token/auth/testing';

import { AUDIENCE, createHarness, ISSUER, type ResourceApiHarness } from './resource-api.harness';

describe('resource-api bearer token refusals', () => {
  let h: ResourceApiHarness;

  beforeAll(async () => {
    h = await createHarness();
    // A first good token loads the key set, as in production.
    await h.http().get('/me').auth(h.tokens.sign(), { type: 'bearer' }).expect(200);
  });
  afterAll(() => h.close());

  it.each([
    ['GET', '/me'],
    ['POST', '/articles'],
    ['DELETE', '/articles/00000000-0000-4000-8000-000000000000'],
    ['DELETE', '/articles'],
    ['GET', '/internal/stats'],
  ])('answers %s %s without a token with 401 and a bare Bearer challenge', async (method, path) => {
    const res = await h.http()[method.toLowerCase() as 'get' | 'post' | 'delete'](path).expect(401);
    expect(res.headers['www-authenticate']).toBe(`Bearer realm="${AUDIENCE}"`);
    expect(res.body).toEqual({
      statusCode: 401,
      error: 'missing_token',
      message: expect.any(String),
    });
  });

  it('treats another authorization scheme as no token', async () => {
    const res = await h.http().get('/me').set('Authorization', 'Basic dXNlcjpwYXNz').expect(401);
    expect(res.headers['www-authenticate']).toBe(`Bearer realm="${AUDIENCE}"`);
  });

  const other = new InMemoryKeyStore('ES256');
  const hostile: Array<[string, (h: ResourceApiHarness) => string]> = [
    ['garbage', () => 'abc.def.ghi'],
    ['an expired token', (h) => h.tokens.sign({}, { expiresIn: -60 })],
    ['a wrong issuer', (h) => new TestTokenFactory(h.keys, 'http://evil.test', AUDIENCE).sign()],
    ['a wrong audience', (h) => new TestTokenFactory(h.keys, ISSUER, 'auth-api').sign()],
    [
      'a key the issuer never published',
      () => new TestTokenFactory(other, ISSUER, AUDIENCE).sign(),
    ],
    [
      'a forged signature under a known kid',
      (h) =>
        new TestTokenFactory(other, ISSUER, AUDIENCE).sign(
          {},
          { header: { kid: h.keys.signingKey.kid } },
        ),
    ],
    ['alg "none"', (h) => h.tokens.sign({}, { header: { alg: 'none' } })],
    ['alg HS256', (h) => h.tokens.sign({}, { header: { alg: 'HS256' } })],
    ['typ JWT instead of at+jwt', (h) => h.tokens.sign({}, { header: { typ: 'JWT' } })],
    ['a missing sub', (h) => h.tokens.sign({}, { omitClaims: ['sub'] })],
    ['a jku header', (h) => h.tokens.sign({}, { header: { jku: 'http://127.0.0.1:9/keys' } })],
    ['more than 8 KiB', (h) => h.tokens.sign({ padding: 'x'.repeat(9000) })],
  ];

  it.each(hostile)('refuses %s with 401 invalid_token', async (_name, make) => {
    const res = await h.http().get('/me').auth(make(h), { type: 'bearer' }).expect(401);
    expect(res.body).toEqual({
      statusCode: 401,
      error: 'invalid_token',
      message: expect.any(String),
    });
    expect(res.headers['www-authenticate']).toMatch(
      new RegExp(`^Bearer realm="${AUDIENCE}", error="invalid_token"`),
    );
  });

  it('refuses a bad token even on a route that also checks roles', async () => {
    const forged = new TestTokenFactory(other, ISSUER, AUDIENCE).sign({ roles: ['admin'] });
    await h
      .http()
      .post('/articles')
      .auth(forged, { type: 'bearer' })
      .send({ title: 't', body: 'b' })
      .expect(401);
  });
});
