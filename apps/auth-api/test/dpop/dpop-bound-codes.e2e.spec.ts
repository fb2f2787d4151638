import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';

import { claimsOf } from '../harness';
import { BrowserlessAgent } from '../oidc/browserless-agent';
import {
  callbackParams,
  createOidcClient,
  createUser,
  type OidcClient,
  type Provider,
  REDIRECT_URI,
  startProvider,
  type User,
} from '../oidc/oidc-harness';
import {
  dpopKey,
  type DpopKey,
  hasJwcrypto,
  jwcryptoKey,
  jwcryptoProof,
  proof,
} from './dpop-proofs';

const insecure = { [oauth.allowInsecureRequests]: true };
const withJwcrypto = hasJwcrypto ? it : it.skip;

/**
 * RFC 9449 §10: an authorization code bound to the client's DPoP key, by the `dpop_jkt`
 * authorization-request parameter or by a proof at the pushed authorization request (§10.1). A
 * code stolen from the redirect (browser history, logs, a malicious app on the same scheme) is
 * useless without the private key, even to someone who also stole the PKCE verifier. The client
 * side is oauth4webapi (its own thumbprint, its own proofs) and, for one case, python3-jwcrypto.
 */
describe('auth-api binding authorization codes to a DPoP key (dpop_jkt)', () => {
  let provider: Provider;
  let user: User;
  let as: oauth.AuthorizationServer;
  let spa: OidcClient;
  let web: OidcClient;

  beforeAll(async () => {
    provider = await startProvider();
    user = await createUser(provider.api, 'dpop-jkt-user');
    spa = await createOidcClient(provider.api, { first_party: true });
    web = await createOidcClient(provider.api, {
      first_party: true,
      token_endpoint_auth_method: 'client_secret_post',
    });
    const issuer = new URL(provider.issuer);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
    );
  });
  afterAll(() => provider?.api.close());

  interface Authorized {
    rp: oauth.Client;
    params: URLSearchParams;
    verifier: string;
  }

  function authorizationParams(client: OidcClient, challenge: string, state: string) {
    return {
      client_id: client.clientId,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid email',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
    };
  }

  /** Through the hosted login with `extra` parameters on the authorization URL. */
  async function authorize(client: OidcClient, extra: Record<string, string>): Promise<Authorized> {
    const rp: oauth.Client = { client_id: client.clientId };
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint as string);
    url.search = new URLSearchParams({
      ...authorizationParams(client, await oauth.calculatePKCECodeChallenge(verifier), state),
      ...extra,
    }).toString();
    const callback = await new BrowserlessAgent(provider.issuer).authorize(url, user);
    return { rp, verifier, params: oauth.validateAuthResponse(as, rp, callback, state) };
  }

  /** A pushed authorization request, sent by oauth4webapi with (or without) a DPoP proof. */
  async function authorizePushed(client: OidcClient, key?: DpopKey): Promise<Authorized> {
    const rp: oauth.Client = { client_id: client.clientId };
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const auth = client.secret ? oauth.ClientSecretPost(client.secret) : oauth.None();
    const challenge = await oauth.calculatePKCECodeChallenge(verifier);
    const pushed = await oauth.processPushedAuthorizationResponse(
      as,
      rp,
      await oauth.pushedAuthorizationRequest(
        as,
        rp,
        auth,
        authorizationParams(client, challenge, state),
        { ...(key ? { DPoP: oauth.DPoP(rp, key.keys) } : {}), ...insecure },
      ),
    );
    const url = new URL(as.authorization_endpoint as string);
    url.search = new URLSearchParams({
      client_id: client.clientId,
      request_uri: pushed.request_uri,
    }).toString();
    const callback = await new BrowserlessAgent(provider.issuer).authorize(url, user);
    return { rp, verifier, params: oauth.validateAuthResponse(as, rp, callback, state) };
  }

  function redeem(client: OidcClient, authorized: Authorized, key?: DpopKey) {
    const auth = client.secret ? oauth.ClientSecretPost(client.secret) : oauth.None();
    return oauth.authorizationCodeGrantRequest(
      as,
      authorized.rp,
      auth,
      authorized.params,
      REDIRECT_URI,
      authorized.verifier,
      { ...(key ? { DPoP: oauth.DPoP(authorized.rp, key.keys) } : {}), ...insecure },
    );
  }

  async function refusal(response: Response): Promise<Record<string, unknown>> {
    expect(response.status).toBe(400);
    return (await response.json()) as Record<string, unknown>;
  }

  it('redeems a code bound by dpop_jkt with a proof by that key: DPoP tokens for that key', async () => {
    const key = await dpopKey();
    for (const client of [spa, web]) {
      const rp: oauth.Client = { client_id: client.clientId };
      // oauth4webapi computes the thumbprint itself (RFC 7638).
      const jkt = await oauth.DPoP(rp, key.keys).calculateThumbprint();
      expect(jkt).toBe(key.jkt);
      const authorized = await authorize(client, { dpop_jkt: jkt });
      const tokens = await oauth.processAuthorizationCodeResponse(
        as,
        authorized.rp,
        await redeem(client, authorized, key),
      );
      expect(tokens.token_type).toBe('dpop');
      expect(claimsOf(tokens.access_token).cnf).toEqual({ jkt });
    }
  });

  it('refuses a bound code without a proof, or with a proof by another key, and spends it', async () => {
    const key = await dpopKey();
    const thief = await dpopKey();
    for (const client of [spa, web]) {
      const unproven = await authorize(client, { dpop_jkt: key.jkt });
      expect(await refusal(await redeem(client, unproven))).toMatchObject({
        error: 'invalid_grant',
        error_description: expect.stringContaining('dpop_jkt'),
      });
      // The failed attempt spent the code: the key's holder cannot use it afterwards either.
      expect(await refusal(await redeem(client, unproven, key))).toMatchObject({
        error: 'invalid_grant',
      });

      const stolen = await authorize(client, { dpop_jkt: key.jkt });
      expect(await refusal(await redeem(client, stolen, thief))).toMatchObject({
        error: 'invalid_grant',
      });
      expect(await refusal(await redeem(client, stolen, key))).toMatchObject({
        error: 'invalid_grant',
      });
    }
  });

  it('leaves codes without dpop_jkt as they were: bearer or DPoP at the token request', async () => {
    const bearer = await authorize(spa, {});
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      bearer.rp,
      await redeem(spa, bearer),
    );
    expect(tokens.token_type).toBe('bearer');
    const key = await dpopKey();
    const bound = await authorize(spa, {});
    const dpop = await oauth.processAuthorizationCodeResponse(
      as,
      bound.rp,
      await redeem(spa, bound, key),
    );
    expect(claimsOf(dpop.access_token).cnf).toEqual({ jkt: key.jkt });
  });

  it('redirects a malformed dpop_jkt back with invalid_request, before any login', async () => {
    for (const dpopJkt of ['short', `${'A'.repeat(42)}=`, 'A'.repeat(44), 'ä'.repeat(43)]) {
      const url = new URL(as.authorization_endpoint as string);
      url.search = new URLSearchParams({
        ...authorizationParams(spa, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 's'),
        dpop_jkt: dpopJkt,
      }).toString();
      const landing = await new BrowserlessAgent(provider.issuer).navigate(url);
      expect(landing.redirect).toBeDefined();
      expect(callbackParams(landing.redirect as URL)).toMatchObject({
        error: 'invalid_request',
        state: 's',
      });
    }
    const repeated = new URL(as.authorization_endpoint as string);
    repeated.search = new URLSearchParams({
      ...authorizationParams(spa, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 's'),
    }).toString();
    repeated.searchParams.append('dpop_jkt', (await dpopKey()).jkt);
    repeated.searchParams.append('dpop_jkt', (await dpopKey()).jkt);
    const landing = await new BrowserlessAgent(provider.issuer).navigate(repeated);
    expect(callbackParams(landing.redirect as URL).error).toBe('invalid_request');
  });

  it('binds the code to the key of a proof sent with the pushed authorization request', async () => {
    for (const client of [spa, web]) {
      const key = await dpopKey();
      const authorized = await authorizePushed(client, key);
      const tokens = await oauth.processAuthorizationCodeResponse(
        as,
        authorized.rp,
        await redeem(client, authorized, key),
      );
      expect(claimsOf(tokens.access_token).cnf).toEqual({ jkt: key.jkt });

      const stolen = await authorizePushed(client, key);
      expect(await refusal(await redeem(client, stolen, await dpopKey()))).toMatchObject({
        error: 'invalid_grant',
      });
      const unproven = await authorizePushed(client, key);
      expect(await refusal(await redeem(client, unproven))).toMatchObject({
        error: 'invalid_grant',
      });
    }
    // Without a proof the pushed request binds nothing.
    const plain = await authorizePushed(spa);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      plain.rp,
      await redeem(spa, plain),
    );
    expect(tokens.token_type).toBe('bearer');
  });

  describe('hostile pushed requests', () => {
    const par = () => `${provider.issuer}/oauth/par`;

    async function push(
      headers: Record<string, string>,
      extra: Record<string, string> = {},
    ): Promise<Response> {
      return fetch(par(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({
          ...authorizationParams(spa, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 's'),
          ...extra,
        }),
      });
    }

    it('refuses a proof by another key than the dpop_jkt it carries', async () => {
      const key = await dpopKey();
      const other = await dpopKey();
      const res = await push({ dpop: await proof(key, { htu: par() }) }, { dpop_jkt: other.jkt });
      expect(await refusal(res)).toMatchObject({ error: 'invalid_dpop_proof' });
      const agreeing = await push(
        { dpop: await proof(key, { htu: par() }) },
        { dpop_jkt: key.jkt },
      );
      expect(agreeing.status).toBe(201);
    });

    it('refuses proofs made for another endpoint, replayed or signed with HS256', async () => {
      const key = await dpopKey();
      const forToken = await proof(key, { htu: `${provider.issuer}/oauth/token` });
      expect(await refusal(await push({ dpop: forToken }))).toMatchObject({
        error: 'invalid_dpop_proof',
      });
      const once = await proof(key, { htu: par() });
      expect((await push({ dpop: once })).status).toBe(201);
      expect(await refusal(await push({ dpop: once }))).toMatchObject({
        error: 'invalid_dpop_proof',
      });
      const hs256 = await new SignJWT({
        htm: 'POST',
        htu: par(),
        jti: randomUUID(),
        iat: Math.floor(Date.now() / 1000),
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: key.jwk })
        .sign(new TextEncoder().encode('a shared secret is no proof of possession'));
      expect(await refusal(await push({ dpop: hs256 }))).toMatchObject({
        error: 'invalid_dpop_proof',
      });
      expect(await refusal(await push({ dpop: 'not a jwt' }))).toMatchObject({
        error: 'invalid_dpop_proof',
      });
    });
  });

  withJwcrypto('takes a thumbprint and proof made by python3-jwcrypto', async () => {
    const { key, jkt } = jwcryptoKey();
    const authorized = await authorize(spa, { dpop_jkt: jkt });
    const tokenEndpoint = as.token_endpoint as string;
    const res = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        dpop: jwcryptoProof(key, 'POST', tokenEndpoint),
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: spa.clientId,
        code: authorized.params.get('code') as string,
        redirect_uri: REDIRECT_URI,
        code_verifier: authorized.verifier,
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token_type: string; access_token: string };
    expect(body.token_type).toBe('DPoP');
    expect(claimsOf(body.access_token).cnf).toEqual({ jkt });
  });
});
