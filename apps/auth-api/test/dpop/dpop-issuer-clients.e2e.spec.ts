import * as oauth from 'oauth4webapi';

import { claimsOf } from '../harness';
import { BrowserlessAgent } from '../oidc/browserless-agent';
import {
  createOidcClient,
  createUser,
  type OidcClient,
  type Provider,
  REDIRECT_URI,
  startProvider,
  type User,
} from '../oidc/oidc-harness';
import { dpopKey, type DpopKey } from './dpop-proofs';

const insecure = { [oauth.allowInsecureRequests]: true };

/**
 * auth-api issuing DPoP-bound tokens (RFC 9449) to oauth4webapi, an independent client, used as
 * its documentation shows: the proof is oauth4webapi's, the checks of every answer are its own.
 */
describe('auth-api as a DPoP authorization server for oauth4webapi', () => {
  let provider: Provider;
  let user: User;
  let as: oauth.AuthorizationServer;

  beforeAll(async () => {
    provider = await startProvider();
    user = await createUser(provider.api, 'dpop-user');
    const issuer = new URL(provider.issuer);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
    );
  });
  afterAll(() => provider?.api.close());

  /** Code + PKCE through the hosted login, redeemed with a DPoP proof by `key`. */
  async function codeFlow(client: OidcClient, key: DpopKey, auth: oauth.ClientAuth) {
    const rp: oauth.Client = { client_id: client.clientId };
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint as string);
    url.search = new URLSearchParams({
      client_id: rp.client_id,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid email',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    }).toString();
    const callback = await new BrowserlessAgent(provider.issuer).authorize(url, user);
    const params = oauth.validateAuthResponse(as, rp, callback, state);
    const DPoP = oauth.DPoP(rp, key.keys);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      rp,
      auth,
      params,
      REDIRECT_URI,
      verifier,
      { DPoP, ...insecure },
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, rp, response);
    return { rp, DPoP, tokens };
  }

  it('advertises its proof algorithms', () => {
    expect(as.dpop_signing_alg_values_supported).toEqual(
      expect.arrayContaining(['ES256', 'EdDSA', 'PS256']),
    );
  });

  it('binds code-flow tokens of a public client, and its refresh tokens, to the key', async () => {
    const client = await createOidcClient(provider.api, { first_party: true });
    const key = await dpopKey();
    const { rp, DPoP, tokens } = await codeFlow(client, key, oauth.None());
    expect(tokens.token_type).toBe('dpop');
    expect(claimsOf(tokens.access_token).cnf).toEqual({ jkt: key.jkt });

    // UserInfo takes the token with a proof, and refuses it as a bearer token.
    const info = await oauth.userInfoRequest(as, rp, tokens.access_token, { DPoP, ...insecure });
    await expect(oauth.processUserInfoResponse(as, rp, user.id, info)).resolves.toMatchObject({
      sub: user.id,
      email: user.email,
    });
    const asBearer = await fetch(`${provider.issuer}/oauth/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('www-authenticate')).toMatch(/^DPoP .*error="invalid_token"/);

    // A refresh without the key fails and changes nothing: the holder's next refresh still works.
    const refreshToken = tokens.refresh_token as string;
    const stolen = await oauth.refreshTokenGrantRequest(as, rp, oauth.None(), refreshToken, {
      ...insecure,
    });
    await expect(oauth.processRefreshTokenResponse(as, rp, stolen)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const other = oauth.DPoP(rp, (await dpopKey()).keys);
    const otherKey = await oauth.refreshTokenGrantRequest(as, rp, oauth.None(), refreshToken, {
      DPoP: other,
      ...insecure,
    });
    await expect(oauth.processRefreshTokenResponse(as, rp, otherKey)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      rp,
      await oauth.refreshTokenGrantRequest(as, rp, oauth.None(), refreshToken, {
        DPoP,
        ...insecure,
      }),
    );
    expect(refreshed.token_type).toBe('dpop');
    expect(claimsOf(refreshed.access_token).cnf).toEqual({ jkt: key.jkt });
  });

  it('binds a confidential client’s access tokens but not its refresh tokens (RFC 9449 §5)', async () => {
    const client = await createOidcClient(provider.api, {
      first_party: true,
      token_endpoint_auth_method: 'client_secret_basic',
    });
    const auth = oauth.ClientSecretBasic(client.secret as string);
    const key = await dpopKey();
    const { rp, tokens } = await codeFlow(client, key, auth);
    expect(tokens.token_type).toBe('dpop');
    // Its refresh tokens are sender-constrained by the client secret already.
    const plain = await oauth.processRefreshTokenResponse(
      as,
      rp,
      await oauth.refreshTokenGrantRequest(as, rp, auth, tokens.refresh_token as string, insecure),
    );
    expect(plain.token_type).toBe('bearer');
    expect(claimsOf(plain.access_token).cnf).toBeUndefined();

    // Introspection says which key a token is bound to (RFC 9449 §6.2).
    const introspected = await oauth.processIntrospectionResponse(
      as,
      rp,
      await oauth.introspectionRequest(as, rp, auth, tokens.access_token, insecure),
    );
    expect(introspected).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: key.jkt } });
  });

  it('issues bound client-credentials tokens, and demands proofs of a dpop_bound_access_tokens client', async () => {
    const admin = await provider.api
      .http()
      .post('/auth/login')
      .send({ email: 'oauth-admin@example.com', password: 'oauth-admin-password' })
      .expect(200);
    const register = (dpop: boolean) =>
      provider.api
        .http()
        .post('/clients')
        .auth(admin.body.access_token, { type: 'bearer' })
        .send({ name: 'dpop service', scopes: ['stats:read'], dpop_bound_access_tokens: dpop })
        .expect(201);
    const strict = (await register(true)).body;
    expect(strict.dpop_bound_access_tokens).toBe(true);
    const rp: oauth.Client = { client_id: strict.client_id };
    const auth = oauth.ClientSecretBasic(strict.client_secret);
    const withoutProof = await oauth.clientCredentialsGrantRequest(
      as,
      rp,
      auth,
      new URLSearchParams(),
      insecure,
    );
    await expect(
      oauth.processClientCredentialsResponse(as, rp, withoutProof),
    ).rejects.toMatchObject({ error: 'invalid_dpop_proof' });
    const key = await dpopKey();
    const granted = await oauth.processClientCredentialsResponse(
      as,
      rp,
      await oauth.clientCredentialsGrantRequest(as, rp, auth, new URLSearchParams(), {
        DPoP: oauth.DPoP(rp, key.keys),
        ...insecure,
      }),
    );
    expect(granted.token_type).toBe('dpop');
    expect(claimsOf(granted.access_token)).toMatchObject({
      sub: strict.client_id,
      cnf: { jkt: key.jkt },
    });
  });
});

describe('auth-api DPoP server nonces (DPOP_NONCE_REQUIRED) for oauth4webapi', () => {
  let provider: Provider;
  let as: oauth.AuthorizationServer;

  beforeAll(async () => {
    provider = await startProvider({ DPOP_NONCE_REQUIRED: 'true' });
    const issuer = new URL(provider.issuer);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
    );
  });
  afterAll(() => provider?.api.close());

  it('answers use_dpop_nonce with a DPoP-Nonce, and the retry with that nonce succeeds', async () => {
    const admin = await provider.api
      .http()
      .post('/auth/login')
      .send({ email: 'oauth-admin@example.com', password: 'oauth-admin-password' })
      .expect(200);
    const created = await provider.api
      .http()
      .post('/clients')
      .auth(admin.body.access_token, { type: 'bearer' })
      .send({ name: 'nonce service', scopes: ['stats:read'] })
      .expect(201);
    const rp: oauth.Client = { client_id: created.body.client_id };
    const auth = oauth.ClientSecretBasic(created.body.client_secret);
    const DPoP = oauth.DPoP(rp, (await dpopKey()).keys);
    const attempt = () =>
      oauth.clientCredentialsGrantRequest(as, rp, auth, new URLSearchParams(), {
        DPoP,
        ...insecure,
      });
    const first = await attempt();
    expect(first.status).toBe(400);
    expect(first.headers.get('dpop-nonce')).toMatch(/^[\w.-]+$/);
    const error = await oauth.processClientCredentialsResponse(as, rp, first).catch((e) => e);
    expect(oauth.isDPoPNonceError(error)).toBe(true);
    const granted = await oauth.processClientCredentialsResponse(as, rp, await attempt());
    expect(granted.token_type).toBe('dpop');
  });
});
