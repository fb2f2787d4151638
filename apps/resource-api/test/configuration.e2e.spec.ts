import { ConfigService } from '@nestjs/config';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';

import { InMemoryKeyStore, TestTokenFactory } from '@jwt-token/auth/testing';

import { createResourceApi } from '../src/app.factory';
import {
  RESOURCE_API_CONFIG_KEY,
  type ResourceApiConfigService,
} from '../src/config/resource-api.config';
import { JwksServer } from './jwks-server';
import { createHarness, ISSUER } from './resource-api.harness';

/** Replaces the real environment for one test: these variables set, those given `undefined` absent. */
function useEnv(variables: Record<string, string | undefined>): void {
  const env = { ...process.env, ...variables };
  for (const [name, value] of Object.entries(variables)) if (value === undefined) delete env[name];
  jest.replaceProperty(process, 'env', env);
}

describe('resource-api configuration through @nestjs/config', () => {
  afterEach(() => jest.restoreAllMocks());

  it('serves the configuration it was given through ConfigService, reading no env file', async () => {
    useEnv({ ENV_FILE: '/nonexistent/resource-api.env', AUTH_AUDIENCE: 'not-this-one' });
    const h = await createHarness();
    try {
      const config = h.app
        .get<ResourceApiConfigService>(ConfigService)
        .get(RESOURCE_API_CONFIG_KEY, { infer: true });
      expect(config.auth).toMatchObject({
        issuer: ISSUER,
        audience: 'resource-api',
        jwksUri: h.jwks.url,
      });
      await h.http().get('/me').auth(h.tokens.sign(), { type: 'bearer' }).expect(200);
    } finally {
      await h.close();
    }
  });

  it('without one, guards its routes with what the env file and the environment say', async () => {
    const keys = new InMemoryKeyStore('ES256');
    const jwks = new JwksServer(keys);
    await jwks.start();
    const dir = mkdtempSync(join(tmpdir(), 'resource-api-env-'));
    const envFile = join(dir, 'resource-api.env');
    // A bad LOG_LEVEL in the file, overridden by the environment: the environment wins.
    writeFileSync(
      envFile,
      [
        `AUTH_ISSUER=${ISSUER}`,
        `AUTH_JWKS_URI=${jwks.url}`,
        'AUTH_AUDIENCE=orders-from-file',
        'LOG_LEVEL=loud',
      ].join('\n'),
    );
    useEnv({
      ENV_FILE: envFile,
      LOG_LEVEL: 'fatal',
      LOG_FORMAT: 'json',
      AUTH_ISSUER: undefined,
      AUTH_JWKS_URI: undefined,
      AUTH_AUDIENCE: undefined,
    });
    const app = await createResourceApi();
    try {
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
      const http = () => request(app.getHttpServer());
      await http()
        .get('/me')
        .auth(new TestTokenFactory(keys, ISSUER, 'orders-from-file').sign(), { type: 'bearer' })
        .expect(200);
      await http()
        .get('/me')
        .auth(new TestTokenFactory(keys, ISSUER, 'resource-api').sign(), { type: 'bearer' })
        .expect(401);
    } finally {
      await app.close();
      await jwks.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
