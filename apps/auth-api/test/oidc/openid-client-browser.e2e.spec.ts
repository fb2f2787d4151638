import * as oidc from 'openid-client';
import type { BrowserContext, Page } from 'playwright-core';

import { browserUnavailable, launchChromium } from './chromium';
import { atHash, verifyIdToken } from './id-token';
import {
  createOidcClient,
  createUser,
  type OidcClient,
  POST_LOGOUT_REDIRECT_URI,
  type Provider,
  REDIRECT_URI,
  RP_ORIGIN,
  startProvider,
  type User,
} from './oidc-harness';

const unavailable = browserUnavailable();
if (unavailable) console.warn(`oidc browser suite: SKIPPED, ${unavailable}.`);
const describeInBrowser = unavailable ? describe.skip : describe;

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * The real browser path, end to end: openid-client 6 (unchanged, a certified relying-party
 * library) builds the requests and validates the responses, Debian's Chromium shows auth-api's
 * hosted login and consent pages. The relying party's pages (https://rp.example) are served by
 * the browser's request routing, so the authorization request starts from a cross-site link,
 * as it does in production, and the redirects back are read without a server.
 */
describeInBrowser('auth-api as an OpenID Provider for openid-client, in Chromium', () => {
  let provider: Provider;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  let user: User;
  let publicClient: OidcClient;
  let confidential: OidcClient;
  const seen: { authTime?: unknown; idToken?: string } = {};

  const config = (client: OidcClient, metadata: Partial<oidc.ClientMetadata> = {}) =>
    oidc.discovery(
      new URL(provider.issuer),
      client.clientId,
      metadata,
      client.secret ? oidc.ClientSecretBasic(client.secret) : oidc.None(),
      { execute: [oidc.allowInsecureRequests] },
    );

  /** The relying party's "Sign in" link, clicked: a cross-site top-level navigation. */
  async function startAt(url: URL): Promise<void> {
    await page.goto(`${RP_ORIGIN}/start?to=${encodeURIComponent(url.href)}`);
    await page.getByRole('link', { name: 'Sign in with auth-api' }).click();
  }

  async function authorize(configuration: oidc.Configuration, extra: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    });
    await startAt(url);
    return { verifier, state, nonce };
  }

  const callback = async () => {
    await page.waitForURL((url) => url.href.startsWith(REDIRECT_URI));
    return new URL(page.url());
  };

  async function signIn(): Promise<void> {
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  beforeAll(async () => {
    provider = await startProvider();
    user = await createUser(provider.api);
    publicClient = await createOidcClient(provider.api, { name: 'Public SPA' });
    confidential = await createOidcClient(provider.api, {
      name: 'Server-side app',
      token_endpoint_auth_method: 'client_secret_basic',
      first_party: true,
      id_token_signed_response_alg: 'RS256',
    });
    chromium = await launchChromium();
    context = chromium.context;
    await context.route(`${RP_ORIGIN}/**`, (route) => {
      const url = new URL(route.request().url());
      const to = url.searchParams.get('to');
      const body = to
        ? `<!doctype html><title>RP</title><a href="${escapeHtml(to)}">Sign in with auth-api</a>`
        : '<!doctype html><title>RP</title><p>back at the relying party</p>';
      return route.fulfill({ status: 200, contentType: 'text/html', body });
    });
    page = context.pages()[0] ?? (await context.newPage());
  });

  afterAll(async () => {
    await chromium?.close();
    await provider?.api.close();
  });

  it('public client: sign-in and consent pages, code + PKCE, a valid ID token, UserInfo, refresh', async () => {
    const configuration = await config(publicClient);
    const checks = await authorize(configuration);

    await signIn();
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    const consentText = (await page.locator('body').innerText()).toLowerCase();
    expect(consentText).toContain('profile');
    expect(consentText).toContain('email');
    await page.getByRole('button', { name: 'Allow' }).click();

    const returned = await callback();
    expect(returned.searchParams.get('iss')).toBe(provider.issuer);
    const tokens = await oidc.authorizationCodeGrant(configuration, returned, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    const { payload, header } = await verifyIdToken(
      provider.issuer,
      tokens.id_token as string,
      publicClient.clientId,
    );
    expect(header.alg).toBe('ES256');
    expect(payload).toMatchObject({
      sub: user.id,
      nonce: checks.nonce,
      azp: publicClient.clientId,
      at_hash: atHash(tokens.access_token),
      auth_time: expect.any(Number),
      sid: expect.any(String),
      amr: expect.arrayContaining(['pwd']),
    });
    seen.authTime = payload.auth_time;

    const info = await oidc.fetchUserInfo(configuration, tokens.access_token, user.id);
    expect(info).toMatchObject({ sub: user.id, email: user.email });

    const refreshed = await oidc.refreshTokenGrant(configuration, tokens.refresh_token as string);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    await expect(
      oidc.fetchUserInfo(configuration, refreshed.access_token, user.id),
    ).resolves.toMatchObject({ sub: user.id });
  });

  it('confidential first-party client, RS256: single sign-on from the existing session, no consent page', async () => {
    const configuration = await config(confidential, { id_token_signed_response_alg: 'RS256' });
    const checks = await authorize(configuration);
    // Neither a login page (the browser has a session) nor a consent page (first party).
    const returned = await callback();
    const tokens = await oidc.authorizationCodeGrant(configuration, returned, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    const { payload, header } = await verifyIdToken(
      provider.issuer,
      tokens.id_token as string,
      confidential.clientId,
      ['RS256'],
    );
    expect(header.alg).toBe('RS256');
    // The same authentication: OIDC Core §2, auth_time is when the user signed in, not now.
    expect(payload).toMatchObject({ sub: user.id, auth_time: seen.authTime });
    seen.idToken = tokens.id_token;

    const info = await oidc.fetchUserInfo(configuration, tokens.access_token, user.id);
    expect(info.email).toBe(user.email);
    const refreshed = await oidc.refreshTokenGrant(configuration, tokens.refresh_token as string);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
  });

  it('RP-initiated logout returns to the registered URI with state, and ends the browser session', async () => {
    const configuration = await config(confidential, { id_token_signed_response_alg: 'RS256' });
    const logout = oidc.buildEndSessionUrl(configuration, {
      id_token_hint: seen.idToken as string,
      post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI,
      state: 'bye-123',
    });
    expect(logout.href.startsWith(`${provider.issuer}/oauth/logout?`)).toBe(true);
    await startAt(logout);
    await page.waitForURL(
      (url) => url.href.startsWith(POST_LOGOUT_REDIRECT_URI) || url.origin === provider.issuer,
    );
    // A provider may ask the user to confirm (OIDC RP-Initiated Logout §2 allows it).
    if (!page.url().startsWith(POST_LOGOUT_REDIRECT_URI))
      await page.getByRole('button', { name: /log ?out|sign out/i }).click();
    await page.waitForURL((url) => url.href.startsWith(POST_LOGOUT_REDIRECT_URI));
    expect(new URL(page.url()).searchParams.get('state')).toBe('bye-123');

    await authorize(await config(publicClient), { prompt: 'none' });
    const returned = await callback();
    expect(Object.fromEntries(returned.searchParams)).toMatchObject({
      error: 'login_required',
      iss: provider.issuer,
    });
  });

  it('signing in again needs the password but not the consent already given', async () => {
    const configuration = await config(publicClient);
    const checks = await authorize(configuration);
    await signIn();
    const returned = await callback();
    const tokens = await oidc.authorizationCodeGrant(configuration, returned, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
    });
    expect(tokens.claims()?.sub).toBe(user.id);
  });

  it('shows a wrong password as an alert on the login page, and stays there', async () => {
    await authorize(await config(publicClient), { prompt: 'login' });
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(new URL(page.url()).origin).toBe(provider.issuer);
  });
});
