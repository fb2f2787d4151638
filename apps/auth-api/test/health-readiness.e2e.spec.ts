import { DataSource } from 'typeorm';

import { freePort, registerAndLogin, startAuthApi, type TestAuthApi } from './harness';

/**
 * Readiness decides whether a load balancer or Kubernetes sends traffic: it fails on what the
 * service cannot serve without (the database, a signing key), never on Redis, without which the
 * service keeps serving with per-instance rate limits.
 */
describe('auth-api: /health/ready with Redis down', () => {
  let api: TestAuthApi;

  beforeAll(async () => {
    // Nothing listens there: a Redis that is down.
    api = await startAuthApi({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
  });
  afterAll(() => api.close());

  it('answers 200 with status degraded and Redis named degraded, while logins still work', async () => {
    await registerAndLogin(api);
    const ready = await api.http().get('/health/ready').expect(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.details.redis).toEqual({ status: 'degraded', message: expect.any(String) });
    expect(ready.body.details.database).toMatchObject({ status: 'up' });
    expect(ready.body.details.signing_key).toMatchObject({ status: 'up' });
    expect(ready.body.error).toEqual({});
  });

  it('still answers 503 when the database is gone as well, naming the database only', async () => {
    await api.app.get(DataSource).destroy();
    const ready = await api.http().get('/health/ready').expect(503);
    expect(ready.body.status).toBe('error');
    expect(Object.keys(ready.body.error)).toEqual(['database']);
    expect(ready.body.details.redis.status).toBe('degraded');
  });
});
