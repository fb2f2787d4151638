import { auth0Issuer } from './auth0.issuer';
import { authApiIssuer } from './auth-api.issuer';
import { cognitoIssuer } from './cognito.issuer';
import { entraIdIssuer } from './entra-id.issuer';
import { FIREBASE_X509_URL, firebaseIssuer } from './firebase.issuer';
import { keycloakIssuer } from './keycloak.issuer';
import { oktaIssuer } from './okta.issuer';
import { resolveAuthOptions } from './resolved-auth-options';
import { supabaseIssuer } from './supabase.issuer';
import { zitadelIssuer } from './zitadel.issuer';

/** The exact issuers and key URL a preset config resolves to: what a real provider must match. */
function resolved(config: Parameters<typeof resolveAuthOptions>[0]['issuers']) {
  const [issuer] = resolveAuthOptions({ issuers: config }).issuers;
  const source = issuer.keySource;
  return {
    issuers: [...issuer.issuers.keys()],
    keys: 'uri' in source ? source.uri : source.kind,
    algorithms: [...issuer.algorithms],
    headerTypes: [...issuer.headerTypes].sort(),
  };
}

describe('issuer presets (the providers’ real URLs)', () => {
  it.each([
    [
      'auth-api',
      authApiIssuer({ issuer: 'https://auth.example.com/', audience: 'api' }),
      ['https://auth.example.com'],
      'https://auth.example.com/.well-known/jwks.json',
    ],
    [
      'Keycloak',
      keycloakIssuer({ baseUrl: 'https://sso.example.com/', realm: 'staff', clientId: 'api' }),
      ['https://sso.example.com/realms/staff'],
      'https://sso.example.com/realms/staff/protocol/openid-connect/certs',
    ],
    [
      'Keycloak before 17',
      keycloakIssuer({ baseUrl: 'https://sso.example.com/auth', realm: 'staff', clientId: 'api' }),
      ['https://sso.example.com/auth/realms/staff'],
      'https://sso.example.com/auth/realms/staff/protocol/openid-connect/certs',
    ],
    [
      'Auth0',
      auth0Issuer({ domain: 'Example.eu.auth0.com', audience: 'https://api' }),
      ['https://example.eu.auth0.com/'],
      'https://example.eu.auth0.com/.well-known/jwks.json',
    ],
    [
      'Cognito',
      cognitoIssuer({ region: 'eu-west-1', userPoolId: 'eu-west-1_AbC123', clientIds: ['c'] }),
      ['https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123'],
      'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json',
    ],
    [
      'Entra ID, one tenant',
      entraIdIssuer({ tenantId: 't-1', audience: 'a' }),
      ['https://login.microsoftonline.com/t-1/v2.0'],
      'https://login.microsoftonline.com/t-1/discovery/v2.0/keys',
    ],
    [
      'Entra ID, two tenants and v1',
      entraIdIssuer({ tenants: ['t-1', 't-2'], audience: 'a', v1: true }),
      [
        'https://login.microsoftonline.com/t-1/v2.0',
        'https://sts.windows.net/t-1/',
        'https://login.microsoftonline.com/t-2/v2.0',
        'https://sts.windows.net/t-2/',
      ],
      'https://login.microsoftonline.com/common/discovery/v2.0/keys',
    ],
    [
      'Okta',
      oktaIssuer({ domain: 'example.okta.com' }),
      ['https://example.okta.com/oauth2/default'],
      'https://example.okta.com/oauth2/default/v1/keys',
    ],
    [
      'Zitadel',
      zitadelIssuer({ issuer: 'https://acme.zitadel.cloud', projectId: '123' }),
      ['https://acme.zitadel.cloud'],
      'https://acme.zitadel.cloud/oauth/v2/keys',
    ],
    [
      'Supabase',
      supabaseIssuer({ projectRef: 'abcdefghijklmnop' }),
      ['https://abcdefghijklmnop.supabase.co/auth/v1'],
      'https://abcdefghijklmnop.supabase.co/auth/v1/.well-known/jwks.json',
    ],
    [
      'Firebase',
      firebaseIssuer({ projectId: 'my-app-12345' }),
      ['https://securetoken.google.com/my-app-12345'],
      FIREBASE_X509_URL,
    ],
  ])('%s', (_, config, issuers, keys) => {
    const r = resolved([config]);
    expect(r.issuers).toEqual(issuers);
    expect(r.keys).toBe(keys);
    expect(r.algorithms).not.toContain('HS256');
  });

  it('keeps auth-api strict (at+jwt only), and lets only Cognito and Okta omit typ', () => {
    expect(
      resolved([authApiIssuer({ issuer: 'https://a.test', audience: 'x' })]).headerTypes,
    ).toEqual(['at+jwt']);
    expect(
      resolved([
        cognitoIssuer({ region: 'eu-west-1', userPoolId: 'eu-west-1_A1', clientIds: ['c'] }),
      ]).headerTypes,
    ).toContain('none');
    expect(resolved([oktaIssuer({ domain: 'example.okta.com' })]).headerTypes).toContain('none');
    for (const config of [
      keycloakIssuer({ baseUrl: 'https://s.test', realm: 'r', clientId: 'c' }),
      auth0Issuer({ domain: 'e.auth0.com', audience: 'x' }),
      entraIdIssuer({ tenantId: 't', audience: 'x' }),
      zitadelIssuer({ issuer: 'https://z.test', projectId: '1' }),
      supabaseIssuer({ projectRef: 'p' }),
      firebaseIssuer({ projectId: 'p' }),
    ]) {
      expect(resolved([config]).headerTypes).not.toContain('none');
    }
  });

  it.each([
    [
      'an Auth0 domain with a scheme',
      () => auth0Issuer({ domain: 'https://e.auth0.com', audience: 'x' }),
    ],
    [
      'an Auth0 domain with a path',
      () => auth0Issuer({ domain: 'e.auth0.com/evil', audience: 'x' }),
    ],
    [
      'a Keycloak realm with a slash',
      () => keycloakIssuer({ baseUrl: 'https://s.test', realm: 'a/b', clientId: 'c' }),
    ],
    [
      'a Keycloak base URL with a query',
      () => keycloakIssuer({ baseUrl: 'https://s.test?x=1', realm: 'r', clientId: 'c' }),
    ],
    [
      'a Cognito pool of another region',
      () => cognitoIssuer({ region: 'eu-west-1', userPoolId: 'us-east-1_A1', clientIds: ['c'] }),
    ],
    [
      'a Supabase project given twice',
      () => supabaseIssuer({ projectRef: 'p', projectUrl: 'https://p.test' }),
    ],
    ['a Firebase project id with a slash', () => firebaseIssuer({ projectId: 'a/b' })],
    [
      'an Okta server id with a slash',
      () => oktaIssuer({ domain: 'e.okta.com', authorizationServerId: '../x' }),
    ],
  ])('refuses %s', (_, build) => {
    expect(build).toThrow('@jwt-token/auth: invalid options');
  });
});
