import * as oidc from 'openid-client';

import { claimsOf, freePort, PASSWORD, type TestAuthApi, uniqueEmail } from './harness';
import { adminToken, startOAuthApi } from './oauth-harness';
import { FormBrowser } from './oidc-browser';

const REDIRECT = 'http://127.0.0.1:9/callback';

/**
 * The authorization code flow end to end, through the hosted login and consent pages, with
 * openid-client as the relying party: a public and a confidential client.
 */
describe('auth-api as an OpenID Provider (authorization code + PKCE)', () => {
  let api: TestAuthApi;
  let issuer: string;
  let admin: string;
  let email: string;

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    api = await startOAuthApi({ AUTH_ISSUER: issuer, PORT: String(port) });
    await api.app.listen(port, '127.0.0.1');
    admin = await adminToken(api);
    email = uniqueEmail('oidc');
    await api.http().post('/auth/register').send({ email, password: PASSWORD }).expect(201);
  });

  afterAll(() => api.close());

  async function register(metadata: Record<string, unknown>) {
    const res = await api
      .http()
      .post('/clients')
      .auth(admin, { type: 'bearer' })
      .send({ name: 'Example app', redirect_uris: [REDIRECT], ...metadata });
    expect(res.status).toBe(201);
    return res.body as { client_id: string; client_secret?: string };
  }

  function configFor(clientId: string, auth: oidc.ClientAuth) {
    return oidc.discovery(new URL(issuer), clientId, undefined, auth, {
      execute: [oidc.allowInsecureRequests],
    });
  }

  /** Runs the browser part: authorize, sign in (if asked), allow (if asked); returns the callback URL. */
  async function authorize(
    browser: FormBrowser,
    url: URL,
    { consent = true }: { consent?: boolean } = {},
  ): Promise<URL> {
    let res = await browser.get(url.href);
    if (res.status === 200 && (await peek(res)).includes('name="password"')) {
      const page = await res.text();
      res = await browser.submit(page, { email, password: PASSWORD });
    }
    if (res.status === 200) {
      const page = await res.text();
      expect(page).toContain('Allow');
      res = await browser.submit(page, {}, consent ? 'allow' : 'deny');
    }
    expect(res.status).toBe(303);
    return new URL(res.headers.get('location')!);
  }

  async function peek(res: Response): Promise<string> {
    return res.clone().text();
  }

  async function start(config: oidc.Configuration, extra: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    });
    return { url, verifier, state, nonce };
  }

  it('signs a public client in, with consent remembered, userinfo, refresh and logout', async () => {
    const client = await register({ token_endpoint_auth_method: 'none' });
    expect(client.client_secret).toBeUndefined();
    const config = await configFor(client.client_id, oidc.None());
    const browser = new FormBrowser(issuer);
    const { url, verifier, state, nonce } = await start(config);
    const callback = await authorize(browser, url);
    expect(callback.searchParams.get('iss')).toBe(issuer);
    expect(callback.searchParams.get('state')).toBe(state);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      iss: issuer,
      aud: client.client_id,
      email,
      azp: client.client_id,
    });
    expect(claims.amr).toEqual(['pwd']);
    expect(typeof claims.sid).toBe('string');
    expect(typeof claims.auth_time).toBe('number');
    expect(claimsOf(tokens.access_token)).toMatchObject({ client_id: client.client_id, roles: [] });

    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(info).toMatchObject({ sub: claims.sub, email });

    // Consent is remembered: the second authorization goes straight back with a code.
    const again = await start(config);
    const res = await browser.get(again.url.href);
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get('location')!).searchParams.get('code')).toBeTruthy();

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    // RP-initiated logout ends the browser session and the client's sessions.
    const end = await browser.get(
      oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! }).href,
    );
    expect(end.status).toBe(200);
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toThrow();
    const none = await start(config, { prompt: 'none' });
    const silent = await browser.get(none.url.href);
    expect(new URL(silent.headers.get('location')!).searchParams.get('error')).toBe(
      'login_required',
    );
  });

  it('signs a confidential client in (client_secret_basic, RS256 ID tokens)', async () => {
    const client = await register({ id_token_signed_response_alg: 'RS256', first_party: true });
    const config = await configFor(client.client_id, oidc.ClientSecretBasic(client.client_secret!));
    const browser = new FormBrowser(issuer);
    const { url, verifier, state, nonce } = await start(config);
    const callback = await authorize(browser, url);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(
      JSON.parse(Buffer.from(tokens.id_token!.split('.')[0], 'base64url').toString()),
    ).toMatchObject({
      alg: 'RS256',
      typ: 'JWT',
    });
  });

  it('accepts a pushed authorization request (RFC 9126) through openid-client', async () => {
    const client = await register({});
    const config = await configFor(client.client_id, oidc.ClientSecretBasic(client.client_secret!));
    const verifier = oidc.randomPKCECodeVerifier();
    const url = await oidc.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'pushed',
    });
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const callback = await authorize(new FormBrowser(issuer), url);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 'pushed',
    });
    expect(tokens.claims()?.email).toBe(email);
    // The request_uri was consumed with the code.
    const again = await fetch(url.href, { redirect: 'manual' });
    expect(again.status).toBe(400);
    // Pushed parameters are checked at once, as JSON errors.
    const bad = await api
      .http()
      .post('/oauth/par')
      .auth(client.client_id, client.client_secret!)
      .type('form')
      .send({ response_type: 'code', redirect_uri: 'https://evil.example/cb', scope: 'openid' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_request');
  });

  it('redeems a code once of 50 parallel attempts, and a replay revokes what it issued', async () => {
    const client = await register({ token_endpoint_auth_method: 'none', first_party: true });
    const config = await configFor(client.client_id, oidc.None());
    const browser = new FormBrowser(issuer);
    const { url, verifier } = await start(config);
    const callback = await authorize(browser, url);
    const form = {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: client.client_id,
    };
    const results = await Promise.all(
      Array.from({ length: 50 }, () => api.http().post('/oauth/token').type('form').send(form)),
    );
    const ok = results.filter((res) => res.status === 200);
    expect(ok).toHaveLength(1);
    expect(results.filter((res) => res.body.error === 'invalid_grant')).toHaveLength(49);
    const refresh = await api.http().post('/oauth/token').type('form').send({
      grant_type: 'refresh_token',
      refresh_token: ok[0].body.refresh_token,
      client_id: client.client_id,
    });
    expect(refresh.body.error).toBe('invalid_grant');
  });

  it('refuses a missing or wrong PKCE verifier, and plain challenges', async () => {
    const client = await register({ token_endpoint_auth_method: 'none', first_party: true });
    const config = await configFor(client.client_id, oidc.None());
    const browser = new FormBrowser(issuer);
    const plain = await start(config, { code_challenge_method: 'plain' });
    const refused = await browser.get(plain.url.href);
    expect(refused.status).toBe(303);
    const location = new URL(refused.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('iss')).toBe(issuer);
    const { url } = await start(config);
    const callback = await authorize(browser, url);
    const res = await api
      .http()
      .post('/oauth/token')
      .type('form')
      .send({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code')!,
        redirect_uri: REDIRECT,
        client_id: client.client_id,
      });
    expect(res.body.error).toBe('invalid_grant');
  });

  it('answers an error page, never a redirect, for an unregistered redirect_uri', async () => {
    const client = await register({ token_endpoint_auth_method: 'none' });
    for (const redirect of [
      'http://127.0.0.1:9/callback/../evil',
      'http://127.0.0.1:9@evil.example/callback',
      'http://127.0.0.1:9/callbackx',
      'HTTP://127.0.0.1:9/callback',
    ]) {
      const res = await fetch(
        `${issuer}/oauth/authorize?response_type=code&client_id=${client.client_id}&redirect_uri=${encodeURIComponent(redirect)}`,
        { redirect: 'manual' },
      );
      expect(res.status).toBe(400);
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
  });

  it('refuses to register wildcard, userinfo, fragment and non-https redirect URIs', async () => {
    for (const uri of [
      'https://*.example.com/cb',
      'https://user@app.example/cb',
      'https://app.example/cb#x',
      'http://app.example/cb',
      'javascript:alert(1)',
      'com.example.app:/cb',
    ]) {
      const res = await api
        .http()
        .post('/clients')
        .auth(admin, { type: 'bearer' })
        .send({ name: 'bad', redirect_uris: [uri] });
      expect({ uri, status: res.status, error: res.body.error }).toEqual({
        uri,
        status: 400,
        error: 'invalid_redirect_uri',
      });
    }
    await register({ application_type: 'native', redirect_uris: ['com.example.app:/cb'] });
  });
});
