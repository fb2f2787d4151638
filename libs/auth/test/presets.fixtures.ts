import { randomUUID } from 'node:crypto';

import {
  auth0Issuer,
  authApiIssuer,
  cognitoIssuer,
  entraIdIssuer,
  firebaseIssuer,
  type IssuerConfig,
  keycloakIssuer,
  oktaIssuer,
  supabaseIssuer,
  zitadelIssuer,
} from '../src';
import type { IdpServer } from './idp-server';
import { signJws } from '../src/testing/sign-jws';
import { ProviderKey, times } from './issuer-tokens';
import { X509_CERT, X509_KEY } from './x509-fixture';

export const TENANT_1 = '9188040d-6c67-4c5b-b112-36a304b66dad';
export const TENANT_2 = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const TENANT_OUTSIDE = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
export const ENTRA_API = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
const AUTH0_DOMAIN = 'example.eu.auth0.com';
const COGNITO_ISS = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123';
const OKTA_ISS = 'https://example.okta.com/oauth2/default';
const ZITADEL_ISS = 'https://example-abc123.zitadel.cloud';
const ZITADEL_PROJECT = '249842349842';
const SUPABASE_ISS = 'https://abcdefghijklmnop.supabase.co/auth/v1';
const FIREBASE_PROJECT = 'my-app-12345';
const FIREBASE_KID = 'fb-1';

/** Claims a token grants, in any provider's layout: what the HTTP tests ask of each. */
export interface Grant {
  sub: string;
  roles: string[];
  scopes: string[];
}

/** One provider: its preset config, and tokens laid out exactly as it lays them out. */
export interface Provider {
  name: string;
  issuer: string;
  key: ProviderKey | null;
  config: (idp: IdpServer) => IssuerConfig;
  /** An access token granting `grant`, with `extra` claims merged over the layout. */
  accessToken: (
    grant: Grant,
    extra?: Record<string, unknown>,
    header?: Record<string, unknown>,
  ) => string;
  /** An ID token of the provider, or `null` where ID tokens are the bearers. */
  idToken: (() => string) | null;
  /** Whether the provider's tokens carry scopes this library reads. */
  hasScopes: boolean;
}

const uuid = () => randomUUID();

/** The nine presets, with local key endpoints standing in for the providers' (same key layout). */
export function providers(): Provider[] {
  const keycloak = new ProviderKey('RS256', { typ: 'JWT' });
  const auth0 = new ProviderKey('RS256', { typ: 'JWT' });
  const cognito = new ProviderKey('RS256', {});
  const entra = new ProviderKey('RS256', { typ: 'JWT' });
  const okta = new ProviderKey('RS256', {});
  const zitadel = new ProviderKey('RS256', { typ: 'JWT' });
  const supabase = new ProviderKey('ES256', { typ: 'JWT' });
  const authApi = new ProviderKey('ES256', { typ: 'at+jwt' });
  let keycloakIss = '';
  let authApiIss = '';
  const list: Provider[] = [
    {
      name: 'keycloak',
      get issuer() {
        return keycloakIss;
      },
      key: keycloak,
      config: (idp) => {
        keycloakIss = `${idp.origin}/realms/staff`;
        idp.json('/realms/staff/protocol/openid-connect/certs', () => keycloak.jwks());
        return keycloakIssuer({ baseUrl: idp.origin, realm: 'staff', clientId: 'orders-api' });
      },
      accessToken: (g, extra = {}, header) =>
        keycloak.sign(
          {
            ...times(),
            jti: uuid(),
            iss: keycloakIss,
            aud: ['orders-api', 'account'],
            sub: g.sub,
            typ: 'Bearer',
            azp: 'web-app',
            session_state: uuid(),
            acr: '1',
            'allowed-origins': ['https://app.example.com'],
            realm_access: { roles: ['offline_access', ...g.roles.slice(0, 1)] },
            resource_access: {
              'orders-api': { roles: g.roles.slice(1) },
              account: { roles: ['manage-account', 'admin'] },
            },
            scope: ['openid', 'profile', ...g.scopes].join(' '),
            sid: uuid(),
            preferred_username: 'ada',
            ...extra,
          },
          header,
        ),
      idToken: () =>
        keycloak.sign({
          ...times(),
          iss: keycloakIss,
          aud: 'orders-api',
          sub: 'u-1',
          typ: 'ID',
          azp: 'orders-api',
          nonce: 'n-1',
          at_hash: 'abc',
          realm_access: { roles: ['admin'] },
        }),
      hasScopes: true,
    },
    {
      name: 'auth0',
      issuer: `https://${AUTH0_DOMAIN}/`,
      key: auth0,
      config: (idp) => {
        idp.json('/auth0/jwks.json', () => auth0.jwks());
        return auth0Issuer({
          domain: AUTH0_DOMAIN,
          audience: 'https://orders.example.com',
          rolesClaim: 'https://example.com/roles',
          jwksUri: `${idp.origin}/auth0/jwks.json`,
        });
      },
      accessToken: (g, extra = {}, header) =>
        auth0.sign(
          {
            iss: `https://${AUTH0_DOMAIN}/`,
            sub: g.sub,
            aud: ['https://orders.example.com', `https://${AUTH0_DOMAIN}/userinfo`],
            ...times(),
            azp: 'SPAclientId123',
            scope: ['openid', 'profile', ...g.scopes].join(' '),
            permissions: g.roles.slice(0, 1),
            'https://example.com/roles': g.roles.slice(1),
            ...extra,
          },
          header,
        ),
      idToken: () =>
        auth0.sign({
          iss: `https://${AUTH0_DOMAIN}/`,
          sub: 'auth0|u-1',
          aud: 'https://orders.example.com', // even with the API as audience: nonce gives it away
          ...times(),
          sid: 's',
          nonce: 'n',
          name: 'Ada',
          permissions: ['admin'],
        }),
      hasScopes: true,
    },
    {
      name: 'cognito',
      issuer: COGNITO_ISS,
      key: cognito,
      config: (idp) => {
        idp.json('/cognito/jwks.json', () => cognito.jwks());
        return cognitoIssuer({
          region: 'eu-west-1',
          userPoolId: 'eu-west-1_AbCdEf123',
          clientIds: ['5t9c2kexampleclient'],
          jwksUri: `${idp.origin}/cognito/jwks.json`,
        });
      },
      accessToken: (g, extra = {}, header) =>
        cognito.sign(
          {
            sub: g.sub,
            'cognito:groups': g.roles,
            iss: COGNITO_ISS,
            version: 2,
            client_id: '5t9c2kexampleclient',
            origin_jti: uuid(),
            event_id: uuid(),
            token_use: 'access',
            scope: ['aws.cognito.signin.user.admin', ...g.scopes].join(' '),
            auth_time: times().iat,
            ...times(),
            jti: uuid(),
            username: 'ada',
            ...extra,
          },
          header,
        ),
      idToken: () =>
        cognito.sign({
          sub: 'u-1',
          'cognito:groups': ['admin'],
          email_verified: true,
          iss: COGNITO_ISS,
          'cognito:username': 'ada',
          origin_jti: uuid(),
          aud: '5t9c2kexampleclient',
          client_id: '5t9c2kexampleclient', // even a forged client_id does not make it an access token
          event_id: uuid(),
          token_use: 'id',
          auth_time: times().iat,
          ...times(),
          jti: uuid(),
        }),
      hasScopes: true,
    },
    {
      name: 'entra',
      issuer: `https://login.microsoftonline.com/${TENANT_1}/v2.0`,
      key: entra,
      config: (idp) => {
        idp.json('/entra/keys', () => entra.jwks());
        return entraIdIssuer({
          tenants: [TENANT_1, TENANT_2],
          audience: ENTRA_API,
          jwksUri: `${idp.origin}/entra/keys`,
        });
      },
      accessToken: (g, extra = {}, header) =>
        entra.sign(
          {
            aud: ENTRA_API,
            iss: `https://login.microsoftonline.com/${TENANT_1}/v2.0`,
            ...times(),
            nbf: times().iat,
            aio: 'AXQAi/8TAAAA',
            azp: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
            azpacr: '0',
            name: 'Ada Lovelace',
            oid: uuid(),
            preferred_username: 'ada@contoso.com',
            rh: '0.AAAA',
            roles: g.roles.slice(0, 1),
            groups: g.roles.slice(1),
            scp: g.scopes.join(' '),
            sub: g.sub,
            tid: TENANT_1,
            uti: 'fqiBqXLPj0eQa82S-IYFAA',
            ver: '2.0',
            ...extra,
          },
          header,
        ),
      idToken: () =>
        entra.sign({
          aud: ENTRA_API,
          iss: `https://login.microsoftonline.com/${TENANT_1}/v2.0`,
          ...times(),
          nonce: 'n',
          oid: uuid(),
          roles: ['admin'],
          sub: 'u-1',
          tid: TENANT_1,
          ver: '2.0',
        }),
      hasScopes: true,
    },
    {
      name: 'okta',
      issuer: OKTA_ISS,
      key: okta,
      config: (idp) => {
        idp.json('/okta/v1/keys', () => okta.jwks());
        return oktaIssuer({ domain: 'example.okta.com', jwksUri: `${idp.origin}/okta/v1/keys` });
      },
      accessToken: (g, extra = {}, header) =>
        okta.sign(
          {
            ver: 1,
            jti: `AT.${uuid()}`,
            iss: OKTA_ISS,
            aud: 'api://default',
            ...times(),
            cid: '0oa1b2c3d4e5f6g7h8i9',
            uid: '00u1a2b3c4d5e6f7g8h9',
            scp: ['openid', ...g.scopes],
            auth_time: times().iat,
            sub: g.sub,
            groups: g.roles,
            ...extra,
          },
          header,
        ),
      idToken: () =>
        okta.sign({
          sub: '00u1',
          ver: 1,
          iss: OKTA_ISS,
          aud: 'api://default',
          ...times(),
          jti: `ID.${uuid()}`,
          amr: ['pwd'],
          idp: '00o1',
          nonce: 'n',
          auth_time: times().iat,
          at_hash: 'h',
          groups: ['admin'],
        }),
      hasScopes: true,
    },
    {
      name: 'zitadel',
      issuer: ZITADEL_ISS,
      key: zitadel,
      config: (idp) => {
        idp.json('/zitadel/oauth/v2/keys', () => zitadel.jwks());
        return zitadelIssuer({
          issuer: ZITADEL_ISS,
          projectId: ZITADEL_PROJECT,
          jwksUri: `${idp.origin}/zitadel/oauth/v2/keys`,
        });
      },
      accessToken: (g, extra = {}, header) =>
        zitadel.sign(
          {
            aud: ['249842350011@orders', ZITADEL_PROJECT],
            client_id: '249842350011@orders',
            ...times(),
            nbf: times().iat,
            iss: ZITADEL_ISS,
            jti: uuid(),
            sub: g.sub,
            scope: ['openid', ...g.scopes].join(' '),
            'urn:zitadel:iam:org:project:roles': Object.fromEntries(
              g.roles.slice(0, 1).map((r) => [r, { '2498423': 'acme.zitadel.cloud' }]),
            ),
            [`urn:zitadel:iam:org:project:${ZITADEL_PROJECT}:roles`]: Object.fromEntries(
              g.roles.slice(1).map((r) => [r, { '2498423': 'acme.zitadel.cloud' }]),
            ),
            ...extra,
          },
          header,
        ),
      idToken: () =>
        zitadel.sign({
          amr: ['password', 'pwd'],
          at_hash: 'h',
          aud: ['249842350011@orders', ZITADEL_PROJECT],
          auth_time: times().iat,
          azp: '249842350011@orders',
          client_id: '249842350011@orders',
          ...times(),
          iss: ZITADEL_ISS,
          sub: 'u-1',
        }),
      hasScopes: true,
    },
    {
      name: 'supabase',
      issuer: SUPABASE_ISS,
      key: supabase,
      config: (idp) => {
        idp.json('/supabase/jwks.json', () => supabase.jwks());
        return supabaseIssuer({
          projectRef: 'abcdefghijklmnop',
          jwksUri: `${idp.origin}/supabase/jwks.json`,
        });
      },
      accessToken: (g, extra = {}, header) =>
        supabase.sign(
          {
            iss: SUPABASE_ISS,
            sub: g.sub,
            aud: 'authenticated',
            ...times(),
            email: 'ada@example.com',
            phone: '',
            app_metadata: { provider: 'email', providers: ['email'], roles: g.roles },
            user_metadata: { email_verified: true },
            role: 'authenticated',
            aal: 'aal1',
            amr: [{ method: 'password', timestamp: times().iat }],
            session_id: uuid(),
            is_anonymous: false,
            ...extra,
          },
          header,
        ),
      idToken: null,
      hasScopes: false,
    },
    {
      name: 'firebase',
      issuer: `https://securetoken.google.com/${FIREBASE_PROJECT}`,
      key: null,
      config: (idp) => {
        idp.json('/x509/securetoken', () => ({ [FIREBASE_KID]: X509_CERT }), {
          'cache-control': 'public, max-age=19302, must-revalidate, no-transform',
        });
        return firebaseIssuer({
          projectId: FIREBASE_PROJECT,
          jwksUri: `${idp.origin}/x509/securetoken`,
        });
      },
      accessToken: (g, extra = {}, header = {}) =>
        signJws(
          X509_KEY,
          'RS256',
          { alg: 'RS256', kid: FIREBASE_KID, typ: 'JWT', ...header },
          {
            iss: `https://securetoken.google.com/${FIREBASE_PROJECT}`,
            aud: FIREBASE_PROJECT,
            auth_time: times().iat - 60,
            user_id: g.sub,
            sub: g.sub,
            ...times(),
            email: 'ada@example.com',
            email_verified: true,
            firebase: { identities: { email: ['ada@example.com'] }, sign_in_provider: 'password' },
            roles: g.roles,
            ...extra,
          },
        ),
      idToken: null,
      hasScopes: false,
    },
    {
      name: 'auth-api',
      get issuer() {
        return authApiIss;
      },
      key: authApi,
      config: (idp) => {
        authApiIss = `${idp.origin}/auth-api`;
        idp.json('/auth-api/.well-known/jwks.json', () => authApi.jwks());
        return authApiIssuer({ issuer: authApiIss, audience: 'orders-api' });
      },
      accessToken: (g, extra = {}, header) =>
        authApi.sign(
          {
            iss: authApiIss,
            sub: g.sub,
            aud: 'orders-api',
            ...times(),
            jti: uuid(),
            client_id: 'web',
            scope: g.scopes.join(' '),
            roles: g.roles,
            ...extra,
          },
          header,
        ),
      idToken: null,
      hasScopes: true,
    },
  ];
  return list;
}
