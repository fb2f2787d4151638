import { loadAuthApiConfig } from '../src/config/auth-api.config';
import { PASSWORD, startAuthApi, type TestAuthApi, uniqueEmail } from './harness';

const LIMIT = 3;
const unknownLogin = { email: 'nobody@example.com', password: 'not a password' };

/**
 * Behind a reverse proxy every request comes from the proxy's address. TRUST_PROXY names the
 * proxies whose X-Forwarded-For tells the client's address instead, for the per-IP limit, the
 * sessions list and the audit log; a header from anyone else is ignored. (The test client
 * connects from 127.0.0.1.)
 */
describe('auth-api behind a reverse proxy (TRUST_PROXY)', () => {
  let behindProxy: TestAuthApi;
  let direct: TestAuthApi;

  beforeAll(async () => {
    behindProxy = await startAuthApi({
      TRUST_PROXY: '127.0.0.1',
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
    });
    direct = await startAuthApi({ RATE_LIMIT_PER_MINUTE: String(LIMIT) });
  });
  afterAll(async () => {
    await behindProxy?.close();
    await direct?.close();
  });

  const login = (api: TestAuthApi, forwardedFor: string) =>
    api.http().post('/auth/login').set('X-Forwarded-For', forwardedFor).send(unknownLogin);

  it('gives each forwarded client its own rate-limit budget', async () => {
    for (let i = 0; i < LIMIT; i++) await login(behindProxy, '203.0.113.1').expect(401);
    await login(behindProxy, '203.0.113.1').expect(429);
    // Another client behind the same proxy is not locked out by the first one.
    await login(behindProxy, '203.0.113.2').expect(401);
  });

  it('records the forwarded client address on the session', async () => {
    const email = uniqueEmail('proxied');
    await behindProxy
      .http()
      .post('/auth/register')
      .set('X-Forwarded-For', '198.51.100.7')
      .send({ email, password: PASSWORD })
      .expect(201);
    const tokens = await behindProxy
      .http()
      .post('/auth/login')
      .set('X-Forwarded-For', '198.51.100.7')
      .send({ email, password: PASSWORD })
      .expect(200);
    const sessions = await behindProxy
      .http()
      .get('/auth/sessions')
      .auth(tokens.body.access_token, { type: 'bearer' })
      .expect(200);
    expect(sessions.body).toEqual([expect.objectContaining({ ip: '198.51.100.7', current: true })]);
  });

  it('without TRUST_PROXY, a client cannot escape the limit by writing X-Forwarded-For', async () => {
    for (let i = 0; i < LIMIT; i++) await login(direct, `203.0.113.${10 + i}`).expect(401);
    await login(direct, '203.0.113.99').expect(429);
  });

  it('refuses TRUST_PROXY=true at start: it would let any client pick its address', () => {
    expect(() => loadAuthApiConfig({ TRUST_PROXY: 'true' })).toThrow(
      /^TRUST_PROXY="true" is invalid/,
    );
  });
});
