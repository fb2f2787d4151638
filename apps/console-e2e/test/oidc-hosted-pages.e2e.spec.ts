import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';

import { call, freePort, ServiceProcess } from '../../system-e2e/test/service-process';
import { browserUnavailable, launchChromium } from './chromium';

const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };
const USER = { email: 'grace@example.com', password: 'correct horse battery' };

const unavailable = browserUnavailable();
const describeInBrowser = unavailable ? describe.skip : describe;

/**
 * The hosted login and consent pages in a real browser: cookies (`__Secure-`, SameSite=Lax on
 * the cross-site authorization request), the CSP's `form-action` on the redirect that ends a
 * form post, accessible names, and no CSP violation or script error on the way.
 */
describeInBrowser('OpenID Connect hosted pages in Chromium against the built auth-api', () => {
  let dataDir: string;
  let auth: ServiceProcess;
  let rp: Server;
  let rpUrl: string;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  const problems: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'oidc-e2e-'));
    const port = await freePort();
    auth = new ServiceProcess('auth-api', port, {
      DATA_DIR: dataDir,
      AUTH_ISSUER: `http://127.0.0.1:${port}`,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    });
    await auth.start();
    // The relying party: on localhost, so the authorization request is cross-site.
    rp = createServer((_request, response) => response.end('callback'));
    const rpPort = await freePort();
    await new Promise<void>((resolve) => rp.listen(rpPort, '127.0.0.1', resolve));
    rpUrl = `http://localhost:${rpPort}`;
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await new Promise((resolve) => rp?.close(resolve));
    await auth?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs in, asks for consent, redirects with code, state and iss', async () => {
    const admin = (await call(auth.url, 'POST', '/auth/login', { body: ADMIN })).body.access_token;
    await call(auth.url, 'POST', '/auth/register', { body: USER });
    const created = await call(auth.url, 'POST', '/clients', {
      token: admin,
      body: {
        name: 'Browser app',
        redirect_uris: [`${rpUrl}/callback`],
        token_endpoint_auth_method: 'none',
      },
    });
    const config = await oidc.discovery(
      new URL(auth.url),
      created.body.client_id,
      undefined,
      oidc.None(),
      { execute: [oidc.allowInsecureRequests] },
    );
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${rpUrl}/callback`,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'browser-state',
    });
    const page = await chromium.context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${rpUrl}/start`);
    await page.goto(url.href);
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill('wrong password!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((target) => target.pathname === '/callback');
    const callback = new URL(page.url());
    expect(callback.searchParams.get('state')).toBe('browser-state');
    expect(callback.searchParams.get('iss')).toBe(auth.url);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 'browser-state',
    });
    expect(tokens.claims()?.email).toBe(USER.email);
    // The session cookie came back with the next (cross-site) authorization request.
    const again = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${rpUrl}/callback`,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'second',
      prompt: 'none',
    });
    await page.goto(`${rpUrl}/start`);
    await page.goto(again.href);
    await page.waitForURL((target) => target.searchParams.get('state') === 'second');
    expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();
    // The failed sign-in answered 401; nothing else went wrong.
    expect(problems.filter((text) => !text.includes('401'))).toEqual([]);
  });
});
