import { PASSWORD, registerAndLogin, startAuthApi, type TestAuthApi } from './harness';

describe('auth-api: /metrics', () => {
  describe('with METRICS_ENABLED=true', () => {
    let api: TestAuthApi;

    beforeAll(async () => {
      api = await startAuthApi({
        METRICS_ENABLED: 'true',
        LOGIN_MAX_FAILURES: '1',
        ADMIN_EMAIL: 'metrics-admin@example.com',
        ADMIN_PASSWORD: 'metrics-admin-pw',
      });
    });
    afterAll(() => api.close());

    it('serves Prometheus text with request latency by route and the security counters', async () => {
      const user = await registerAndLogin(api);
      await api.http().get('/auth/me').auth(user.accessToken, { type: 'bearer' }).expect(200);
      await api.http().get('/auth/me').auth(user.accessToken, { type: 'bearer' }).expect(200);
      await api.http().get('/auth/me').set('Authorization', 'Bearer a.b.c').expect(401);
      await api.http().post('/auth/refresh').send({ refresh_token: user.refreshToken }).expect(200);
      await api
        .http()
        .post('/auth/login')
        .send({ email: user.email, password: 'wrong password' })
        .expect(401);
      await api
        .http()
        .post('/auth/login')
        .send({ email: user.email, password: PASSWORD })
        .expect(429);
      await api
        .http()
        .post('/auth/logout-all')
        .auth(user.accessToken, { type: 'bearer' })
        .expect(204);
      const admin = await api
        .http()
        .post('/auth/login')
        .send({ email: 'metrics-admin@example.com', password: 'metrics-admin-pw' })
        .expect(200);
      await api
        .http()
        .post('/keys/rotate')
        .auth(admin.body.access_token, { type: 'bearer' })
        .expect(201);

      const res = await api.http().get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      const text = res.text;
      expect(text).toMatch(
        /http_request_duration_seconds_bucket\{[^}]*method="POST",route="\/auth\/login",status="200"/,
      );
      expect(text).toMatch(/auth_logins_total\{result="success"\} [1-9]/);
      expect(text).toMatch(/auth_logins_total\{result="failure"\} [1-9]/);
      expect(text).toMatch(/auth_logins_total\{result="locked"\} [1-9]/);
      expect(text).toMatch(/auth_tokens_issued_total\{grant="password"\} [1-9]/);
      expect(text).toMatch(/auth_tokens_issued_total\{grant="refresh_token"\} [1-9]/);
      expect(text).toMatch(/auth_sessions_revoked_total\{reason="logout_all"\} [1-9]/);
      expect(text).toMatch(/auth_key_rotations_total [1-9]/);
      // The library's own counter: every app using @jwt-token/auth gets it.
      expect(text).toMatch(/jwt_auth_verifications_total\{outcome="verified",code=""\} [1-9]/);
      expect(text).toMatch(
        /jwt_auth_verifications_total\{outcome="rejected",code="ERR_TOKEN_MALFORMED"\} [1-9]/,
      );
      // Route patterns, never raw URLs (no unbounded label values).
      expect(text).not.toContain(user.id);
    });
  });

  it('is not served unless METRICS_ENABLED=true', async () => {
    const api = await startAuthApi();
    try {
      await api.http().get('/metrics').expect(404);
    } finally {
      await api.close();
    }
  });
});
