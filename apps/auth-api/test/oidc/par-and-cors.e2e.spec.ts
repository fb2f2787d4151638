import * as oidc from 'openid-client';

import { BrowserlessAgent } from './browserless-agent';
import {
  callbackParams,
  createOidcClient,
  createUser,
  type OidcClient,
  type Provider,
  REDIRECT_URI,
  startProvider,
  type User,
} from './oidc-harness';

const SPA_ORIGIN = 'https://spa.example';

/**
 * Pushed authorization requests (RFC 9126) through openid-client's own PAR support, and the
 * reach of CORS: browser-based clients may call the back-channel endpoints from their origin,
 * without credentials, and nothing else of auth-api answers cross-origin reads.
 */
describe('PAR through openid-client, and CORS', () => {
  let provider: Provider;
  let client: OidcClient;
  let user: User;
  let config: oidc.Configuration;

  beforeAll(async () => {
    provider = await startProvider();
    user = await createUser(provider.api);
    client = await createOidcClient(provider.api, {
      token_endpoint_auth_method: 'client_secret_basic',
      first_party: true,
    });
    config = await oidc.discovery(
      new URL(provider.issuer),
      client.clientId,
      undefined,
      oidc.ClientSecretBasic(client.secret as string),
      { execute: [oidc.allowInsecureRequests] },
    );
  });
  afterAll(() => provider?.api.close());

  it('a pushed request gives a request_uri that authorizes once, then never again', async () => {
    expect(config.serverMetadata().pushed_authorization_request_endpoint).toBe(
      `${provider.issuer}/oauth/par`,
    );
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = await oidc.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    // RFC 9126 §4: only client_id and request_uri travel through the browser.
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);

    const agent = new BrowserlessAgent(provider.issuer);
    const callback = await agent.authorize(url, user);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      idTokenExpected: true,
    });
    expect(tokens.claims()?.sub).toBe(user.id);

    const again = await agent.navigate(url);
    expect(again.redirect ? callbackParams(again.redirect).code : undefined).toBeUndefined();
  });

  it('the PAR endpoint checks the request at once: an unregistered redirect_uri is a 400', async () => {
    const res = await fetch(`${provider.issuer}/oauth/par`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: 'https://evil.example/cb',
        scope: 'openid',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.request_uri).toBeUndefined();
    expect(body.error).toEqual(expect.any(String));
  });

  it('CORS on the back-channel endpoints: any origin, never credentials', async () => {
    const preflight = await fetch(`${provider.issuer}/oauth/token`, {
      method: 'OPTIONS',
      headers: {
        origin: SPA_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    for (const path of ['/.well-known/openid-configuration', '/oauth/userinfo']) {
      const res = await fetch(`${provider.issuer}${path}`, { headers: { origin: SPA_ORIGIN } });
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('no CORS on the hosted pages, the cookie endpoints or the admin API', async () => {
    for (const path of [
      '/oauth/authorize',
      '/oauth/logout',
      '/auth/login',
      '/clients',
      '/console',
    ]) {
      const res = await fetch(`${provider.issuer}${path}`, {
        method: 'OPTIONS',
        headers: { origin: SPA_ORIGIN, 'access-control-request-method': 'POST' },
      });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});
