import { Controller, Get, UseGuards } from '@nestjs/common';
import { createHmac, createPublicKey } from 'node:crypto';
import * as jose from 'jose';
import request from 'supertest';

import { CurrentUser, JwtAuthGuard, Roles, RolesGuard } from '../src';
import { type AdapterName, createTestApp, type TestApp } from './test-app';
import { NEIGHBOUR_ISSUER, NEIGHBOUR_KEY, neighbourIssuers } from './neighbour-issuers';
import { b64url, tamperPayload } from './verifier-harness';

type HostileToken = (ctx: TestApp) => string | Promise<string>;

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const now = () => Math.floor(Date.now() / 1000);
const claims = () => ({
  iss: 'http://auth.test',
  aud: 'test-api',
  sub: 'u1',
  iat: now(),
  exp: now() + 300,
});
const header = (ctx: TestApp, over: Record<string, unknown> = {}) => ({
  alg: 'ES256',
  typ: 'at+jwt',
  kid: ctx.keys.signingKey.kid,
  ...over,
});

const HOSTILE_TOKENS: Array<[string, HostileToken]> = [
  [
    'alg none, no signature',
    (ctx) => `${b64url(header(ctx, { alg: 'none' }))}.${b64url(claims())}.`,
  ],
  [
    'alg NoNe, with a signature',
    (ctx) => `${b64url(header(ctx, { alg: 'NoNe' }))}.${b64url(claims())}.c2ln`,
  ],
  [
    'HS256 keyed with the public key PEM',
    (ctx) => {
      const input = `${b64url(header(ctx, { alg: 'HS256' }))}.${b64url(claims())}`;
      const pem = createPublicKey(ctx.keys.signingKey.privateKey).export({
        format: 'pem',
        type: 'spki',
      });
      return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
    },
  ],
  ['typ JWT', (ctx) => ctx.tokens.sign({}, { header: { typ: 'JWT' } })],
  ['no typ', (ctx) => ctx.tokens.sign({}, { header: { typ: null } })],
  ['an unknown kid', (ctx) => ctx.tokens.sign({}, { header: { kid: 'no-such-key' } })],
  ['no kid', (ctx) => ctx.tokens.sign({}, { header: { kid: null } })],
  [
    'a jku header',
    (ctx) => ctx.tokens.sign({}, { header: { jku: 'http://127.0.0.1:9/jwks.json' } }),
  ],
  [
    'an x5u header',
    (ctx) => ctx.tokens.sign({}, { header: { x5u: 'http://127.0.0.1:9/cert.pem' } }),
  ],
  [
    'a jwk header holding the signing key',
    async (ctx) => {
      const attacker = await jose.generateKeyPair('ES256', { extractable: true });
      const jwk = await jose.exportJWK(attacker.publicKey);
      return new jose.SignJWT(claims())
        .setProtectedHeader(header(ctx, { jwk }) as jose.JWTHeaderParameters)
        .sign(attacker.privateKey);
    },
  ],
  ['an unknown crit', (ctx) => ctx.tokens.sign({}, { header: { crit: ['exp'], exp: 1 } })],
  ['an expired exp', (ctx) => ctx.tokens.sign({}, { expiresIn: -60 })],
  ['an nbf in the future', (ctx) => ctx.tokens.sign({ nbf: now() + 60 })],
  ['an iat in the future', (ctx) => ctx.tokens.sign({ iat: now() + 60 })],
  ['another issuer', (ctx) => ctx.tokens.sign({ iss: 'http://evil.test' })],
  ['another audience', (ctx) => ctx.tokens.sign({ aud: 'billing-api' })],
  ['no sub', (ctx) => ctx.tokens.sign({}, { omitClaims: ['sub'] })],
  ['no exp', (ctx) => ctx.tokens.sign({}, { omitClaims: ['exp'] })],
  [
    'roles that are not strings',
    (ctx) => ctx.tokens.sign({ roles: [{ name: 'admin' }] as unknown as string[] }),
  ],
  [
    'a tampered payload',
    (ctx) => tamperPayload(ctx.tokens.sign({ roles: ['user'] }), (c) => (c.roles = ['admin'])),
  ],
  ['a truncated signature', (ctx) => ctx.tokens.sign().slice(0, -10)],
  [
    // ES256 signatures end in one of A, Q, g, w; the next letter spells the same 64 bytes.
    'another spelling of the same signature',
    (ctx) => {
      const token = ctx.tokens.sign();
      return `${token.slice(0, -1)}${BASE64URL_ALPHABET[BASE64URL_ALPHABET.indexOf(token.at(-1)!) + 1]}`;
    },
  ],
  [
    'a signature by another key under the trusted kid',
    async (ctx) =>
      new jose.SignJWT(claims())
        .setProtectedHeader(header(ctx))
        .sign((await jose.generateKeyPair('ES256')).privateKey),
  ],
  ['more than 8 KiB', (ctx) => ctx.tokens.sign({ pad: 'x'.repeat(8192) })],
  ['three junk segments', () => 'abc.def.ghi'],
  ['two segments', (ctx) => ctx.tokens.sign().split('.').slice(0, 2).join('.')],
  ['four segments', (ctx) => `${ctx.tokens.sign()}.abc`],
  [
    'a header that is not JSON',
    (ctx) => `${b64url('{"alg"')}.${ctx.tokens.sign().split('.').slice(1).join('.')}`,
  ],
  [
    'a header that is a JSON array',
    (ctx) => `${b64url('[1]')}.${ctx.tokens.sign().split('.').slice(1).join('.')}`,
  ],
  [
    'a signed payload that is not JSON',
    (ctx) =>
      new jose.CompactSign(new TextEncoder().encode('{sub:u1}'))
        .setProtectedHeader(header(ctx))
        .sign(ctx.keys.signingKey.privateKey),
  ],
  ['characters outside base64url', (ctx) => `${ctx.tokens.sign().slice(0, -4)}+/+/`],
];

@Controller('manual')
class ManualGuardsController {
  @Get('open')
  open() {
    return { open: true };
  }

  @UseGuards(JwtAuthGuard, RolesGuard)
  @Roles('editor')
  @Get('editor')
  editor(@CurrentUser('sub') sub: string) {
    return { sub };
  }
}

/** Tokens that only exist with several issuers: each issuer's keys and rules stay its own. */
const CROSS_ISSUER_TOKENS: Array<[string, HostileToken]> = [
  ["a neighbour issuer's key and kid under the trusted iss", () => NEIGHBOUR_KEY.sign(claims())],
  [
    "the trusted key and kid under a neighbour's iss",
    (ctx) => ctx.tokens.sign({ iss: NEIGHBOUR_ISSUER }),
  ],
  [
    "the trusted key under a neighbour's iss, with typ JWT a neighbour accepts",
    (ctx) =>
      ctx.tokens.sign(
        { iss: 'http://127.0.0.1:9/realms/r', typ: 'Bearer' },
        { header: { typ: 'JWT', alg: 'ES256' } },
      ),
  ],
];

describe.each<[AdapterName, string]>([
  ['express', 'one issuer'],
  ['fastify', 'one issuer'],
  ['express', 'several issuers'],
  ['fastify', 'several issuers'],
])('hostile tokens on %s, %s', (adapter, issuers) => {
  let ctx: TestApp;
  const http = () => request(ctx.app.getHttpServer());
  const several = issuers === 'several issuers';

  beforeAll(async () => {
    ctx = await createTestApp(adapter, several ? { issuers: neighbourIssuers() } : {});
  });
  afterAll(() => ctx.app.close());

  it('accepts the well-formed token the table is built from', async () => {
    await http().get('/me').auth(ctx.tokens.sign(), { type: 'bearer' }).expect(200);
  });

  it.each(several ? [...HOSTILE_TOKENS, ...CROSS_ISSUER_TOKENS] : HOSTILE_TOKENS)(
    'answers 401 invalid_token to %s',
    async (_, build) => {
      const res = await http()
        .get('/me')
        .set('Authorization', `Bearer ${await build(ctx)}`)
        .expect(401);
      expect(res.headers['www-authenticate']).toMatch(
        /^Bearer realm="test-api", error="invalid_token"/,
      );
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        statusCode: 401,
        error: 'invalid_token',
        message: expect.any(String),
      });
    },
  );

  it.each([['Basic xxx'], ['Digest username="u"'], ['Token abc']])(
    'answers %p with the bare challenge: other schemes are no bearer credentials',
    async (authorization) => {
      const res = await http().get('/me').set('Authorization', authorization).expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="test-api"');
      expect(res.body).toEqual({
        statusCode: 401,
        error: 'missing_token',
        message: expect.any(String),
      });
    },
  );

  it.each([['Bearer'], ['Bearer a b'], ['Bearer "abc"']])(
    'answers %p as a malformed bearer token',
    async (authorization) => {
      const res = await http().get('/me').set('Authorization', authorization).expect(401);
      expect(res.headers['www-authenticate']).toMatch(
        /^Bearer realm="test-api", error="invalid_token"/,
      );
      expect(res.body).toEqual({
        statusCode: 401,
        error: 'invalid_token',
        message: expect.any(String),
      });
    },
  );

  it('never answers a token in the query string', async () => {
    const res = await http().get(`/me?access_token=${ctx.tokens.sign()}`).expect(401);
    expect(res.body.error).toBe('missing_token');
  });
});

describe.each<AdapterName>(['express', 'fastify'])('globalGuards: false on %s', (adapter) => {
  let ctx: TestApp;
  const http = () => request(ctx.app.getHttpServer());

  beforeAll(async () => {
    ctx = await createTestApp(adapter, { globalGuards: false }, [ManualGuardsController]);
  });
  afterAll(() => ctx.app.close());

  it('leaves routes without @UseGuards open, @Roles or not', async () => {
    await http().get('/manual/open').expect(200, { open: true });
    await http().post('/articles').expect(201);
  });

  it('enforces the token on routes with @UseGuards(JwtAuthGuard, RolesGuard)', async () => {
    const missing = await http().get('/manual/editor').expect(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="test-api"');
    const bad = await http()
      .get('/manual/editor')
      .set('Authorization', 'Bearer abc.def.ghi')
      .expect(401);
    expect(bad.body.error).toBe('invalid_token');
  });

  it('enforces roles through the hierarchy on those routes', async () => {
    const user = ctx.tokens.sign({ roles: ['user'] });
    const res = await http().get('/manual/editor').auth(user, { type: 'bearer' }).expect(403);
    expect(res.body).toEqual({ statusCode: 403, error: 'forbidden', message: expect.any(String) });
    const editor = ctx.tokens.sign({ sub: 'ed', roles: ['editor'] });
    await http().get('/manual/editor').auth(editor, { type: 'bearer' }).expect(200, { sub: 'ed' });
    const admin = ctx.tokens.sign({ sub: 'ad', roles: ['admin'] });
    await http().get('/manual/editor').auth(admin, { type: 'bearer' }).expect(200, { sub: 'ad' });
  });
});
