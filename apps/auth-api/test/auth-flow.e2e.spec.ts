import {
  claimsOf,
  headerOf,
  PASSWORD,
  registerAndLogin,
  startAuthApi,
  type TestAuthApi,
  uniqueEmail,
} from './harness';

describe('auth-api: register, login, refresh, logout', () => {
  let api: TestAuthApi;

  beforeAll(async () => {
    api = await startAuthApi({
      ADMIN_EMAIL: 'root@example.com',
      ADMIN_PASSWORD: 'root-password-1',
    });
  });
  afterAll(() => api.close());

  it('registers with a normalised email and answers the contract shape', async () => {
    const res = await api
      .http()
      .post('/auth/register')
      .send({ email: '  MiXeD@Example.COM ', password: PASSWORD })
      .expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      email: 'mixed@example.com',
      roles: ['user'],
      emailVerified: false,
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toContain('argon2');
  });

  it('answers 409 email_taken for a duplicate, whatever its case', async () => {
    const email = uniqueEmail();
    await api.http().post('/auth/register').send({ email, password: PASSWORD }).expect(201);
    const res = await api
      .http()
      .post('/auth/register')
      .send({ email: email.toUpperCase(), password: PASSWORD })
      .expect(409);
    expect(res.body).toEqual({
      statusCode: 409,
      error: 'email_taken',
      message: expect.any(String),
    });
  });

  it('gives one 201 and one 409 to racing registrations of one email', async () => {
    const email = uniqueEmail('race');
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        api.http().post('/auth/register').send({ email, password: PASSWORD }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
  });

  it.each([
    [{ email: 'not-an-email', password: PASSWORD }, 'email'],
    [{ email: uniqueEmail(), password: 'short' }, 'password'],
    [{ email: uniqueEmail(), password: 'x'.repeat(129) }, 'password'],
    [{ email: uniqueEmail(), password: 12345678 }, 'password'],
    [{ email: uniqueEmail(), password: PASSWORD, roles: ['admin'] }, 'roles'],
    [{ password: PASSWORD }, 'email'],
  ])('rejects %j with 400 validation_failed naming %s', async (body, field) => {
    const res = await api.http().post('/auth/register').send(body).expect(400);
    expect(res.body.error).toBe('validation_failed');
    expect(res.body.fields.map((f: { field: string }) => f.field)).toContain(field);
  });

  it('issues RFC 9068 access tokens with the contract claims and no-store', async () => {
    const email = uniqueEmail();
    const reg = await api
      .http()
      .post('/auth/register')
      .send({ email, password: PASSWORD })
      .expect(201);
    const res = await api
      .http()
      .post('/auth/login')
      .send({ email, password: PASSWORD })
      .expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43,}$/),
    });
    expect(headerOf(res.body.access_token)).toEqual({
      alg: 'ES256',
      typ: 'at+jwt',
      kid: expect.any(String),
    });
    const claims = claimsOf(res.body.access_token);
    expect(claims).toMatchObject({
      iss: 'http://auth.test',
      sub: reg.body.id,
      aud: 'resource-api',
      client_id: 'auth-api',
      scope: '',
      roles: ['user'],
    });
    expect(claims.exp).toBe((claims.iat as number) + 900);
    expect(typeof claims.jti).toBe('string');
    expect(typeof claims.sid).toBe('string');
  });

  it('answers unknown email and wrong password with the same 401 body', async () => {
    const { email } = await registerAndLogin(api);
    const wrong = await api
      .http()
      .post('/auth/login')
      .send({ email, password: 'wrong password' })
      .expect(401);
    const unknown = await api
      .http()
      .post('/auth/login')
      .send({ email: uniqueEmail('nobody'), password: 'wrong password' })
      .expect(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toEqual({
      statusCode: 401,
      error: 'invalid_credentials',
      message: expect.any(String),
    });
  });

  it('shows the user at /auth/me and refuses requests without a valid token', async () => {
    const user = await registerAndLogin(api);
    const me = await api
      .http()
      .get('/auth/me')
      .auth(user.accessToken, { type: 'bearer' })
      .expect(200);
    expect(me.body).toEqual({
      id: user.id,
      email: user.email,
      roles: ['user'],
      emailVerified: false,
      createdAt: expect.any(String),
    });
    const none = await api.http().get('/auth/me').expect(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="auth-api"');
    const bad = await api
      .http()
      .get('/auth/me')
      .set('Authorization', `Bearer ${user.accessToken}x`)
      .expect(401);
    expect(bad.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('rotates the refresh token and keeps the sid', async () => {
    const user = await registerAndLogin(api);
    const res = await api
      .http()
      .post('/auth/refresh')
      .send({ refresh_token: user.refreshToken })
      .expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.refresh_token).not.toBe(user.refreshToken);
    expect(claimsOf(res.body.access_token).sid).toBe(claimsOf(user.accessToken).sid);
  });

  it.each(['', 'garbage', 'A'.repeat(70), 'x'.repeat(600)])(
    'answers 4xx for refresh token %p',
    async (token) => {
      const res = await api.http().post('/auth/refresh').send({ refresh_token: token });
      expect([400, 401]).toContain(res.status);
    },
  );

  it('logout revokes the session: the access token and the refresh token stop working', async () => {
    const user = await registerAndLogin(api);
    await api
      .http()
      .post('/auth/logout')
      .auth(user.accessToken, { type: 'bearer' })
      .send({ refresh_token: user.refreshToken })
      .expect(204);
    await api.http().get('/auth/me').auth(user.accessToken, { type: 'bearer' }).expect(401);
    const res = await api
      .http()
      .post('/auth/refresh')
      .send({ refresh_token: user.refreshToken })
      .expect(401);
    expect(res.body.error).toBe('invalid_grant');
  });

  it('logout-all ends every session of the user', async () => {
    const user = await registerAndLogin(api);
    const second = await api
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: PASSWORD })
      .expect(200);
    await api
      .http()
      .post('/auth/logout-all')
      .auth(user.accessToken, { type: 'bearer' })
      .expect(204);
    await api
      .http()
      .post('/auth/refresh')
      .send({ refresh_token: second.body.refresh_token })
      .expect(401);
    await api.http().get('/auth/me').auth(second.body.access_token, { type: 'bearer' }).expect(401);
  });

  it('lists own sessions with the current one marked, and revokes one', async () => {
    const user = await registerAndLogin(api);
    const other = await api
      .http()
      .post('/auth/login')
      .set('User-Agent', 'second-device')
      .send({ email: user.email, password: PASSWORD })
      .expect(200);
    const list = await api
      .http()
      .get('/auth/sessions')
      .auth(user.accessToken, { type: 'bearer' })
      .expect(200);
    expect(list.body).toHaveLength(2);
    const current = list.body.find((s: { current: boolean }) => s.current);
    expect(current.id).toBe(claimsOf(user.accessToken).sid);
    const otherSid = claimsOf(other.body.access_token).sid as string;
    await api
      .http()
      .delete(`/auth/sessions/${otherSid}`)
      .auth(user.accessToken, { type: 'bearer' })
      .expect(204);
    await api
      .http()
      .post('/auth/refresh')
      .send({ refresh_token: other.body.refresh_token })
      .expect(401);
    await api
      .http()
      .delete(`/auth/sessions/${otherSid}`)
      .auth(user.accessToken, { type: 'bearer' })
      .expect(404);
    await api
      .http()
      .delete('/auth/sessions/not-a-uuid')
      .auth(user.accessToken, { type: 'bearer' })
      .expect(400);
  });

  it("cannot revoke another user's session", async () => {
    const alice = await registerAndLogin(api);
    const bob = await registerAndLogin(api);
    await api
      .http()
      .delete(`/auth/sessions/${claimsOf(bob.accessToken).sid}`)
      .auth(alice.accessToken, { type: 'bearer' })
      .expect(404);
    await api.http().post('/auth/refresh').send({ refresh_token: bob.refreshToken }).expect(200);
  });

  it('password change keeps the current session and revokes the others', async () => {
    const user = await registerAndLogin(api);
    const other = await api
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: PASSWORD })
      .expect(200);
    await api
      .http()
      .post('/auth/password')
      .auth(user.accessToken, { type: 'bearer' })
      .send({ currentPassword: 'wrong one', newPassword: 'a new password' })
      .expect(403);
    await api
      .http()
      .post('/auth/password')
      .auth(user.accessToken, { type: 'bearer' })
      .send({ currentPassword: PASSWORD, newPassword: 'a new password' })
      .expect(204);
    await api.http().get('/auth/me').auth(user.accessToken, { type: 'bearer' }).expect(200);
    await api.http().get('/auth/me').auth(other.body.access_token, { type: 'bearer' }).expect(401);
    await api
      .http()
      .post('/auth/refresh')
      .send({ refresh_token: other.body.refresh_token })
      .expect(401);
    await api
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: PASSWORD })
      .expect(401);
    await api
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: 'a new password' })
      .expect(200);
  });

  it('never returns a 5xx for malformed bodies', async () => {
    const bodies = [
      '{',
      'null',
      '[]',
      '"str"',
      '{"email":{"$gt":""},"password":"x"}',
      '{"__proto__":{"admin":true},"email":"a@b.c","password":"12345678"}',
    ];
    for (const body of bodies) {
      const res = await api
        .http()
        .post('/auth/login')
        .set('Content-Type', 'application/json')
        .send(body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    const huge = await api
      .http()
      .post('/auth/register')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(70 * 1024) }));
    expect(huge.status).toBe(413);
    expect(huge.body.error).toBe('payload_too_large');
  });
});
