import * as oidc from 'openid-client';

import { claimsOf, freePort, registerAndLogin, type TestAuthApi } from './harness';
import {
  adminToken,
  CLIENT_SCOPES,
  createClient,
  startOAuthApi,
  type TestClient,
} from './oauth-harness';

const SECOND = 1000;

/** What openid-client throws for an OAuth error response, reduced to the parts the tests compare. */
async function oauthFailure(promise: Promise<unknown>): Promise<{ status: number; error: string }> {
  const failure = await promise.then(
    () => {
      throw new Error('expected openid-client to reject');
    },
    (error: unknown) => error,
  );
  if (failure instanceof oidc.ResponseBodyError)
    return { status: failure.status, error: failure.error };
  // A 401 carrying `WWW-Authenticate: Basic …` surfaces as a challenge error; its response keeps the body.
  if (failure instanceof oidc.WWWAuthenticateChallengeError) {
    const body = (await failure.response.json()) as { error: string };
    expect(failure.cause.map((challenge) => challenge.scheme)).toEqual(['basic']);
    return { status: failure.response.status, error: body.error };
  }
  throw failure;
}

/**
 * auth-api, listening on 127.0.0.1, driven by openid-client v6 (a certified relying-party
 * library) exactly as a third-party service would: RFC 8414 discovery, then the grants,
 * revocation and introspection with the endpoints and auth methods that discovery announced.
 */
describe('auth-api through openid-client', () => {
  let api: TestAuthApi;
  let issuer: string;
  let service: TestClient;

  const discover = (clientId: string, auth: oidc.ClientAuth) =>
    oidc.discovery(new URL(issuer), clientId, undefined, auth, {
      execute: [oidc.allowInsecureRequests],
      algorithm: 'oauth2',
    });
  const basicConfig = (client: TestClient = service, secret = client.secret) =>
    discover(client.clientId, oidc.ClientSecretBasic(secret));
  const postConfig = (client: TestClient = service) =>
    discover(client.clientId, oidc.ClientSecretPost(client.secret));
  const publicConfig = () => discover('auth-api', oidc.None());

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    api = await startOAuthApi({ AUTH_ISSUER: issuer, PORT: String(port) });
    await api.app.listen(port, '127.0.0.1');
    service = await createClient(api);
  });
  afterAll(() => api.close());

  it('discovers the server through RFC 8414 metadata', async () => {
    const config = await basicConfig();
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(issuer);
    expect(metadata.token_endpoint).toBe(`${issuer}/oauth/token`);
    expect(metadata.revocation_endpoint).toBe(`${issuer}/oauth/revoke`);
    expect(metadata.introspection_endpoint).toBe(`${issuer}/oauth/introspect`);
    expect(metadata.grant_types_supported).toEqual(
      expect.arrayContaining(['client_credentials', 'refresh_token']),
    );
  });

  it('obtains a client-credentials token with client_secret_basic, and introspects it', async () => {
    const config = await basicConfig();
    const tokens = await oidc.clientCredentialsGrant(config);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expires_in).toBe(900);
    expect(tokens.scope).toBe(CLIENT_SCOPES.join(' '));
    expect(tokens.refresh_token).toBeUndefined();

    const introspection = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(introspection).toMatchObject({
      active: true,
      sub: service.clientId,
      client_id: service.clientId,
      scope: CLIENT_SCOPES.join(' '),
      iss: issuer,
      aud: 'resource-api',
      token_type: 'Bearer',
      roles: [],
    });
    expect(introspection.exp).toBe(claimsOf(tokens.access_token).exp);
  });

  it('obtains a narrower token with client_secret_post', async () => {
    const config = await postConfig();
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'stats:read' });
    expect(tokens.scope).toBe('stats:read');
    expect(claimsOf(tokens.access_token)).toMatchObject({
      sub: service.clientId,
      client_id: service.clientId,
      scope: 'stats:read',
    });
  });

  it('revokes an access token, after which introspection says inactive', async () => {
    const config = await basicConfig();
    const { access_token: token } = await oidc.clientCredentialsGrant(config);
    await oidc.tokenRevocation(config, token, { token_type_hint: 'access_token' });
    expect(await oidc.tokenIntrospection(config, token)).toEqual({ active: false });
    // RFC 7009: unknown tokens are "revoked" too.
    await expect(oidc.tokenRevocation(config, 'no-such-token')).resolves.toBeUndefined();
  });

  it('surfaces the server errors: invalid_client, invalid_scope', async () => {
    expect(
      await oauthFailure(
        oidc.clientCredentialsGrant(await basicConfig(service, `${service.secret}x`)),
      ),
    ).toEqual({ status: 401, error: 'invalid_client' });
    const unknown = { ...service, clientId: 'svc_unknown' };
    expect(await oauthFailure(oidc.clientCredentialsGrant(await basicConfig(unknown)))).toEqual({
      status: 401,
      error: 'invalid_client',
    });
    expect(
      await oauthFailure(oidc.clientCredentialsGrant(await postConfig(), { scope: 'admin' })),
    ).toEqual({ status: 400, error: 'invalid_scope' });
    expect(await oauthFailure(oidc.tokenIntrospection(await publicConfig(), 'x'))).toEqual({
      status: 401,
      error: 'invalid_client',
    });
  });

  it('refreshes a user session through the public client auth-api; the rotated token then fails', async () => {
    const user = await registerAndLogin(api);
    const config = await publicConfig();
    const refreshed = await oidc.refreshTokenGrant(config, user.refreshToken);
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(user.refreshToken);
    expect(claimsOf(refreshed.access_token)).toMatchObject({
      sub: user.id,
      client_id: 'auth-api',
      sid: claimsOf(user.accessToken).sid,
    });

    // Past REFRESH_REUSE_INTERVAL (10 s), the rotated token is a replay: invalid_grant, family revoked.
    api.clock.advance(11 * SECOND);
    expect(await oauthFailure(oidc.refreshTokenGrant(config, user.refreshToken))).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
    expect(
      await oauthFailure(oidc.refreshTokenGrant(config, refreshed.refresh_token as string)),
    ).toEqual({ status: 400, error: 'invalid_grant' });
  });

  it("refuses a user's refresh token to a confidential client without harming the session", async () => {
    const user = await registerAndLogin(api);
    expect(
      await oauthFailure(oidc.refreshTokenGrant(await basicConfig(), user.refreshToken)),
    ).toEqual({ status: 400, error: 'invalid_grant' });
    await expect(
      oidc.refreshTokenGrant(await publicConfig(), user.refreshToken),
    ).resolves.toHaveProperty('access_token');
  });

  it('revokes a refresh token through the public client: the session ends', async () => {
    const user = await registerAndLogin(api);
    const config = await publicConfig();
    await oidc.tokenRevocation(config, user.refreshToken, { token_type_hint: 'refresh_token' });
    expect(await oauthFailure(oidc.refreshTokenGrant(config, user.refreshToken))).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
    expect(await oidc.tokenIntrospection(await basicConfig(), user.accessToken)).toEqual({
      active: false,
    });
  });

  it('refuses a deleted client at once', async () => {
    const doomed = await createClient(api, ['stats:read'], 'doomed');
    const config = await basicConfig(doomed);
    const { access_token: token } = await oidc.clientCredentialsGrant(config);
    await api
      .http()
      .delete(`/clients/${doomed.clientId}`)
      .auth(await adminToken(api), { type: 'bearer' })
      .expect(204);
    expect(await oidc.tokenIntrospection(await basicConfig(), token)).toEqual({ active: false });
    expect(await oauthFailure(oidc.clientCredentialsGrant(config))).toEqual({
      status: 401,
      error: 'invalid_client',
    });
  });
});
