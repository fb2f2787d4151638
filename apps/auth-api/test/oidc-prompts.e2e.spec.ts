import * as oidc from 'openid-client';

import { freePort, PASSWORD, type TestAuthApi, uniqueEmail } from './harness';
import { adminToken, startOAuthApi } from './oauth-harness';
import { FormBrowser } from './oidc-browser';

const REDIRECT = 'https://app.example/cb';

/**
 * The authorization endpoint's decisions, browserless: prompt, max_age and auth_time, consent
 * (deny, CSRF, remembered and revoked), client binding of refresh tokens, UserInfo by form body.
 */
describe('auth-api OpenID Provider: prompts, consent and client binding', () => {
  let api: TestAuthApi;
  let issuer: string;
  let admin: string;
  let email: string;
  let clientId: string;
  let config: oidc.Configuration;

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    api = await startOAuthApi({ AUTH_ISSUER: issuer, PORT: String(port) });
    await api.app.listen(port, '127.0.0.1');
    admin = await adminToken(api);
    email = uniqueEmail('prompts');
    await api.http().post('/auth/register').send({ email, password: PASSWORD }).expect(201);
    clientId = (await register({ token_endpoint_auth_method: 'none' })).client_id;
    config = await oidc.discovery(new URL(issuer), clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
  });

  afterAll(() => api.close());

  async function register(metadata: Record<string, unknown>) {
    const res = await api
      .http()
      .post('/clients')
      .auth(admin, { type: 'bearer' })
      .send({ name: 'Prompt app', redirect_uris: [REDIRECT], ...metadata });
    expect(res.status).toBe(201);
    return res.body as { client_id: string };
  }

  async function authorizeUrl(extra: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'st',
      ...extra,
    });
    return { url, verifier };
  }

  const location = (res: Response) => new URL(res.headers.get('location')!);

  /** Signs in through the login page and allows; returns the callback URL. */
  async function signIn(browser: FormBrowser, url: URL): Promise<URL> {
    const login = await browser.get(url.href);
    expect(login.status).toBe(200);
    let res = await browser.submit(await login.text(), { email, password: PASSWORD });
    if (res.status === 200) res = await browser.submit(await res.text(), {}, 'allow');
    expect(res.status).toBe(303);
    return location(res);
  }

  it('answers CORS for SPAs on token, userinfo and discovery only, never with credentials', async () => {
    const preflight = await api
      .http()
      .options('/oauth/userinfo')
      .set('Origin', 'https://app.example')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    const discovery = await api
      .http()
      .get('/.well-known/openid-configuration')
      .set('Origin', 'https://app.example');
    expect(discovery.headers['access-control-allow-origin']).toBe('*');
    for (const path of ['/console/session', '/oauth/authorize/login', '/auth/login']) {
      const res = await api.http().options(path).set('Origin', 'https://app.example');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('serves the login page under a strict CSP, no framing, prefilled from login_hint', async () => {
    const { url } = await authorizeUrl({ login_hint: 'hint@example.com', unknown_param: 'x' });
    const res = await new FormBrowser(issuer).get(url.href);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('value="hint@example.com"');
    // The only scripts are our own files behind the passkey button: nothing inline.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.map(([, attributes]) => /src="([^"]+)"/.exec(attributes)?.[1])).toEqual([
      '/console/assets/simplewebauthn-browser.js',
      '/console/assets/hosted-passkey.js',
    ]);
    for (const [, , body] of scripts) expect(body.trim()).toBe('');
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(csp).toContain("script-src 'self'");
  });

  it('shows a wrong password as an alert, and counts it with /auth/login', async () => {
    const browser = new FormBrowser(issuer);
    const { url } = await authorizeUrl();
    const login = await browser.get(url.href);
    const res = await browser.submit(await login.text(), { email, password: 'wrong password!' });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('role="alert"');
    const audit = await api
      .http()
      .get('/audit?type=login.failed')
      .auth(admin, { type: 'bearer' })
      .expect(200);
    expect(JSON.stringify(audit.body)).toContain('wrong_password');
  });

  it('refuses a login form without its CSRF cookie or from another site', async () => {
    const browser = new FormBrowser(issuer);
    const { url } = await authorizeUrl();
    const page = await (await browser.get(url.href)).text();
    browser.clearCookies();
    const noCookie = await browser.submit(page, { email, password: PASSWORD });
    expect(noCookie.status).toBe(403);
    const fresh = new FormBrowser(issuer);
    const page2 = await (await fresh.get(url.href)).text();
    const crossSite = await fresh.post(
      '/oauth/authorize/login',
      Object.fromEntries(
        [...page2.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
      ),
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
    );
    expect(crossSite.status).toBe(403);
  });

  it('prompt=login and max_age=0 ask for the password again; auth_time follows', async () => {
    const browser = new FormBrowser(issuer);
    const first = await authorizeUrl();
    await signIn(browser, first.url);
    api.clock.advance(5000);
    const again = await authorizeUrl({ prompt: 'login' });
    const page = await browser.get(again.url.href);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="password"');
    const maxAge = await authorizeUrl({ max_age: '0' });
    const callback = await signIn(browser, maxAge.url);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: maxAge.verifier,
      expectedState: 'st',
      maxAge: 0,
    });
    const authTime = tokens.claims()!.auth_time!;
    expect(Math.abs(authTime - Math.floor(api.clock.now() / 1000))).toBeLessThanOrEqual(1);
  });

  it('prompt=none: consent_required without consent, a code once allowed', async () => {
    const other = await register({ token_endpoint_auth_method: 'none' });
    const browser = new FormBrowser(issuer);
    await signIn(browser, (await authorizeUrl()).url);
    const url = new URL((await authorizeUrl({ prompt: 'none' })).url);
    url.searchParams.set('client_id', other.client_id);
    const res = await browser.get(url.href);
    expect(location(res).searchParams.get('error')).toBe('consent_required');
    expect(location(res).searchParams.get('iss')).toBe(issuer);
    const silent = await browser.get((await authorizeUrl({ prompt: 'none' })).url.href);
    expect(location(silent).searchParams.get('code')).toBeTruthy();
  });

  it('Deny redirects access_denied; a consent form of another session is refused', async () => {
    const client = await register({ token_endpoint_auth_method: 'none' });
    const url = new URL((await authorizeUrl()).url);
    url.searchParams.set('client_id', client.client_id);
    const browser = new FormBrowser(issuer);
    const login = await browser.get(url.href);
    const consent = await (
      await browser.submit(await login.text(), { email, password: PASSWORD })
    ).text();
    expect(consent).toContain('Allow');
    expect(consent).toContain('email');
    const attacker = new FormBrowser(issuer);
    const attackerLogin = await attacker.get(url.href);
    await attacker.submit(await attackerLogin.text(), { email, password: PASSWORD });
    const forged = consent.replace(
      /name="csrf_token" value="[^"]+"/,
      'name="csrf_token" value="x"',
    );
    expect((await browser.submit(forged, {}, 'allow')).status).toBe(403);
    const denied = await browser.submit(consent, {}, 'deny');
    expect(location(denied).searchParams.get('error')).toBe('access_denied');
  });

  it('lists and revokes consents on the account API', async () => {
    const login = await api.http().post('/auth/login').send({ email, password: PASSWORD });
    const token = login.body.access_token as string;
    const list = await api.http().get('/auth/consents').auth(token, { type: 'bearer' }).expect(200);
    expect(list.body.map((c: { client_id: string }) => c.client_id)).toContain(clientId);
    await api
      .http()
      .delete(`/auth/consents/${clientId}`)
      .auth(token, { type: 'bearer' })
      .expect(204);
    const browser = new FormBrowser(issuer);
    const res = await browser.get((await authorizeUrl()).url.href);
    const page = await browser.submit(await res.text(), { email, password: PASSWORD });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Deny');
  });

  it("refuses another client's refresh token, and answers UserInfo from a form body", async () => {
    const browser = new FormBrowser(issuer);
    const { url, verifier } = await authorizeUrl();
    const callback = await signIn(browser, url);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 'st',
    });
    const other = await register({ token_endpoint_auth_method: 'none' });
    const refused = await api.http().post('/oauth/token').type('form').send({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
      client_id: other.client_id,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_grant');
    const firstParty = await api
      .http()
      .post('/auth/refresh')
      .send({ refresh_token: tokens.refresh_token! });
    expect(firstParty.status).toBe(401);
    const info = await api
      .http()
      .post('/oauth/userinfo')
      .type('form')
      .send({ access_token: tokens.access_token });
    expect(info.status).toBe(200);
    expect(info.body.email).toBe(email);
    const none = await api.http().get('/oauth/userinfo');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const bad = await api.http().get('/oauth/userinfo').auth('x.y.z', { type: 'bearer' });
    expect(bad.headers['www-authenticate']).toContain('error="invalid_token"');
    // The client's token manages no account at auth-api.
    await api.http().get('/auth/me').auth(tokens.access_token, { type: 'bearer' }).expect(403);
    // Deleting the client ends its tokens at once.
    const own = await register({ token_endpoint_auth_method: 'none' });
    const ownConfig = await oidc.discovery(new URL(issuer), own.client_id, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const start = await authorizeUrl();
    const ownUrl = new URL(start.url);
    ownUrl.searchParams.set('client_id', own.client_id);
    const ownTokens = await oidc.authorizationCodeGrant(
      ownConfig,
      await signIn(new FormBrowser(issuer), ownUrl),
      {
        pkceCodeVerifier: start.verifier,
        expectedState: 'st',
      },
    );
    await api
      .http()
      .get('/oauth/userinfo')
      .auth(ownTokens.access_token, { type: 'bearer' })
      .expect(200);
    await api
      .http()
      .delete(`/clients/${own.client_id}`)
      .auth(admin, { type: 'bearer' })
      .expect(204);
    await api
      .http()
      .get('/oauth/userinfo')
      .auth(ownTokens.access_token, { type: 'bearer' })
      .expect(401);
  });
});
