import * as oauth from 'oauth4webapi';

import { BrowserlessAgent } from './browserless-agent';
import { atHash } from './id-token';
import {
  createOidcClient,
  createUser,
  type OidcClient,
  type Provider,
  REDIRECT_URI,
  startProvider,
  type User,
} from './oidc-harness';

/**
 * A full flow with oauth4webapi 3, openid-client's strict core, used as its README shows:
 * discovery, an authorization request, the callback validated (state, RFC 9207 iss), the code
 * redeemed with client_secret_post and PKCE, the ID token's claims checked (nonce, aud, iss,
 * exp), UserInfo, and a refresh. Every step throws if auth-api's answer is not to the letter.
 */
describe('auth-api for oauth4webapi (strict core of openid-client)', () => {
  let provider: Provider;
  let user: User;
  let confidential: OidcClient;
  let as: oauth.AuthorizationServer;
  const insecure = { [oauth.allowInsecureRequests]: true };

  beforeAll(async () => {
    provider = await startProvider();
    user = await createUser(provider.api);
    confidential = await createOidcClient(provider.api, {
      name: 'strict client',
      token_endpoint_auth_method: 'client_secret_post',
    });
    const issuer = new URL(provider.issuer);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
    );
  });
  afterAll(() => provider?.api.close());

  it('code + PKCE, client_secret_post, ID token, UserInfo, refresh', async () => {
    const client: oauth.Client = { client_id: confidential.clientId };
    const auth = oauth.ClientSecretPost(confidential.secret as string);
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();

    const url = new URL(as.authorization_endpoint as string);
    url.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid email',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    }).toString();
    const agent = new BrowserlessAgent(provider.issuer);
    const callback = await agent.authorize(url, user);

    const params = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      auth,
      params,
      REDIRECT_URI,
      verifier,
      insecure,
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: nonce,
      requireIdToken: true,
    });
    const claims = oauth.getValidatedIdTokenClaims(tokens) as oauth.IDToken;
    expect(claims).toMatchObject({
      iss: provider.issuer,
      sub: user.id,
      aud: client.client_id,
      nonce,
      at_hash: atHash(tokens.access_token),
    });

    const info = await oauth.processUserInfoResponse(
      as,
      client,
      claims.sub,
      await oauth.userInfoRequest(as, client, tokens.access_token, insecure),
    );
    expect(info).toMatchObject({ sub: user.id, email: user.email });

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(
        as,
        client,
        auth,
        tokens.refresh_token as string,
        insecure,
      ),
    );
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    // A refreshed ID token, if any, is for the same user (oauth4webapi checks iss, aud, exp).
    const again = oauth.getValidatedIdTokenClaims(refreshed);
    if (again) expect(again.sub).toBe(user.id);
  });

  it('the token endpoint refuses the code without the secret (client_secret_post registered)', async () => {
    const client: oauth.Client = { client_id: confidential.clientId };
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.ClientSecretPost('wrong-secret'),
      oauth.validateAuthResponse(
        as,
        client,
        new URLSearchParams({ code: 'whatever', iss: provider.issuer }),
        oauth.expectNoState,
      ),
      REDIRECT_URI,
      oauth.generateRandomCodeVerifier(),
      insecure,
    );
    expect(response.status).toBe(401);
    // RFC 6749 §5.2: a 401 with a challenge, which oauth4webapi surfaces as one.
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(await response.clone().json()).toMatchObject({ error: 'invalid_client' });
    await expect(
      oauth.processAuthorizationCodeResponse(as, client, response),
    ).rejects.toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
  });
});
