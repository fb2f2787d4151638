import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';

import { call, freePort, ServiceProcess } from '../../system-e2e/test/service-process';
import { ARTIFACTS_DIR, browserUnavailable, launchChromium } from './chromium';

declare const document: any;

const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };
const USER = { email: 'pat@example.com', password: 'correct horse battery' };

const unavailable = browserUnavailable();
if (unavailable) console.warn(`console-e2e passkeys: SKIPPED, ${unavailable}.`);
const describeInBrowser = unavailable ? describe.skip : describe;

/**
 * Passkeys through the pages people use: the console's account page registers one with
 * @simplewebauthn/browser and Chromium's own WebAuthn (a CDP virtual authenticator with user
 * verification, as a phone or laptop with a screen lock would be); the sign-in page uses it
 * without a password; a password sign-in then asks for it as the second step; and the hosted
 * OpenID Connect login page signs an openid-client relying party in with it.
 */
describeInBrowser('passkeys in the console and the hosted login, in Chromium', () => {
  let dataDir: string;
  let auth: ServiceProcess;
  let origin: string;
  let rp: Server;
  let rpUrl: string;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId = '';
  const problems: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'console-passkeys-'));
    const port = await freePort();
    // WebAuthn needs a domain as RP ID (an IP address is none): the service is `localhost`.
    origin = `http://localhost:${port}`;
    auth = new ServiceProcess('auth-api', port, {
      DATA_DIR: dataDir,
      AUTH_ISSUER: origin,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    });
    await auth.start();
    await call(auth.url, 'POST', '/auth/register', { body: USER });
    rp = createServer((_request, response) => response.end('callback'));
    const rpPort = await freePort();
    await new Promise<void>((resolve) => rp.listen(rpPort, '127.0.0.1', resolve));
    rpUrl = `http://127.0.0.1:${rpPort}`;
    chromium = await launchChromium();
    context = chromium.context;
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    }));
  });

  afterAll(async () => {
    await chromium?.close();
    await new Promise((resolve) => rp?.close(resolve));
    await auth?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const heading = (text: string) =>
    page.waitForFunction(
      (expected) => document.querySelector('h1')?.textContent === expected,
      text,
    );

  const claims = async () =>
    JSON.parse((await page.locator('#token-claims').textContent()) ?? '{}') as {
      amr: string[];
      acr: string;
    };

  async function signOut(): Promise<void> {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in');
  }

  it('registers a passkey from the account page (the password asked again)', async () => {
    await page.goto(`${origin}/console#/signin`);
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading('Your account');
    const add = page.getByRole('form', { name: 'Add a passkey' });
    await add.getByLabel('Name (optional)').fill('Laptop');
    await add.getByLabel('Current password').fill('not my password');
    await add.getByRole('button', { name: 'Add a passkey' }).click();
    await add.getByText('the current password is incorrect').waitFor();
    await add.getByLabel('Current password').fill(USER.password);
    await add.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByRole('table', { name: 'Your passkeys' }).getByText('Laptop').waitFor();
    const { credentials } = await cdp.send('WebAuthn.getCredentials', {
      authenticatorId: authenticatorId,
    });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });
    await page.getByRole('button', { name: 'Rename passkey Laptop' }).click();
    const rename = page.getByRole('form', { name: 'Rename passkey Laptop' });
    await rename.getByLabel('New name').fill('Work laptop');
    await rename.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('table', { name: 'Your passkeys' }).getByText('Work laptop').waitFor();
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'passkeys-account.png'), fullPage: true });
    await signOut();
  });

  it('signs in with the passkey alone: no email typed, amr hwk + mfa', async () => {
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await heading('Your account');
    expect(await claims()).toMatchObject({ amr: ['hwk', 'mfa'], acr: '2' });
    await signOut();
  });

  it('asks a password sign-in for the passkey as the second step', async () => {
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    // No authenticator app on this account: the code field is not offered.
    expect(
      await page.getByLabel('Code from your authenticator app, or a recovery code').count(),
    ).toBe(0);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await heading('Your account');
    expect(await claims()).toMatchObject({ amr: ['pwd', 'hwk', 'mfa'], acr: '2' });
  });

  it('signs an openid-client relying party in on the hosted login page with the passkey', async () => {
    const admin = (await call(auth.url, 'POST', '/auth/login', { body: ADMIN })).body.access_token;
    const created = await call(auth.url, 'POST', '/clients', {
      token: admin,
      body: {
        name: 'Passkey app',
        redirect_uris: [`${rpUrl}/callback`],
        token_endpoint_auth_method: 'none',
      },
    });
    const config = await oidc.discovery(
      new URL(origin),
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
      state: 'passkey-state',
      prompt: 'login',
    });
    await page.goto(url.href);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((target) => target.pathname === '/callback');
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: verifier,
      expectedState: 'passkey-state',
    });
    const idToken = tokens.claims();
    expect(idToken?.email).toBe(USER.email);
    expect(idToken?.amr).toEqual(['hwk', 'mfa']);
  });

  it('refuses a passkey on the hosted page whose user verification failed', async () => {
    await cdp.send('WebAuthn.setUserVerified', {
      authenticatorId: authenticatorId,
      isUserVerified: false,
    });
    try {
      const admin = (await call(auth.url, 'POST', '/auth/login', { body: ADMIN })).body
        .access_token;
      const clients = await call(auth.url, 'GET', '/clients', { token: admin });
      const client = (clients.body.items ?? clients.body).find(
        (c: { name: string }) => c.name === 'Passkey app',
      );
      const authorize = new URL('/oauth/authorize', origin);
      for (const [name, value] of Object.entries({
        client_id: client.client_id,
        redirect_uri: `${rpUrl}/callback`,
        response_type: 'code',
        scope: 'openid',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
        prompt: 'login',
      }))
        authorize.searchParams.set(name, value);
      await page.goto(authorize.href);
      await page.getByRole('button', { name: 'Use a passkey' }).click();
      // The browser asks the authenticator for verification and it answers "not verified":
      // either the browser gives up, or the server refuses the assertion.
      await page.getByRole('alert').waitFor();
      expect(new URL(page.url()).origin).toBe(origin);
      expect(await page.getByRole('button', { name: 'Allow' }).count()).toBe(0);
    } finally {
      await cdp.send('WebAuthn.setUserVerified', {
        authenticatorId: authenticatorId,
        isUserVerified: true,
      });
    }
  });

  /** An assertion by Chromium's authenticator, for options from the server, made on `pageOrigin`. */
  async function browserAssertion(pageOrigin = origin): Promise<any> {
    const options = (await call(auth.url, 'POST', '/auth/passkey/options')).body;
    if (new URL(page.url()).origin !== pageOrigin)
      await page.goto(pageOrigin === origin ? `${origin}/console` : `${pageOrigin}/`);
    return page.evaluate(async (json) => {
      const publicKey = (globalThis as any).PublicKeyCredential.parseRequestOptionsFromJSON(json);
      const credential = await (globalThis as any).navigator.credentials.get({ publicKey });
      return credential.toJSON();
    }, options);
  }

  const passwordless = (credential: unknown) =>
    call(auth.url, 'POST', '/auth/passkey', { body: { credential } });

  it('refuses the browser’s assertion with a bogus signature, and a replayed one', async () => {
    const genuine = await browserAssertion();
    const signature = Buffer.from(genuine.response.signature, 'base64url');
    signature[signature.length - 2] ^= 0x5a;
    const forged = {
      ...genuine,
      response: { ...genuine.response, signature: signature.toString('base64url') },
    };
    expect((await passwordless(forged)).status).toBe(401);
    // The forged copy spent the challenge: the genuine one is now a replay too.
    expect((await passwordless(genuine)).status).toBe(401);
    const fresh = await browserAssertion();
    expect((await passwordless(fresh)).status).toBe(200);
    const replayed = await passwordless(fresh);
    expect(replayed.status).toBe(401);
    expect(replayed.body.error).toBe('invalid_passkey');
  });

  it('refuses an assertion the browser made on another origin (same RP ID, another port)', async () => {
    // An RP ID has no port: a page of another site on this host (http://localhost:<other>) may
    // ask for the passkey registered here, and the browser signs. auth-api accepts only its own
    // origin, so the answer is worthless to whoever got it.
    const site = createServer((_request, response) =>
      response.setHeader('content-type', 'text/html').end('<!doctype html><title>other</title>'),
    );
    const sitePort = await freePort();
    await new Promise<void>((resolve) => site.listen(sitePort, resolve));
    try {
      const other = `http://localhost:${sitePort}`;
      const assertion = await browserAssertion(other);
      const clientData = JSON.parse(
        Buffer.from(assertion.response.clientDataJSON, 'base64url').toString('utf8'),
      );
      expect(clientData.origin).toBe(other);
      const res = await passwordless(assertion);
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_passkey');
    } finally {
      await page.goto(`${origin}/console`);
      site.closeAllConnections();
      await new Promise((resolve) => site.close(resolve));
    }
  });

  it('ran without a script error or a Content-Security-Policy violation', () => {
    expect(problems.filter((text) => !/status of 40[13]/.test(text))).toEqual([]);
  });
});
