import { DataSource } from 'typeorm';

import { PASSWORD, registerAndLogin, type TestAuthApi, uniqueEmail } from './harness';
import { ADMIN, adminToken, startOAuthApi } from './oauth-harness';

describe('auth-api: the audit log', () => {
  let api: TestAuthApi;
  let admin: string;

  beforeAll(async () => {
    api = await startOAuthApi({ LOGIN_MAX_FAILURES: '2', REFRESH_REUSE_INTERVAL: '0' });
    admin = await adminToken(api);
  });
  afterAll(() => api.close());

  const events = async (query: Record<string, string> = {}) =>
    (
      await api
        .http()
        .get('/audit')
        .query(query)
        .auth(admin, { type: 'bearer' })
        .set('User-Agent', 'audit-reader')
        .expect(200)
    ).body;

  it('records the security events of a user with time, actor, subject, IP and user agent', async () => {
    const email = uniqueEmail('audited');
    const reg = await api
      .http()
      .post('/auth/register')
      .set('User-Agent', 'test-browser')
      .send({ email, password: PASSWORD })
      .expect(201);
    const userId = reg.body.id as string;
    await api.http().post('/auth/login').send({ email, password: 'wrong password' }).expect(401);
    const login = await api
      .http()
      .post('/auth/login')
      .set('User-Agent', 'test-browser')
      .send({ email, password: PASSWORD })
      .expect(200);
    const first = login.body.refresh_token as string;
    await api.http().post('/auth/refresh').send({ refresh_token: first }).expect(200);
    await api.http().post('/auth/refresh').send({ refresh_token: first }).expect(401); // reuse
    const relogin = await api
      .http()
      .post('/auth/login')
      .send({ email, password: PASSWORD })
      .expect(200);
    await api
      .http()
      .post('/auth/password')
      .auth(relogin.body.access_token, { type: 'bearer' })
      .send({ currentPassword: PASSWORD, newPassword: 'another password' })
      .expect(204);
    await api
      .http()
      .patch(`/users/${userId}`)
      .auth(admin, { type: 'bearer' })
      .send({ roles: ['editor'] })
      .expect(200);
    await api
      .http()
      .post('/auth/logout')
      .auth(relogin.body.access_token, { type: 'bearer' })
      .expect(204);

    const { items } = await events({ subject: userId, limit: '50' });
    const all: string[] = items.map((e: { type: string }) => e.type).reverse();
    // The verification mail goes out after the registration's answer, so its event has no fixed place.
    expect(all).toContain('email_verification.sent');
    const types = all.filter((type) => type !== 'email_verification.sent');
    expect(types).toEqual([
      'user.registered',
      'login.failed',
      'login.succeeded',
      'refresh.reuse_detected',
      'login.succeeded',
      'password.changed',
      'user.roles_changed',
      'session.logout',
    ]);
    const registered = items.find((e: { type: string }) => e.type === 'user.registered');
    expect(registered).toMatchObject({
      actorId: userId,
      subjectId: userId,
      ip: expect.any(String),
      userAgent: 'test-browser',
      at: expect.any(String),
    });
    const adminId = (await api.http().get('/auth/me').auth(admin, { type: 'bearer' })).body.id;
    expect(items.find((e: { type: string }) => e.type === 'user.roles_changed')).toMatchObject({
      actorId: adminId,
      details: { from: ['user'], to: ['editor'] },
    });
  });

  it('records lockouts, client creation and key rotation', async () => {
    const { id, email } = await registerAndLogin(api);
    for (let i = 0; i < 2; i += 1)
      await api.http().post('/auth/login').send({ email, password: 'nope nope' });
    expect((await events({ type: 'account.locked', subject: id })).items).toHaveLength(1);

    const client = await api
      .http()
      .post('/clients')
      .auth(admin, { type: 'bearer' })
      .send({ name: 'svc', scopes: ['a'] })
      .expect(201);
    expect((await events({ type: 'client.created', subject: client.body.client_id })).total).toBe(
      1,
    );
    const rotated = await api
      .http()
      .post('/keys/rotate')
      .auth(admin, { type: 'bearer' })
      .expect(201);
    expect((await events({ type: 'key.rotated', subject: rotated.body.kid })).total).toBe(1);
  });

  it('never stores a password, token or secret', async () => {
    const rows = await api.app.get(DataSource).query('SELECT * FROM audit_events');
    const dump = JSON.stringify(rows);
    for (const secret of [PASSWORD, 'another password', ADMIN.password, 'eyJ'])
      expect(dump).not.toContain(secret);
  });

  it('pages and filters, and validates its query', async () => {
    const page = await events({ limit: '2', offset: '1' });
    expect(page).toMatchObject({ offset: 1, limit: 2, total: expect.any(Number) });
    expect(page.items).toHaveLength(2);
    const since = new Date(Date.now() + 3_600_000).toISOString();
    expect((await events({ since })).items).toHaveLength(0);
    for (const query of [
      { type: 'made.up' },
      { limit: '0' },
      { since: 'yesterday' },
      { offset: '-1' },
      { extra: '1' },
    ]) {
      await api.http().get('/audit').query(query).auth(admin, { type: 'bearer' }).expect(400);
    }
  });

  it('is for admins only', async () => {
    const { accessToken } = await registerAndLogin(api);
    await api.http().get('/audit').auth(accessToken, { type: 'bearer' }).expect(403);
    await api.http().get('/audit').expect(401);
  });
});
