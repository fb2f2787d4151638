import { createClient, introspect } from '../oauth-harness';
import { BrowserlessAgent } from './browserless-agent';
import { atHash, verifyIdToken } from './id-token';
import {
  authorizationRequest,
  callbackParams,
  createOidcClient,
  createUser,
  type OidcClient,
  type Provider,
  redeemCode,
  startProvider,
  tokenEndpoint,
  type User,
} from './oidc-harness';

interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  id_token: string;
  refresh_token?: string;
  scope?: string;
}

/**
 * A replica of the OpenID Foundation's Basic OP certification modules for the code flow
 * (each test is named after the module it mirrors), run over plain HTTP with a signed-in
 * browserless user agent. They check what the provider sends, not what a client library makes
 * of it.
 */
describe('OpenID Foundation Basic OP modules (code flow, tokens, UserInfo)', () => {
  let provider: Provider;
  let client: OidcClient;
  let user: User;
  let agent: BrowserlessAgent;

  /** A full authorization (with the agent's session) and the code's redemption. */
  async function tokensFor(
    target: OidcClient = client,
    params: Record<string, string | undefined> = {},
  ): Promise<{ tokens: TokenResponse; nonce: string; res: globalThis.Response }> {
    const request = await authorizationRequest(provider.issuer, target, params);
    const location = await agent.authorize(request.url, user);
    const { code } = callbackParams(location);
    const res = await redeemCode(provider, target, code, request.pkce.verifier);
    expect(res.status).toBe(200);
    return { tokens: (await res.json()) as TokenResponse, nonce: request.nonce, res };
  }

  const userinfo = (init: RequestInit) => fetch(`${provider.issuer}/oauth/userinfo`, init);

  beforeAll(async () => {
    provider = await startProvider();
    client = await createOidcClient(provider.api);
    user = await createUser(provider.api);
    agent = new BrowserlessAgent(provider.issuer);
    // Signs in and consents once; the modules below run with that browser session.
    await agent.authorize((await authorizationRequest(provider.issuer, client)).url, user);
  });
  afterAll(() => provider?.api.close());

  it('oidcc-server: code flow; the redirect carries code, state and iss; the ID token is complete and signed', async () => {
    const request = await authorizationRequest(provider.issuer, client);
    const location = await agent.authorize(request.url, user);
    const params = callbackParams(location);
    expect(params).toEqual({
      code: expect.any(String),
      state: request.state,
      iss: provider.issuer,
    });

    const res = await redeemCode(provider, client, params.code, request.pkce.verifier);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const tokens = (await res.json()) as TokenResponse;
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expires_in).toBeGreaterThan(0);
    const { payload, header } = await verifyIdToken(
      provider.issuer,
      tokens.id_token,
      client.clientId,
    );
    expect(header).toMatchObject({ alg: 'ES256', kid: expect.any(String) });
    expect(payload).toMatchObject({
      iss: provider.issuer,
      sub: user.id,
      aud: client.clientId,
      azp: client.clientId,
      nonce: request.nonce,
      at_hash: atHash(tokens.access_token),
      sid: expect.any(String),
      auth_time: expect.any(Number),
    });
    expect(payload.exp).toBeGreaterThan(payload.iat as number);
  });

  it('oidcc-ensure-request-without-nonce-succeeds-for-code-flow: no nonce asked, none in the ID token', async () => {
    const { tokens } = await tokensFor(client, { nonce: undefined });
    const { payload } = await verifyIdToken(provider.issuer, tokens.id_token, client.clientId);
    expect(payload.nonce).toBeUndefined();
  });

  it('oidcc-nonce-invalid: the nonce is echoed exactly as sent, per request', async () => {
    const odd = 'n-0S6_WzA2Mj.~ünïcode';
    const first = await tokensFor(client, { nonce: odd });
    const second = await tokensFor(client);
    const claimsOf = async (t: TokenResponse) =>
      (await verifyIdToken(provider.issuer, t.id_token, client.clientId)).payload;
    expect((await claimsOf(first.tokens)).nonce).toBe(odd);
    expect((await claimsOf(second.tokens)).nonce).toBe(second.nonce);
  });

  it('oidcc-ensure-request-with-unknown-parameter-succeeds', async () => {
    const { tokens } = await tokensFor(client, { extra: 'foobar', 'x-vendor': 'ignored' });
    expect(tokens.access_token).toEqual(expect.any(String));
  });

  it('oidcc-ensure-other-scope-order-succeeds', async () => {
    const { tokens } = await tokensFor(client, { scope: 'email openid' });
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid']);
  });

  it('oidcc-ensure-post-request-succeeds: the authorization request as a form POST', async () => {
    const request = await authorizationRequest(provider.issuer, client);
    const landing = await agent.submit({
      action: new URL(`${provider.issuer}/oauth/authorize`),
      method: 'POST',
      fields: request.url.searchParams,
    });
    const params = callbackParams(landing.redirect as URL);
    expect(params).toMatchObject({ code: expect.any(String), state: request.state });
    const res = await redeemCode(provider, client, params.code, request.pkce.verifier);
    expect(res.status).toBe(200);
  });

  it('oidcc-scope-email: the email at UserInfo (email_verified only when known)', async () => {
    const { tokens } = await tokensFor(client, { scope: 'openid email' });
    const res = await userinfo({ headers: { authorization: `Bearer ${tokens.access_token}` } });
    const claims = (await res.json()) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: user.id, email: user.email });
    // auth-api has no email verification flow, so it may not claim one (OIDC Core §5.1).
    if ('email_verified' in claims) expect(typeof claims.email_verified).toBe('boolean');
  });

  it('oidcc-scope-profile: profile granted; no email claim without the email scope', async () => {
    const { tokens } = await tokensFor(client, { scope: 'openid profile' });
    expect(tokens.scope?.split(' ').sort()).toEqual(['openid', 'profile']);
    const res = await userinfo({ headers: { authorization: `Bearer ${tokens.access_token}` } });
    const claims = (await res.json()) as Record<string, unknown>;
    expect(claims.sub).toBe(user.id);
    expect(claims.email).toBeUndefined();
  });

  it('oidcc-userinfo-get / -post-header / -post-body: the same claims three ways', async () => {
    const { tokens } = await tokensFor();
    const bearer = { authorization: `Bearer ${tokens.access_token}` };
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const answers = [
      await userinfo({ headers: bearer }),
      await userinfo({ method: 'POST', headers: bearer }),
      await userinfo({
        method: 'POST',
        headers: form,
        body: new URLSearchParams({ access_token: tokens.access_token }),
      }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toMatchObject({ sub: user.id, email: user.email });
    }
  });

  it('oidcc-userinfo-*: without a valid access token, 401 with an RFC 6750 challenge', async () => {
    const none = await userinfo({});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const bad = await userinfo({ headers: { authorization: 'Bearer not-a-token' } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer.*error="invalid_token"/);
  });

  it('oidcc-codereuse: a code is redeemed once; the second try is invalid_grant', async () => {
    const request = await authorizationRequest(provider.issuer, client);
    const { code } = callbackParams(await agent.authorize(request.url, user));
    expect((await redeemCode(provider, client, code, request.pkce.verifier)).status).toBe(200);
    const reuse = await redeemCode(provider, client, code, request.pkce.verifier);
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('oidcc-server-client-secret-post and oidcc-idtoken-rs256: a confidential RS256 client', async () => {
    const confidential = await createOidcClient(provider.api, {
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
      first_party: true,
    });
    expect(confidential.secret).toEqual(expect.any(String));
    const { tokens } = await tokensFor(confidential);
    const { header, payload } = await verifyIdToken(
      provider.issuer,
      tokens.id_token,
      confidential.clientId,
      ['RS256'],
    );
    expect(header.alg).toBe('RS256');
    expect(payload.sub).toBe(user.id);

    // Without its secret, the same code request is refused.
    const request = await authorizationRequest(provider.issuer, confidential);
    const { code } = callbackParams(await agent.authorize(request.url, user));
    const anonymous = {
      ...confidential,
      metadata: { ...confidential.metadata, token_endpoint_auth_method: 'none' as const },
    };
    const res = await redeemCode(provider, anonymous, code, request.pkce.verifier);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });

  it("oidcc-refresh-token: rotation, and another client's refresh token refused", async () => {
    const { tokens } = await tokensFor();
    const other = await createOidcClient(provider.api, { name: 'another relying party' });
    const stolen = await tokenEndpoint(provider, other, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token as string,
    });
    expect(stolen.status).toBe(400);
    expect(await stolen.json()).toMatchObject({ error: 'invalid_grant' });

    const res = await tokenEndpoint(provider, client, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token as string,
    });
    expect(res.status).toBe(200);
    const refreshed = (await res.json()) as TokenResponse;
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    if (refreshed.id_token) {
      const { payload } = await verifyIdToken(provider.issuer, refreshed.id_token, client.clientId);
      expect(payload.sub).toBe(user.id);
    }
    const service = await createClient(provider.api, ['stats:read'], 'introspector');
    const state = await introspect(provider.api, service, refreshed.access_token);
    expect(state.body).toMatchObject({ active: true, sub: user.id, client_id: client.clientId });
  });
});
