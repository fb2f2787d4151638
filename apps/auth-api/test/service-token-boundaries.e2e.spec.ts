import type { TestAuthApi } from './harness';
import {
  adminToken,
  clientToken,
  createClient,
  startOAuthApi,
  type TestClient,
} from './oauth-harness';

describe('auth-api: where service tokens and OAuth errors end', () => {
  let api: TestAuthApi;
  let client: TestClient;
  let serviceToken: string;

  beforeAll(async () => {
    api = await startOAuthApi({ RATE_LIMIT_PER_MINUTE: '1000' });
    client = await createClient(api);
    serviceToken = await clientToken(api, client);
  });
  afterAll(() => api.close());

  it.each([
    ['get', '/auth/me'],
    ['get', '/auth/sessions'],
    ['post', '/auth/logout'],
    ['post', '/auth/logout-all'],
    ['delete', '/auth/sessions/00000000-0000-4000-8000-000000000000'],
    ['post', '/auth/password'],
  ] as const)(
    'refuses a service token on the account endpoint %s %s with 403 user_token_required',
    async (method, path) => {
      const http = api.http();
      const res = await http[method](path)
        .auth(serviceToken, { type: 'bearer' })
        .send({ currentPassword: 'x', newPassword: 'long enough' });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        statusCode: 403,
        error: 'user_token_required',
        message: expect.any(String),
      });
    },
  );

  it('keeps the OAuth error shape for errors raised before the handler', async () => {
    const brokenJson = await api
      .http()
      .post('/oauth/token')
      .set('Content-Type', 'application/json')
      .send('{');
    expect(brokenJson.status).toBe(400);
    expect(brokenJson.body).toEqual({
      error: 'invalid_request',
      error_description: expect.any(String),
    });
    expect(brokenJson.headers['cache-control']).toBe('no-store');

    const wrongType = await api
      .http()
      .post('/oauth/introspect')
      .set('Content-Type', 'application/xml')
      .send('<a/>');
    expect(wrongType.status).toBe(415);
    expect(wrongType.body).toEqual({
      error: 'invalid_request',
      error_description: expect.any(String),
    });
  });

  it('keeps the contract shape for the same error elsewhere', async () => {
    const res = await api
      .http()
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send('{');
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'invalid_json',
      message: expect.any(String),
    });
  });

  it('shows a new client secret with Cache-Control: no-store', async () => {
    const res = await api
      .http()
      .post('/clients')
      .auth(await adminToken(api), { type: 'bearer' })
      .send({ name: 'n', scopes: [] })
      .expect(201);
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

describe('auth-api: PATCH /users/:id with null fields', () => {
  let api: TestAuthApi;

  beforeAll(async () => {
    api = await startOAuthApi();
  });
  afterAll(() => api.close());

  it.each([{ disabled: null }, { roles: null }, { roles: null, disabled: null }])(
    'answers %j with 400 validation_failed, never 500',
    async (body) => {
      const admin = await adminToken(api);
      const user = await api
        .http()
        .post('/auth/register')
        .send({
          email: `null-${Date.now()}-${Math.random()}@example.com`,
          password: 'long enough pw',
        })
        .expect(201);
      const res = await api
        .http()
        .patch(`/users/${user.body.id}`)
        .auth(admin, { type: 'bearer' })
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('validation_failed');
    },
  );
});
