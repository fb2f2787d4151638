import { registerAndLogin, startAuthApi, type TestAuthApi } from './harness';

const ADMIN = { ADMIN_EMAIL: 'keys-admin@example.com', ADMIN_PASSWORD: 'admin-password-1' };

/** `GET /keys`: the signing keys' public facts for the console's keys page. */
describe('auth-api console: GET /keys', () => {
  let api: TestAuthApi;
  let admin: string;

  beforeAll(async () => {
    api = await startAuthApi({ ...ADMIN, ACCESS_TOKEN_TTL: '60' });
    admin = (
      await api
        .http()
        .post('/auth/login')
        .send({ email: ADMIN.ADMIN_EMAIL, password: ADMIN.ADMIN_PASSWORD })
        .expect(200)
    ).body.access_token;
  });
  afterAll(() => api.close());

  const list = () => api.http().get('/keys').auth(admin, { type: 'bearer' });

  it('lists kid, alg, state and dates, newest first, and nothing else', async () => {
    const res = await list().expect(200);
    expect(res.body).toEqual([
      {
        kid: expect.any(String),
        alg: 'ES256',
        state: 'next',
        createdAt: expect.any(String),
        activatedAt: null,
        retiredAt: null,
      },
      {
        kid: expect.any(String),
        alg: 'ES256',
        state: 'active',
        createdAt: expect.any(String),
        activatedAt: expect.any(String),
        retiredAt: null,
      },
    ]);
    expect(JSON.stringify(res.body)).not.toMatch(/PRIVATE|"d"|privateKey|publicJwk|enc:v1/);
    const jwks = (await api.http().get('/.well-known/jwks.json').expect(200)).body.keys
      .map((k: { kid: string }) => k.kid)
      .sort();
    expect(res.body.map((k: { kid: string }) => k.kid).sort()).toEqual(jwks);
  });

  it('shows a rotation: the next key becomes active, the active one retires, a new next key appears', async () => {
    const [next, active] = (await list().expect(200)).body;
    const rotated = await api
      .http()
      .post('/keys/rotate')
      .auth(admin, { type: 'bearer' })
      .expect(201);
    expect(rotated.body.kid).toBe(next.kid);
    const after = (await list().expect(200)).body;
    expect(after.map((k: { state: string }) => k.state)).toEqual(['next', 'active', 'retired']);
    expect(after[1]).toMatchObject({
      kid: next.kid,
      state: 'active',
      activatedAt: expect.any(String),
    });
    expect(after[2]).toMatchObject({
      kid: active.kid,
      state: 'retired',
      retiredAt: expect.any(String),
    });
  });

  it('is for admins only', async () => {
    const user = await registerAndLogin(api);
    const res = await api
      .http()
      .get('/keys')
      .auth(user.accessToken, { type: 'bearer' })
      .expect(403);
    expect(res.body.error).toBe('forbidden');
    await api.http().get('/keys').expect(401);
  });
});
