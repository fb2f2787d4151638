import { ConfigService } from '@nestjs/config';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';

import { createAuthApi } from '../src/app.factory';
import {
  AUTH_API_CONFIG,
  AUTH_API_CONFIG_KEY,
  type AuthApiConfig,
  type AuthApiConfigService,
} from '../src/config/auth-api.config';
import { registerAndLogin, startAuthApi } from './harness';

/** Replaces the real environment for one test: these variables set, those given `undefined` absent. */
function useEnv(variables: Record<string, string | undefined>): void {
  const env = { ...process.env, ...variables };
  for (const [name, value] of Object.entries(variables)) if (value === undefined) delete env[name];
  jest.replaceProperty(process, 'env', env);
}

describe('auth-api configuration through @nestjs/config', () => {
  afterEach(() => jest.restoreAllMocks());

  it('serves the validated configuration through ConfigService and AUTH_API_CONFIG, and runs on it', async () => {
    const api = await startAuthApi({ ACCESS_TOKEN_TTL: '1234' });
    try {
      const configService = api.app.get<AuthApiConfigService>(ConfigService);
      expect(configService.get(AUTH_API_CONFIG_KEY, { infer: true })).toBe(api.config);
      expect(configService.get(`${AUTH_API_CONFIG_KEY}.accessTokenTtl`, { infer: true })).toBe(
        1234,
      );
      expect(api.app.get(AUTH_API_CONFIG)).toBe(api.config);
      const user = await registerAndLogin(api);
      const refreshed = await api
        .http()
        .post('/auth/refresh')
        .send({ refresh_token: user.refreshToken })
        .expect(200);
      expect(refreshed.body.expires_in).toBe(1234);
    } finally {
      await api.close();
    }
  });

  it('given a configuration, reads neither the env file nor the environment', async () => {
    useEnv({ ENV_FILE: '/nonexistent/auth-api.env', ACCESS_TOKEN_TTL: 'abc' });
    const api = await startAuthApi();
    try {
      expect(api.app.get<AuthApiConfig>(AUTH_API_CONFIG).accessTokenTtl).toBe(900);
    } finally {
      await api.close();
    }
  });

  it('without one, reads the env file under the real environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-api-env-'));
    const envFile = join(dir, 'auth-api.env');
    writeFileSync(
      envFile,
      [
        `DATA_DIR=${join(dir, 'data')}`,
        'AUTH_ISSUER=http://issuer-from-file.test',
        'ACCESS_TOKEN_TTL=600',
        'LOG_LEVEL=fatal',
      ].join('\n'),
    );
    // Only what this test sets: nothing of the machine's environment may stand in for the file.
    useEnv({
      ENV_FILE: envFile,
      ACCESS_TOKEN_TTL: '700',
      DATA_DIR: undefined,
      AUTH_ISSUER: undefined,
      LOG_LEVEL: undefined,
      DATABASE_URL: undefined,
    });
    const app = await createAuthApi({ logger: false });
    try {
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
      const config = app.get<AuthApiConfig>(AUTH_API_CONFIG);
      expect(config).toMatchObject({
        issuer: 'http://issuer-from-file.test',
        accessTokenTtl: 700,
        dataDir: join(dir, 'data'),
      });
      const metadata = await request(app.getHttpServer())
        .get('/.well-known/oauth-authorization-server')
        .expect(200);
      expect(metadata.body.issuer).toBe('http://issuer-from-file.test');
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
