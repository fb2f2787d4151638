import { AuditService } from '../src/audit/audit.service';
import { claimsOf, PASSWORD, startAuthApi, type TestAuthApi, uniqueEmail } from './harness';
import { ConsoleBrowser, CSRF_COOKIE, REFRESH_COOKIE, setCookie } from './console-cookies';

const SECOND = 1000;
const REFRESH_TOKEN_TTL = 3600;
const ADMIN = { ADMIN_EMAIL: 'console-admin@example.com', ADMIN_PASSWORD: 'admin-password-1' };

describe('auth-api console: the cookie session (sign in, refresh, sign out)', () => {
  let api: TestAuthApi;

  beforeAll(async () => {
    api = await startAuthApi({
      ...ADMIN,
      REFRESH_REUSE_INTERVAL: '10',
      REFRESH_TOKEN_TTL: String(REFRESH_TOKEN_TTL),
    });
  });
  afterAll(() => api.close());

  async function registered(): Promise<{ email: string; id: string }> {
    const email = uniqueEmail('console');
    const res = await api
      .http()
      .post('/auth/register')
      .send({ email, password: PASSWORD })
      .expect(201);
    return { email, id: res.body.id };
  }

  /** A browser that opened the console and signed in. */
  async function signedIn() {
    const user = await registered();
    const browser = new ConsoleBrowser(api);
    await browser.open();
    const res = await browser.login(user.email, PASSWORD);
    expect(res.status).toBe(200);
    return { ...user, browser, accessToken: res.body.access_token as string };
  }

  const me = (token: string) => api.http().get('/auth/me').auth(token, { type: 'bearer' });

  describe('sign in', () => {
    it('sets the refresh token in an HttpOnly; Secure; SameSite=Strict cookie scoped to /console/session and answers only the access token', async () => {
      const user = await registered();
      const browser = new ConsoleBrowser(api);
      const page = await browser.open();
      const preSession = setCookie(page, CSRF_COOKIE)!;
      expect(preSession.attributes).toEqual(['Path=/console', 'Secure', 'SameSite=Strict']);

      const res = await browser
        .post('/console/session', { email: user.email, password: PASSWORD })
        .expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(Object.keys(res.body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
      expect(res.body.token_type).toBe('Bearer');
      expect(JSON.stringify(res.body)).not.toContain(setCookie(res, REFRESH_COOKIE)!.value);

      const refresh = setCookie(res, REFRESH_COOKIE)!;
      expect(refresh.value).toMatch(/^[A-Za-z0-9_-]{70}$/);
      expect(refresh.attributes).toEqual([
        'Path=/console/session',
        `Max-Age=${REFRESH_TOKEN_TTL}`,
        'HttpOnly',
        'Secure',
        'SameSite=Strict',
      ]);
      const csrf = setCookie(res, CSRF_COOKIE)!;
      expect(preSession.value).toMatch(/^p-[\w-]{43}$/);
      expect(csrf.value).toMatch(/^s-[\w-]{43}$/);
      expect(csrf.attributes).toEqual([
        'Path=/console',
        `Max-Age=${REFRESH_TOKEN_TTL}`,
        'Secure',
        'SameSite=Strict',
      ]);

      const profile = await me(res.body.access_token).expect(200);
      expect(profile.body.email).toBe(user.email);
      expect(claimsOf(res.body.access_token)).toMatchObject({
        sub: user.id,
        sid: expect.any(String),
        client_id: 'auth-api',
      });
    });

    it('keeps the console page itself free of the refresh cookie (its path is /console/session only)', async () => {
      const { browser } = await signedIn();
      expect(browser.cookieHeader('/console').Cookie).not.toContain(REFRESH_COOKIE);
      expect(browser.cookieHeader('/console/session/refresh').Cookie).toContain(REFRESH_COOKIE);
    });

    it('answers a wrong password with 401 invalid_credentials and sets no session cookie', async () => {
      const user = await registered();
      const browser = new ConsoleBrowser(api);
      await browser.open();
      const res = await browser
        .post('/console/session', { email: user.email, password: 'wrong password!' })
        .expect(401);
      expect(res.body.error).toBe('invalid_credentials');
      expect(setCookie(res, REFRESH_COOKIE)).toBeUndefined();
    });

    it.each([
      ['without the X-CSRF-Token header', { 'X-CSRF-Token': undefined }],
      ['with a token that differs from the cookie', { 'X-CSRF-Token': 'A'.repeat(43) }],
      ['without the CSRF cookie', { Cookie: undefined }],
      ['from another origin', { Origin: 'https://evil.example' }],
      ['from an opaque origin', { Origin: 'null' }],
      ['when the browser says cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
      ['when the browser says same-site (a sibling subdomain)', { 'Sec-Fetch-Site': 'same-site' }],
    ])('refuses 403 csrf_failed %s, before checking the password', async (_case, overrides) => {
      const user = await registered();
      const browser = new ConsoleBrowser(api);
      await browser.open();
      const res = await browser
        .post('/console/session', { email: user.email, password: PASSWORD }, overrides)
        .expect(403);
      expect(res.body).toEqual({
        statusCode: 403,
        error: 'csrf_failed',
        message: expect.any(String),
      });
      expect(setCookie(res, REFRESH_COOKIE)).toBeUndefined();
    });

    it('accepts a request whose Origin is the Host it was sent to', async () => {
      const user = await registered();
      const browser = new ConsoleBrowser(api);
      await browser.open();
      const host = 'console.example:8443';
      const res = await api
        .http()
        .post('/console/session')
        .set({ ...browser.headers('/console/session'), Host: host, Origin: `https://${host}` })
        .send({ email: user.email, password: PASSWORD });
      expect(res.status).toBe(200);
      const other = await api
        .http()
        .post('/console/session')
        .set({
          ...browser.headers('/console/session'),
          Host: host,
          Origin: 'https://console.example:9443',
        })
        .send({ email: user.email, password: PASSWORD });
      expect(other.status).toBe(403);
    });
  });

  describe('refresh', () => {
    it('rotates the refresh cookie and keeps the sid; the CSRF token stays bound to the session', async () => {
      const { browser, accessToken } = await signedIn();
      const first = browser.refresh!;
      const csrf = browser.csrf;
      const res = await browser.refreshSession();
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(Object.keys(res.body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
      expect(browser.refresh).toMatch(/^[A-Za-z0-9_-]{70}$/);
      expect(browser.refresh).not.toBe(first);
      expect(setCookie(res, REFRESH_COOKIE)!.attributes).toEqual([
        'Path=/console/session',
        `Max-Age=${REFRESH_TOKEN_TTL}`,
        'HttpOnly',
        'Secure',
        'SameSite=Strict',
      ]);
      expect(browser.csrf).toBe(csrf);
      expect(claimsOf(res.body.access_token).sid).toBe(claimsOf(accessToken).sid);
      await me(res.body.access_token).expect(200);
    });

    it.each([
      ['without the X-CSRF-Token header', { 'X-CSRF-Token': undefined }],
      ['with a token that differs from the cookie', { 'X-CSRF-Token': 'B'.repeat(43) }],
      ['with a wrong Origin', { Origin: 'https://evil.example' }],
      ['when the browser says cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ])('refuses 403 %s and leaves the session alone', async (_case, overrides) => {
      const { browser } = await signedIn();
      const before = browser.refresh;
      const res = await browser.refreshSession(overrides);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('csrf_failed');
      expect(setCookie(res, REFRESH_COOKIE)).toBeUndefined();
      // Nothing was rotated: the same cookie still refreshes once the request is genuine.
      expect(browser.refresh).toBe(before);
      expect((await browser.refreshSession()).status).toBe(200);
    });

    it('refuses 403 a planted CSRF pair that matches itself but was not issued for this session', async () => {
      const { browser } = await signedIn();
      const planted = 'C'.repeat(43);
      const res = await browser.refreshSession({
        'X-CSRF-Token': planted,
        Cookie: `${REFRESH_COOKIE}=${browser.refresh}; ${CSRF_COOKIE}=${planted}`,
      });
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('csrf_failed');
    });

    it('answers 401 invalid_grant without a refresh cookie, and with a forged one', async () => {
      const browser = new ConsoleBrowser(api);
      await browser.open();
      const missing = await browser.refreshSession();
      expect(missing.status).toBe(401);
      expect(missing.body.error).toBe('invalid_grant');

      const { browser: other } = await signedIn();
      const forged = `${other.refresh!.slice(0, 40)}${other.refresh![40] === 'A' ? 'B' : 'A'}${other.refresh!.slice(41)}`;
      other.refresh = forged;
      const res = await other.refreshSession();
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_grant');
      expect(setCookie(res, REFRESH_COOKIE)!.attributes).toContain('Max-Age=0');
    });

    it('applies the reuse rules: a rotated cookie replayed within the interval gets the current token, later it revokes the session', async () => {
      const { browser, accessToken } = await signedIn();
      const first = browser.refresh!;
      const csrf = browser.csrf;
      await browser.refreshSession();
      const second = browser.refresh!;

      // Racing tabs: the old cookie within REFRESH_REUSE_INTERVAL gets the session's current token.
      api.clock.advance(5 * SECOND);
      browser.refresh = first;
      const replay = await browser.refreshSession();
      expect(replay.status).toBe(200);
      expect(browser.refresh).toBe(second);
      expect(claimsOf(replay.body.access_token).sid).toBe(claimsOf(accessToken).sid);

      // Later: reuse detected, the whole session is revoked and the cookie cleared.
      api.clock.advance(11 * SECOND);
      browser.refresh = first;
      const reuse = await browser.refreshSession();
      expect(reuse.status).toBe(401);
      expect(reuse.body.error).toBe('invalid_grant');
      const cleared = setCookie(reuse, REFRESH_COOKIE)!;
      expect(cleared.value).toBe('');
      expect(cleared.attributes).toEqual([
        'Path=/console/session',
        'Max-Age=0',
        'HttpOnly',
        'Secure',
        'SameSite=Strict',
      ]);

      // The newest cookie of the family is dead too (sent with the session's own CSRF token).
      browser.refresh = second;
      browser.csrf = csrf;
      expect((await browser.refreshSession()).status).toBe(401);
      await me(replay.body.access_token).expect(401);
    });

    it('serves 20 racing refreshes of one cookie with exactly one rotation', async () => {
      const { browser } = await signedIn();
      const results = await Promise.all(
        Array.from({ length: 20 }, () => browser.post('/console/session/refresh')),
      );
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(new Set(results.map((r) => setCookie(r, REFRESH_COOKIE)!.value)).size).toBe(1);
    });

    it('refuses a refresh for a disabled user and clears the cookie', async () => {
      const { browser, id } = await signedIn();
      const admin = (
        await api
          .http()
          .post('/auth/login')
          .send({ email: ADMIN.ADMIN_EMAIL, password: ADMIN.ADMIN_PASSWORD })
          .expect(200)
      ).body.access_token;
      await api
        .http()
        .patch(`/users/${id}`)
        .auth(admin, { type: 'bearer' })
        .send({ disabled: true })
        .expect(200);
      const res = await browser.refreshSession();
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_grant');
      expect(browser.refresh).toBeUndefined();
    });
  });

  describe('sign out', () => {
    it('revokes the session and clears the cookie with the same attributes', async () => {
      const { browser, accessToken } = await signedIn();
      const cookie = browser.refresh!;
      const csrf = browser.csrf;
      const res = await browser.logout();
      expect(res.status).toBe(204);
      const cleared = setCookie(res, REFRESH_COOKIE)!;
      expect(cleared.value).toBe('');
      expect(cleared.attributes).toEqual([
        'Path=/console/session',
        'Max-Age=0',
        'HttpOnly',
        'Secure',
        'SameSite=Strict',
      ]);
      // The sign-in form gets a fresh, unbound CSRF token.
      expect(setCookie(res, CSRF_COOKIE)!.attributes).toEqual([
        'Path=/console',
        'Secure',
        'SameSite=Strict',
      ]);

      await me(accessToken).expect(401);
      browser.refresh = cookie;
      browser.csrf = csrf;
      expect((await browser.refreshSession()).status).toBe(401);

      const audit = await api.app
        .get(AuditService)
        .list({ offset: 0, limit: 5, type: 'session.logout' });
      expect(audit.items[0]).toMatchObject({
        type: 'session.logout',
        subjectId: claimsOf(accessToken).sub,
        details: { sessionId: claimsOf(accessToken).sid },
      });
    });

    it.each([
      ['without the X-CSRF-Token header', { 'X-CSRF-Token': undefined }],
      ['from another origin', { Origin: 'https://evil.example' }],
    ])('refuses 403 %s and keeps the session', async (_case, overrides) => {
      const { browser, accessToken } = await signedIn();
      const res = await browser.logout(overrides);
      expect(res.status).toBe(403);
      expect(setCookie(res, REFRESH_COOKIE)).toBeUndefined();
      await me(accessToken).expect(200);
      expect((await browser.refreshSession()).status).toBe(200);
    });

    it('answers 204 and clears the cookie when there is no session to end', async () => {
      const browser = new ConsoleBrowser(api);
      await browser.open();
      const res = await browser.logout();
      expect(res.status).toBe(204);
      expect(setCookie(res, REFRESH_COOKIE)!.attributes).toContain('Max-Age=0');
    });
  });
});
