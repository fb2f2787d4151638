import { randomUUID } from 'node:crypto';
import * as jose from 'jose';

import {
  claimsOf,
  headerOf,
  PASSWORD,
  registerAndLogin,
  startAuthApi,
  type TestAuthApi,
} from './harness';

const ADMIN = { ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'admin-password-1' };
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

type User = Awaited<ReturnType<typeof registerAndLogin>>;

async function loginAdmin(api: TestAuthApi): Promise<string> {
  const res = await api
    .http()
    .post('/auth/login')
    .send({ email: ADMIN.ADMIN_EMAIL, password: ADMIN.ADMIN_PASSWORD })
    .expect(200);
  return res.body.access_token;
}

async function refreshed(api: TestAuthApi, refreshToken: string) {
  const res = await api
    .http()
    .post('/auth/refresh')
    .send({ refresh_token: refreshToken })
    .expect(200);
  return {
    accessToken: res.body.access_token as string,
    refreshToken: res.body.refresh_token as string,
  };
}

/** Verifies a token as an independent resource server would: jose over the served JWKS. */
async function verifyWithJose(api: TestAuthApi, token: string) {
  const jwks = await api.http().get('/.well-known/jwks.json').expect(200);
  return jose.jwtVerify(token, jose.createLocalJWKSet(jwks.body), {
    issuer: 'http://auth.test',
    audience: 'resource-api',
    typ: 'at+jwt',
    currentDate: new Date(api.clock.now()),
  });
}

describe('auth-api: user administration', () => {
  let api: TestAuthApi;
  let admin: string;
  let adminId: string;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    api = await startAuthApi(ADMIN);
    admin = await loginAdmin(api);
    adminId = claimsOf(admin).sub as string;
  });
  afterAll(() => api.close());

  /** A user promoted to `editor`, holding a token that says so. */
  async function editor(): Promise<User> {
    const user = await registerAndLogin(api);
    await api
      .http()
      .patch(`/users/${user.id}`)
      .set(bearer(admin))
      .send({ roles: ['editor'] })
      .expect(200);
    return { ...user, ...(await refreshed(api, user.refreshToken)) };
  }

  it('lists users with offset/limit paging', async () => {
    for (let i = 0; i < 3; i += 1) await registerAndLogin(api);
    const all = await api.http().get('/users').set(bearer(admin)).expect(200);
    expect(all.body).toMatchObject({ offset: 0, limit: 50, total: expect.any(Number) });
    expect(all.body.items).toHaveLength(all.body.total);
    expect(all.body.items.find((u: { id: string }) => u.id === adminId)).toEqual({
      id: adminId,
      email: ADMIN.ADMIN_EMAIL,
      roles: ['admin'],
      disabled: false,
      emailVerified: true,
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(all.body)).not.toMatch(/argon2|password|failed/i);

    const page = await api.http().get('/users?offset=1&limit=2').set(bearer(admin)).expect(200);
    expect(page.body).toMatchObject({ offset: 1, limit: 2, total: all.body.total });
    expect(page.body.items).toEqual(all.body.items.slice(1, 3));
    const beyond = await api
      .http()
      .get(`/users?offset=${all.body.total}`)
      .set(bearer(admin))
      .expect(200);
    expect(beyond.body.items).toEqual([]);
  });

  it.each(['limit=0', 'limit=201', 'offset=-1', 'limit=abc', 'offset=1.5', 'sort=email'])(
    'answers GET /users?%s with 400 validation_failed',
    async (query) => {
      const res = await api.http().get(`/users?${query}`).set(bearer(admin)).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'validation_failed' });
    },
  );

  it('shows one user, 404 for an unknown id and 400 for a non-UUID', async () => {
    const user = await registerAndLogin(api);
    const res = await api.http().get(`/users/${user.id}`).set(bearer(admin)).expect(200);
    expect(res.body).toEqual({
      id: user.id,
      email: user.email,
      roles: ['user'],
      disabled: false,
      emailVerified: false,
      createdAt: expect.any(String),
    });
    expect(
      (await api.http().get(`/users/${randomUUID()}`).set(bearer(admin)).expect(404)).body.error,
    ).toBe('not_found');
    expect(
      (await api.http().get('/users/not-a-uuid').set(bearer(admin)).expect(400)).body.error,
    ).toBe('validation_failed');
  });

  it('changes roles: the next refreshed token carries them, the old access token keeps the old ones', async () => {
    const user = await registerAndLogin(api);
    const res = await api
      .http()
      .patch(`/users/${user.id}`)
      .set(bearer(admin))
      .send({ roles: ['editor'] })
      .expect(200);
    expect(res.body.roles).toEqual(['editor']);

    expect(claimsOf(user.accessToken).roles).toEqual(['user']);
    await api.http().get('/auth/me').set(bearer(user.accessToken)).expect(200);
    const next = await refreshed(api, user.refreshToken);
    expect(claimsOf(next.accessToken).roles).toEqual(['editor']);
    expect(claimsOf(next.accessToken).sid).toBe(claimsOf(user.accessToken).sid);
  });

  it.each([
    [{ roles: ['superuser'] }, 'roles'],
    [{ roles: [] }, 'roles'],
    [{ roles: 'admin' }, 'roles'],
    [{ disabled: 'yes' }, 'disabled'],
    [{ email: 'x@example.com' }, 'email'],
    [{ roles: ['user'], passwordHash: 'x' }, 'passwordHash'],
  ])('answers PATCH %j with 400 validation_failed naming %s', async (body, field) => {
    const user = await registerAndLogin(api);
    const res = await api
      .http()
      .patch(`/users/${user.id}`)
      .set(bearer(admin))
      .send(body)
      .expect(400);
    expect(res.body.error).toBe('validation_failed');
    expect(res.body.fields.map((f: { field: string }) => f.field)).toContain(field);
  });

  it('answers an empty PATCH with 400 validation_failed', async () => {
    const user = await registerAndLogin(api);
    const res = await api.http().patch(`/users/${user.id}`).set(bearer(admin)).send({}).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'validation_failed' });
  });

  it('disabling a user ends their sessions at once and refuses their logins; enabling lets them back', async () => {
    const user = await registerAndLogin(api);
    const res = await api
      .http()
      .patch(`/users/${user.id}`)
      .set(bearer(admin))
      .send({ disabled: true })
      .expect(200);
    expect(res.body.disabled).toBe(true);

    expect(
      (
        await api
          .http()
          .post('/auth/refresh')
          .send({ refresh_token: user.refreshToken })
          .expect(401)
      ).body.error,
    ).toBe('invalid_grant');
    await api.http().get('/auth/me').set(bearer(user.accessToken)).expect(401);
    const login = await api
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: PASSWORD })
      .expect(401);
    expect(login.body.error).toBe('invalid_credentials');

    await api
      .http()
      .patch(`/users/${user.id}`)
      .set(bearer(admin))
      .send({ disabled: false })
      .expect(200);
    await api
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: PASSWORD })
      .expect(200);
  });

  it('deletes a user: 204, their refresh token and access token stop working, then 404', async () => {
    const user = await registerAndLogin(api);
    await api.http().delete(`/users/${user.id}`).set(bearer(admin)).expect(204);
    expect(
      (
        await api
          .http()
          .post('/auth/refresh')
          .send({ refresh_token: user.refreshToken })
          .expect(401)
      ).body.error,
    ).toBe('invalid_grant');
    await api.http().get('/auth/me').set(bearer(user.accessToken)).expect(401);
    await api.http().get(`/users/${user.id}`).set(bearer(admin)).expect(404);
    await api.http().delete(`/users/${user.id}`).set(bearer(admin)).expect(404);
    await api
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: PASSWORD })
      .expect(401);
  });

  it.each([
    ['demote', 'patch', { roles: ['editor'] }],
    ['disable', 'patch', { disabled: true }],
    ['delete', 'delete', undefined],
  ] as const)('does not let an admin %s themself (409)', async (_what, method, body) => {
    const http = api.http();
    const res = await http[method](`/users/${adminId}`).set(bearer(admin)).send(body).expect(409);
    expect(res.body).toEqual({
      statusCode: 409,
      error: 'self_lockout',
      message: expect.any(String),
    });
    const self = await api.http().get(`/users/${adminId}`).set(bearer(admin)).expect(200);
    expect(self.body).toMatchObject({ roles: ['admin'], disabled: false });
  });

  it('refuses every admin route to a user and an editor with 403 forbidden, and to no token with 401', async () => {
    const user = await registerAndLogin(api);
    const promoted = await editor();
    const target = `/users/${user.id}`;
    const routes = [
      (token?: string) =>
        api
          .http()
          .get('/users')
          .set(token ? bearer(token) : {}),
      (token?: string) =>
        api
          .http()
          .get(target)
          .set(token ? bearer(token) : {}),
      (token?: string) =>
        api
          .http()
          .patch(target)
          .set(token ? bearer(token) : {})
          .send({ roles: ['admin'] }),
      (token?: string) =>
        api
          .http()
          .delete(target)
          .set(token ? bearer(token) : {}),
      (token?: string) =>
        api
          .http()
          .post('/keys/rotate')
          .set(token ? bearer(token) : {}),
    ];
    for (const route of routes) {
      for (const token of [user.accessToken, promoted.accessToken]) {
        const res = await route(token).expect(403);
        expect(res.body).toEqual({
          statusCode: 403,
          error: 'forbidden',
          message: expect.any(String),
        });
      }
      const anonymous = await route().expect(401);
      expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="auth-api"');
    }
    const still = await api.http().get(target).set(bearer(admin)).expect(200);
    expect(still.body.roles).toEqual(['user']);
  });
});

describe('auth-api: signing keys, JWKS, metadata and health', () => {
  let api: TestAuthApi;

  beforeAll(async () => {
    api = await startAuthApi({ ...ADMIN, KEY_RELOAD_SECONDS: '5' });
  });
  afterAll(() => api.close());

  it('serves a cacheable JWKS of public keys only', async () => {
    const res = await api.http().get('/.well-known/jwks.json').expect(200);
    expect(res.headers['cache-control']).toMatch(/max-age=\d+/);
    expect(res.body.keys.length).toBeGreaterThan(0);
    for (const key of res.body.keys) {
      expect(key).toMatchObject({ kid: expect.any(String), kty: 'EC', alg: 'ES256', use: 'sig' });
      for (const member of PRIVATE_JWK_MEMBERS) expect(key).not.toHaveProperty(member);
    }
  });

  it('issues ES256 tokens that an independent verifier (jose over the JWKS) accepts', async () => {
    const user = await registerAndLogin(api);
    const { payload, protectedHeader } = await verifyWithJose(api, user.accessToken);
    expect(protectedHeader).toMatchObject({
      alg: 'ES256',
      typ: 'at+jwt',
      kid: headerOf(user.accessToken).kid,
    });
    expect(payload).toMatchObject({ sub: user.id, client_id: 'auth-api', roles: ['user'] });
  });

  it('publishes the metadata document with issuer and jwks_uri', async () => {
    const res = await api.http().get('/.well-known/oauth-authorization-server').expect(200);
    expect(res.body).toMatchObject({
      issuer: 'http://auth.test',
      jwks_uri: 'http://auth.test/.well-known/jwks.json',
    });
  });

  it('answers the health endpoints, naming database and signing key in readiness', async () => {
    await api.http().get('/health').expect(200);
    await api.http().get('/health/live').expect(200);
    const ready = await api.http().get('/health/ready').expect(200);
    const kid = headerOf((await registerAndLogin(api)).accessToken).kid;
    expect(ready.body.info).toMatchObject({
      database: { status: 'up' },
      signing_key: { status: 'up', kid },
    });
  });

  it('rotates keys: new tokens use the new kid, old tokens keep working, old key leaves the JWKS after expiry', async () => {
    const admin = await loginAdmin(api);
    const user = await registerAndLogin(api);
    const oldKid = headerOf(user.accessToken).kid;

    const rotated = await api
      .http()
      .post('/keys/rotate')
      .set('Authorization', `Bearer ${admin}`)
      .expect(201);
    expect(rotated.body).toEqual({ kid: expect.any(String) });
    expect(rotated.body.kid).not.toBe(oldKid);

    const fresh = await api
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: PASSWORD })
      .expect(200);
    expect(headerOf(fresh.body.access_token).kid).toBe(rotated.body.kid);
    expect(headerOf((await refreshed(api, user.refreshToken)).accessToken).kid).toBe(
      rotated.body.kid,
    );
    await api.http().get('/auth/me').auth(user.accessToken, { type: 'bearer' }).expect(200);
    const kids = (await api.http().get('/.well-known/jwks.json').expect(200)).body.keys.map(
      (k: { kid: string }) => k.kid,
    );
    expect(kids).toEqual(expect.arrayContaining([oldKid, rotated.body.kid]));
    await verifyWithJose(api, user.accessToken);
    await verifyWithJose(api, fresh.body.access_token);

    api.clock.advance((900 + 61 + 5) * 1000);
    const later = (await api.http().get('/.well-known/jwks.json').expect(200)).body.keys.map(
      (k: { kid: string }) => k.kid,
    );
    expect(later).toContain(rotated.body.kid);
    expect(later).not.toContain(oldKid);
    await api.http().get('/auth/me').auth(user.accessToken, { type: 'bearer' }).expect(401);
  });
});
