import { Controller, Get, Logger, type INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { createHmac, createPublicKey } from 'node:crypto';
import request from 'supertest';

import {
  AuthModule,
  CurrentUser,
  entraIdIssuer,
  type IssuerConfig,
  type TokenVerifier,
} from '../src';
import { IdpServer } from './idp-server';
import { ProviderKey, times } from './issuer-tokens';
import { createModuleVerifier } from './multi-issuer-harness';
import {
  ENTRA_API,
  type Grant,
  type Provider,
  providers,
  TENANT_1,
  TENANT_2,
  TENANT_OUTSIDE,
} from './presets.fixtures';
import { StepUpController } from './step-up.controller';
import { DemoController } from './test-app';
import { b64url, codeOf } from './verifier-harness';
import { X509_CERT } from './x509-fixture';

@Controller('who')
class WhoController {
  @Get()
  who(@CurrentUser('issuer') issuer: string, @CurrentUser('tenant') tenant: string | undefined) {
    return { issuer, tenant: tenant ?? null };
  }
}

const GRANT: Grant = {
  sub: 'u-42',
  roles: ['admin', 'auditor'],
  scopes: ['stats:read', 'stats:list'],
};

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}

/** The provider's public key as PEM: what an HS256 forgery would use as its secret. */
function publicPem(provider: Provider): string {
  if (!provider.key) return X509_CERT;
  return createPublicKey(provider.key.store.signingKey.privateKey)
    .export({ type: 'spki', format: 'pem' })
    .toString();
}

describe('issuer presets', () => {
  let idp: IdpServer;
  let list: Provider[];
  let configs: IssuerConfig[];
  let verifier: TokenVerifier;
  const byName = (name: string) => list.find((p) => p.name === name)!;

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    idp = await IdpServer.start();
    list = providers();
    configs = list.map((p) => p.config(idp));
    // All nine in one module: every kid, alg and typ rule is tested against its neighbours too.
    verifier = createModuleVerifier({ issuers: configs }).verifier;
  });

  afterAll(async () => {
    await idp.stop();
    jest.restoreAllMocks();
  });

  const NAMES = [
    'keycloak',
    'auth0',
    'cognito',
    'entra',
    'okta',
    'zitadel',
    'supabase',
    'firebase',
    'auth-api',
  ];

  describe.each(NAMES)('%s', (name) => {
    const provider = () => byName(name);

    it("accepts its access token and maps the provider's roles and scopes", async () => {
      const p = provider();
      const principal = await verifier.verify(p.accessToken(GRANT));
      expect(principal.issuer).toBe(p.issuer);
      expect(principal.sub).toBe(GRANT.sub);
      expect(principal.roles).toEqual(expect.arrayContaining(GRANT.roles));
      expect(principal.roles).not.toContain('manage-account'); // another client's roles
      if (p.hasScopes) expect(principal.scopes).toEqual(expect.arrayContaining(GRANT.scopes));
    });

    it('refuses another issuer', async () => {
      const p = provider();
      for (const iss of [
        `${p.issuer}x`,
        p.issuer.startsWith('https:')
          ? p.issuer.replace('https:', 'http:')
          : p.issuer.replace('http:', 'https:'),
        'https://evil.test',
      ]) {
        expect(await codeOf(verifier.verify(p.accessToken(GRANT, { iss })))).toBe(
          'ERR_ISSUER_INVALID',
        );
      }
    });

    it("refuses its claims signed by another issuer's key, under that issuer's kid", async () => {
      const p = provider();
      const mine = p.accessToken(GRANT);
      const alg = headerOf(mine).alg;
      const other = list.find((o) => o !== p && o.key && o.key.alg === alg)!.key as ProviderKey;
      const forged = other.sign(payloadOf(mine), { ...headerOf(mine), kid: other.kid });
      expect(await codeOf(verifier.verify(forged))).toBe('ERR_KID_UNKNOWN');
    });

    it('refuses an ID token presented as an access token', async () => {
      const p = provider();
      if (!p.idToken) return; // Firebase's bearers are ID tokens; Supabase and auth-api issue none here
      expect(await codeOf(verifier.verify(p.idToken()))).toBe('ERR_TYP_INVALID');
    });

    it('refuses alg confusion: HS256 keyed with its public key, alg none', async () => {
      const p = provider();
      const payload = payloadOf(p.accessToken(GRANT));
      const header = headerOf(p.accessToken(GRANT));
      const input = `${b64url({ ...header, alg: 'HS256' })}.${b64url(payload)}`;
      const hmac = createHmac('sha256', publicPem(p)).update(input).digest('base64url');
      expect(await codeOf(verifier.verify(`${input}.${hmac}`))).toBe('ERR_ALG_NOT_ALLOWED');
      const none = `${b64url({ ...header, alg: 'none' })}.${b64url(payload)}.c2ln`;
      expect(await codeOf(verifier.verify(none))).toBe('ERR_ALG_NOT_ALLOWED');
    });

    it('refuses an expired token and a tampered one', async () => {
      const p = provider();
      const { iat } = times();
      const expired = p.accessToken(GRANT, { iat: iat - 600, exp: iat - 60 });
      expect(await codeOf(verifier.verify(expired))).toBe('ERR_TOKEN_EXPIRED');
      const token = p.accessToken(GRANT);
      const [h, , s] = token.split('.');
      const tampered = `${h}.${b64url({ ...payloadOf(token), sub: 'someone-else' })}.${s}`;
      expect(await codeOf(verifier.verify(tampered))).toBe('ERR_SIGNATURE_INVALID');
    });
  });

  describe('provider specifics', () => {
    it('keycloak: refuses a token whose aud is only account, and a refresh token', async () => {
      const kc = byName('keycloak');
      expect(await codeOf(verifier.verify(kc.accessToken(GRANT, { aud: 'account' })))).toBe(
        'ERR_AUDIENCE_INVALID',
      );
      expect(await codeOf(verifier.verify(kc.accessToken(GRANT, { typ: 'Refresh' })))).toBe(
        'ERR_TYP_INVALID',
      );
    });

    it('cognito: refuses an ID token even with a client_id, and an unknown app client', async () => {
      const cognito = byName('cognito');
      expect(await codeOf(verifier.verify(cognito.idToken!()))).toBe('ERR_TYP_INVALID');
      expect(
        await codeOf(verifier.verify(cognito.accessToken(GRANT, { client_id: 'other-client' }))),
      ).toBe('ERR_AUDIENCE_INVALID');
    });

    it('supabase: refuses the anon and service_role keys and legacy HS256 tokens', async () => {
      const sb = byName('supabase');
      const anon = sb.accessToken(GRANT, { role: 'anon', sub: undefined, aud: undefined });
      expect(await codeOf(verifier.verify(anon))).toBe('ERR_CLAIM_INVALID'); // no sub
      const anonWithSub = sb.accessToken(GRANT, { role: 'anon' });
      expect(await codeOf(verifier.verify(anonWithSub))).toBe('ERR_TYP_INVALID');
      const service = sb.accessToken(GRANT, { role: 'service_role' });
      expect(await codeOf(verifier.verify(service))).toBe('ERR_TYP_INVALID');
      const legacy = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ iss: 'supabase', ref: 'abcdefghijklmnop', role: 'anon', ...times() })}.c2ln`;
      expect(await codeOf(verifier.verify(legacy))).toBe('ERR_ALG_NOT_ALLOWED');
    });

    it('entra: accepts an allowed tenant, refuses one outside the allowlist or a tid mismatch', async () => {
      const entra = byName('entra');
      const second = `https://login.microsoftonline.com/${TENANT_2}/v2.0`;
      const principal = await verifier.verify(
        entra.accessToken(GRANT, { iss: second, tid: TENANT_2 }),
      );
      expect([principal.issuer, principal.tenant]).toEqual([second, TENANT_2]);
      const outside = `https://login.microsoftonline.com/${TENANT_OUTSIDE}/v2.0`;
      for (const claims of [
        { iss: outside, tid: TENANT_OUTSIDE },
        { iss: second, tid: TENANT_1 },
        { iss: 'https://login.microsoftonline.com/common/v2.0' },
        { iss: `https://sts.windows.net/${TENANT_1}/` }, // v1 not enabled
      ]) {
        expect(await codeOf(verifier.verify(entra.accessToken(GRANT, claims)))).toBe(
          'ERR_ISSUER_INVALID',
        );
      }
    });

    it('entra: a groups overage fails closed; v1 tokens pass only when enabled', async () => {
      const entra = byName('entra');
      const overage = entra.accessToken(GRANT, {
        groups: undefined,
        _claim_names: { groups: 'src1' },
        _claim_sources: {
          src1: { endpoint: 'https://graph.microsoft.com/v1.0/users/x/getMemberObjects' },
        },
      });
      expect(await codeOf(verifier.verify(overage))).toBe('ERR_CLAIM_INVALID');
      const v1 = createModuleVerifier({
        issuers: [
          entraIdIssuer({
            tenantId: TENANT_1,
            audience: ['api://orders', ENTRA_API],
            v1: true,
            jwksUri: `${idp.origin}/entra/keys`,
          }),
        ],
      }).verifier;
      const v1Token = entra.accessToken(GRANT, {
        iss: `https://sts.windows.net/${TENANT_1}/`,
        aud: 'api://orders',
        ver: '1.0',
        azp: undefined,
        azpacr: undefined,
        appid: 'c44b4083',
        appidacr: '1',
      });
      expect((await v1.verify(v1Token)).clientId).toBe('c44b4083');
      expect(
        await codeOf(
          v1.verify(
            entra.accessToken(GRANT, {
              iss: `https://login.microsoftonline.com/${TENANT_2}/v2.0`,
              tid: TENANT_2,
            }),
          ),
        ),
      ).toBe('ERR_ISSUER_INVALID');
    });

    it('okta: refuses scp as a string, since Okta sends an array', async () => {
      const okta = byName('okta');
      expect(await codeOf(verifier.verify(okta.accessToken(GRANT, { scp: 'stats:read' })))).toBe(
        'ERR_CLAIM_INVALID',
      );
    });

    it('firebase: refuses an empty sub, an auth_time in the future, another project', async () => {
      const fb = byName('firebase');
      for (const [claims, code] of [
        [{ sub: '' }, 'ERR_CLAIM_INVALID'],
        [{ auth_time: times().iat + 3600 }, 'ERR_TOKEN_NOT_YET_VALID'],
        [{ auth_time: undefined }, 'ERR_CLAIM_INVALID'],
        [{ aud: 'other-project' }, 'ERR_AUDIENCE_INVALID'],
      ] as const) {
        expect(await codeOf(verifier.verify(fb.accessToken(GRANT, claims)))).toBe(code);
      }
    });

    it('auth-api: keeps RFC 9068 strictness, typ JWT is refused', async () => {
      const api = byName('auth-api');
      expect(await codeOf(verifier.verify(api.accessToken(GRANT, {}, { typ: 'JWT' })))).toBe(
        'ERR_TYP_INVALID',
      );
    });

    it('refuses preset options that would widen the issuer', () => {
      expect(() => entraIdIssuer({ tenants: ['common'], audience: 'a' })).toThrow('common');
      expect(() => entraIdIssuer({ audience: 'a' })).toThrow('tenantId');
      expect(() =>
        createModuleVerifier({ issuers: [entraIdIssuer({ tenants: [], audience: 'a' })] }),
      ).toThrow('needs tenants');
    });
  });

  describe('through the guards: @Roles, @Scopes and @CurrentUser work the same on every issuer', () => {
    let app: INestApplication;

    beforeAll(async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          AuthModule.forRoot({
            issuers: configs,
            roleHierarchy: { admin: ['editor'], editor: ['user'] },
          }),
        ],
        controllers: [DemoController, WhoController],
      }).compile();
      app = moduleRef.createNestApplication(new ExpressAdapter());
      await app.init();
    });

    afterAll(async () => {
      await app.close();
    });

    it.each(NAMES)('%s', async (name) => {
      const p = byName(name);
      const server = app.getHttpServer();
      const admin = p.accessToken(GRANT);
      const me = await request(server).get('/me').auth(admin, { type: 'bearer' }).expect(200);
      expect(me.body.sub).toBe(GRANT.sub);
      expect(me.body.roles).toEqual(expect.arrayContaining(['admin']));
      await request(server).post('/articles').auth(admin, { type: 'bearer' }).expect(201);
      const who = await request(server).get('/who').auth(admin, { type: 'bearer' }).expect(200);
      expect(who.body).toEqual({ issuer: p.issuer, tenant: name === 'entra' ? TENANT_1 : null });
      await request(server).delete('/articles').auth(admin, { type: 'bearer' }).expect(200);
      const nobody = p.accessToken({ sub: 'u-0', roles: [], scopes: [] });
      await request(server).post('/articles').auth(nobody, { type: 'bearer' }).expect(403);
      if (p.hasScopes) {
        await request(server).get('/stats').auth(admin, { type: 'bearer' }).expect(200);
        const res = await request(server)
          .get('/stats')
          .auth(nobody, { type: 'bearer' })
          .expect(403);
        expect(res.headers['www-authenticate']).toContain('insufficient_scope');
      }
      if (p.idToken) {
        await request(server).get('/me').auth(p.idToken(), { type: 'bearer' }).expect(401);
      }
    });
  });

  describe("through @RequireAuthLevel('mfa'): each provider's own way of saying multi-factor", () => {
    let app: INestApplication;

    beforeAll(async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [AuthModule.forRoot({ issuers: configs })],
        controllers: [StepUpController],
      }).compile();
      app = moduleRef.createNestApplication(new ExpressAdapter());
      await app.init();
    });

    afterAll(async () => {
      await app.close();
    });

    const stepUp = (name: string, extra: Record<string, unknown>) =>
      request(app.getHttpServer())
        .get('/step-up')
        .auth(byName(name).accessToken(GRANT, extra), { type: 'bearer' });

    it.each<[string, Record<string, unknown>]>([
      ['keycloak', { acr: '2' }],
      ['auth0', { amr: ['mfa'] }],
      ['entra', { amr: ['pwd', 'mfa'] }],
      ['okta', { amr: ['pwd', 'otp', 'mfa'] }],
      ['auth-api', { amr: ['pwd', 'otp', 'mfa'], acr: '2' }],
    ])('%s: accepts %j', async (name, extra) => {
      await stepUp(name, extra).expect(200, { level: 'mfa' });
    });

    it.each<[string, Record<string, unknown>]>([
      ['keycloak', { acr: '1' }],
      ['keycloak', { acr: '0' }],
      ['auth0', {}],
      ['entra', { amr: ['pwd'] }],
      ['okta', { amr: ['pwd'] }],
      ['auth-api', { amr: ['pwd'], acr: '1' }],
    ])('%s: refuses %j with the RFC 9470 challenge', async (name, extra) => {
      const res = await stepUp(name, extra).expect(401);
      expect(res.body.error).toBe('insufficient_user_authentication');
      expect(res.headers['www-authenticate']).toMatch(
        /^Bearer realm="[^"]+", error="insufficient_user_authentication", error_description="requires multi-factor authentication", acr_values="2"$/,
      );
    });
  });
});
