import { createLocalJWKSet, importJWK, type JSONWebKeySet } from 'jose';

import { type Provider, startProvider } from './oidc-harness';

type Metadata = Record<string, unknown> & { issuer: string; jwks_uri: string };

/** OIDC Discovery §3 and RFC 8414 §2: what every OpenID Provider's configuration must carry. */
const REQUIRED = [
  'issuer',
  'authorization_endpoint',
  'token_endpoint',
  'jwks_uri',
  'response_types_supported',
  'subject_types_supported',
  'id_token_signing_alg_values_supported',
];

/** The OpenID Foundation Config OP modules (discovery document sanity), replicated. */
describe('OpenID Foundation Config OP modules (discovery)', () => {
  let provider: Provider;
  let metadata: Metadata;
  let res: globalThis.Response;

  beforeAll(async () => {
    provider = await startProvider();
    res = await fetch(`${provider.issuer}/.well-known/openid-configuration`);
    metadata = (await res.json()) as Metadata;
  });
  afterAll(() => provider?.api.close());

  it('oidcc-discovery-endpoint-verification: JSON with every required field', () => {
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    for (const field of REQUIRED) expect(metadata).toHaveProperty(field);
  });

  it('oidcc-discovery-issuer-not-matching-config: issuer equals the URL prefix discovery was fetched from', () => {
    expect(metadata.issuer).toBe(provider.issuer);
    // OIDC Discovery §4.3: exactly, without a trailing slash added or dropped.
    expect(metadata.issuer.endsWith('/')).toBe(false);
  });

  it('oidcc-discovery-*: the endpoints of the interface, on the issuer', () => {
    const { issuer } = provider;
    expect(metadata).toMatchObject({
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/oauth/token`,
      userinfo_endpoint: `${issuer}/oauth/userinfo`,
      end_session_endpoint: `${issuer}/oauth/logout`,
    });
    expect(new URL(metadata.jwks_uri).origin).toBe(new URL(issuer).origin);
  });

  it('oidcc-discovery-*: code flow with S256 only, iss in responses, public subjects', () => {
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    expect(metadata.subject_types_supported).toEqual(['public']);
    expect(metadata.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token']),
    );
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['none', 'client_secret_basic', 'client_secret_post']),
    );
  });

  it('oidcc-discovery-*: ES256 and RS256 ID tokens; never "none"', () => {
    const algs = metadata.id_token_signing_alg_values_supported as string[];
    expect(algs).toEqual(expect.arrayContaining(['ES256', 'RS256']));
    expect(algs).not.toContain('none');
  });

  it('oidcc-discovery-*: scopes openid, profile, email; claims_supported lists the ID token claims', () => {
    expect(metadata.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email']),
    );
    expect(metadata.claims_supported).toEqual(
      expect.arrayContaining(['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'email']),
    );
  });

  it('oidcc-discovery-jwks: reachable, public keys only, unique kids, usable as published', async () => {
    const jwksRes = await fetch(metadata.jwks_uri);
    expect(jwksRes.status).toBe(200);
    const jwks = (await jwksRes.json()) as JSONWebKeySet;
    expect(jwks.keys.length).toBeGreaterThan(0);
    const kids = jwks.keys.map((key) => key.kid);
    expect(new Set(kids).size).toBe(kids.length);
    for (const key of jwks.keys) {
      expect(key.kid).toEqual(expect.any(String));
      // No private parts (d; RSA's p, q, dp, dq, qi) ever published.
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])
        expect(key).not.toHaveProperty(secret);
      await expect(importJWK(key, key.alg)).resolves.toBeDefined();
    }
    // The ES256 default is always there; an RSA key may appear once an RS256 client needs one
    // (the RS256 suites verify their ID tokens against this JWKS).
    expect(jwks.keys.map((key) => key.kty)).toContain('EC');
    expect(() => createLocalJWKSet(jwks)).not.toThrow();
  });

  it('RFC 8414 metadata in step: the same issuer and endpoints at /.well-known/oauth-authorization-server', async () => {
    const oauthRes = await fetch(`${provider.issuer}/.well-known/oauth-authorization-server`);
    expect(oauthRes.status).toBe(200);
    const oauthMetadata = (await oauthRes.json()) as Metadata;
    for (const field of [
      'issuer',
      'authorization_endpoint',
      'token_endpoint',
      'jwks_uri',
      'code_challenge_methods_supported',
      'response_types_supported',
      'authorization_response_iss_parameter_supported',
    ])
      expect(oauthMetadata[field]).toEqual(metadata[field]);
  });
});
