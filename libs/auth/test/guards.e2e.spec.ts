import crypto from 'node:crypto';

import { Injectable } from '@nestjs/common';
import request from 'supertest';

import { JwtStrategy } from '../src/jwt.strategy';
import { type AdapterName, createTestApp, type TestApp } from './test-app';

describe.each<AdapterName>(['express', 'fastify'])('guards on %s', (adapter) => {
  let ctx: TestApp;
  const http = () => request(ctx.app.getHttpServer());

  beforeAll(async () => {
    ctx = await createTestApp(adapter);
  });
  afterAll(() => ctx.app.close());

  it('lets @Public() handlers through without a token', async () => {
    await http().get('/open').expect(200, { open: true });
  });

  it('honours @Public() on a class', async () => {
    await http().get('/public-class').expect(200);
  });

  it('answers 401 with a bare Bearer challenge when no token is sent', async () => {
    const res = await http().get('/me').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="test-api"');
    expect(res.body).toEqual({
      statusCode: 401,
      error: 'missing_token',
      message: expect.any(String),
    });
  });

  it('accepts a valid token and exposes the principal', async () => {
    const token = ctx.tokens.sign({ sub: 'u1', roles: ['editor'], scope: 'a b', sid: 's1' });
    const res = await http().get('/me').auth(token, { type: 'bearer' }).expect(200);
    expect(res.body).toEqual({ sub: 'u1', roles: ['editor'], scopes: ['a', 'b'], sid: 's1' });
  });

  it('answers 401 invalid_token for a bad token', async () => {
    const res = await http().get('/me').set('Authorization', 'Bearer abc.def.ghi').expect(401);
    expect(res.headers['www-authenticate']).toMatch(
      /^Bearer realm="test-api", error="invalid_token"/,
    );
    expect(res.body.error).toBe('invalid_token');
  });

  it('applies roles through the hierarchy', async () => {
    const user = ctx.tokens.sign({ roles: ['user'] });
    const editor = ctx.tokens.sign({ roles: ['editor'] });
    const admin = ctx.tokens.sign({ roles: ['admin'] });
    const res = await http().post('/articles').auth(user, { type: 'bearer' }).expect(403);
    expect(res.body).toEqual({ statusCode: 403, error: 'forbidden', message: expect.any(String) });
    expect(res.headers['www-authenticate']).toBeUndefined();
    await http().post('/articles').auth(editor, { type: 'bearer' }).expect(201);
    await http().post('/articles').auth(admin, { type: 'bearer' }).expect(201);
    await http().delete('/articles').auth(editor, { type: 'bearer' }).expect(403);
    await http().delete('/articles').auth(admin, { type: 'bearer' }).expect(200);
  });

  it('lets a method-level @Roles override the class-level one', async () => {
    const user = ctx.tokens.sign({ roles: ['user'] });
    await http().get('/admin-class').auth(user, { type: 'bearer' }).expect(403);
    await http().get('/admin-class/override').auth(user, { type: 'bearer' }).expect(200);
  });

  it('requires every scope listed in @Scopes()', async () => {
    const partial = ctx.tokens.sign({ scope: 'stats:read' });
    const full = ctx.tokens.sign({ scope: 'stats:list other stats:read' });
    const res = await http().get('/stats').auth(partial, { type: 'bearer' }).expect(403);
    expect(res.body.error).toBe('insufficient_scope');
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="test-api", error="insufficient_scope", error_description="requires scope stats:read stats:list", scope="stats:read stats:list"',
    );
    await http().get('/stats').auth(full, { type: 'bearer' }).expect(200);
  });
});

/**
 * A token seen before is answered from the verified-token cache, and a new one is checked
 * synchronously once its key is loaded, both without passport's per-request plumbing: each must
 * decide exactly as passport-jwt's strategy would, and no less strictly.
 */
describe.each<AdapterName>(['express', 'fastify'])('reused tokens on %s', (adapter) => {
  /** The verifier's clock runs ahead of the real one by `skew` milliseconds. */
  let skew = 0;
  const clock = { now: () => Date.now() + skew };
  let revoked = new Set<string>();
  let revocationChecks = 0;

  async function appWith(options: Parameters<typeof createTestApp>[1]): Promise<TestApp> {
    return createTestApp(adapter, { clock, clockToleranceSeconds: 0, ...options });
  }

  it('gives the same principal, roles and scopes the second time', async () => {
    const ctx = await appWith({});
    try {
      const http = () => request(ctx.app.getHttpServer());
      const token = ctx.tokens.sign({ sub: 'u2', roles: ['user'], scope: 'stats:read', sid: 's2' });
      const strategy = jest.spyOn(ctx.app.get(JwtStrategy), 'authenticate');
      const signatureChecks = jest.spyOn(crypto, 'verify');
      for (let i = 0; i < 3; i += 1) {
        await http()
          .get('/me')
          .auth(token, { type: 'bearer' })
          .expect(200, { sub: 'u2', roles: ['user'], scopes: ['stats:read'], sid: 's2' });
        // Roles and scopes are checked on every request, cached or not.
        await http().post('/articles').auth(token, { type: 'bearer' }).expect(403);
        const scoped = await http().get('/stats').auth(token, { type: 'bearer' }).expect(403);
        expect(scoped.body.error).toBe('insufficient_scope');
      }
      // One signature check: the other eight requests were cache hits. The guard decided
      // without going through passport, since the strategy is the library's own.
      expect(signatureChecks).toHaveBeenCalledTimes(1);
      expect(strategy).not.toHaveBeenCalled();
    } finally {
      jest.restoreAllMocks();
      await ctx.app.close();
    }
  });

  it("accepts the header's other spellings of a cached token, and refuses a forged copy of its signature", async () => {
    const ctx = await appWith({});
    try {
      const http = () => request(ctx.app.getHttpServer());
      const token = ctx.tokens.sign({ sub: 'u7', roles: ['user'] });
      await http().get('/me').auth(token, { type: 'bearer' }).expect(200);
      await http().get('/me').set('Authorization', `bearer ${token}`).expect(200);
      await http().get('/me').set('Authorization', `Bearer   ${token}  `).expect(200);
      const [header, , signature] = token.split('.');
      const raised = Buffer.from(
        JSON.stringify({
          ...JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()),
          roles: ['admin'],
        }),
      ).toString('base64url');
      const res = await http()
        .get('/me')
        .set('Authorization', `Bearer ${header}.${raised}.${signature}`)
        .expect(401);
      expect(res.body.error).toBe('invalid_token');
      await http().get('/me').set('Authorization', `Bearer ${token}x`).expect(401);
    } finally {
      await ctx.app.close();
    }
  });

  it('refuses a reused token once it has expired', async () => {
    skew = 0;
    const ctx = await appWith({});
    try {
      const http = () => request(ctx.app.getHttpServer());
      const token = ctx.tokens.sign({ sub: 'u3' }, { expiresIn: 60 });
      await http().get('/me').auth(token, { type: 'bearer' }).expect(200);
      skew = 61_000;
      const res = await http().get('/me').auth(token, { type: 'bearer' }).expect(401);
      expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    } finally {
      skew = 0;
      await ctx.app.close();
    }
  });

  it('refuses a reused token once its signing key has left the key set', async () => {
    const ctx = await appWith({});
    try {
      const http = () => request(ctx.app.getHttpServer());
      const token = ctx.tokens.sign({ sub: 'u4' });
      await http().get('/me').auth(token, { type: 'bearer' }).expect(200);
      const oldKid = ctx.keys.signingKey.kid;
      ctx.keys.rotate();
      ctx.keys.remove(oldKid);
      await http().get('/me').auth(token, { type: 'bearer' }).expect(401);
    } finally {
      await ctx.app.close();
    }
  });

  it('asks the revocation checker on every request, cached or not', async () => {
    revoked = new Set();
    revocationChecks = 0;
    const ctx = await appWith({
      revocationChecker: {
        isRevoked: async (principal) => {
          revocationChecks += 1;
          return revoked.has(principal.sessionId ?? '');
        },
      },
    });
    try {
      const http = () => request(ctx.app.getHttpServer());
      const token = ctx.tokens.sign({ sub: 'u5', sid: 'session-5' });
      await http().get('/me').auth(token, { type: 'bearer' }).expect(200);
      await http().get('/me').auth(token, { type: 'bearer' }).expect(200);
      expect(revocationChecks).toBe(2);
      revoked.add('session-5');
      const res = await http().get('/me').auth(token, { type: 'bearer' }).expect(401);
      expect(res.body.error).toBe('invalid_token');
    } finally {
      await ctx.app.close();
    }
  });
});

/** An app's own strategy under 'jwt' decides instead of the guard's direct path. */
@Injectable()
class AuditedJwtStrategy extends JwtStrategy {
  static seen = 0;

  override authenticate(request: Parameters<JwtStrategy['authenticate']>[0]): void {
    AuditedJwtStrategy.seen += 1;
    super.authenticate(request);
  }
}

describe.each<AdapterName>(['express', 'fastify'])(
  "a strategy of the app's own on %s",
  (adapter) => {
    it('goes through passport and that strategy for every request, accepted or refused', async () => {
      AuditedJwtStrategy.seen = 0;
      const ctx = await createTestApp(adapter, {}, [], [AuditedJwtStrategy]);
      try {
        const http = () => request(ctx.app.getHttpServer());
        const token = ctx.tokens.sign({ sub: 'u6', roles: ['user'] });
        await http().get('/me').auth(token, { type: 'bearer' }).expect(200);
        await http().get('/me').auth(token, { type: 'bearer' }).expect(200);
        const res = await http().get('/me').set('Authorization', 'Bearer abc.def.ghi').expect(401);
        expect(res.body.error).toBe('invalid_token');
        await http().get('/me').expect(401);
        await http().get('/open').expect(200);
        expect(AuditedJwtStrategy.seen).toBe(4);
      } finally {
        await ctx.app.close();
      }
    });
  },
);
