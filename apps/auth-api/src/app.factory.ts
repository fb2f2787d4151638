import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { createServiceApp } from '@jwt-token/service-kit';

import { AppModule } from './app.module';
import type { Clock } from './common/clock';
import { type AuthApiConfig, loadAuthApiConfigModule } from './config/auth-api.config';
import { installConsoleSecurityHeaders } from './console/console-security-headers';
import { installOidcCors } from './oidc/oidc-cors';

/** Title and summary of auth-api's OpenAPI document (served at /docs, written by `npm run openapi`). */
export const AUTH_API_OPENAPI = {
  title: 'auth-api',
  description:
    'Issues RFC 9068 access tokens: users, sessions with refresh-token rotation, OAuth 2 token, revocation and introspection, JWKS, admin. Error bodies are {statusCode, error, message}; /oauth/* errors are RFC 6749 {error, error_description}.',
};

/** Options of {@link createAuthApi}. */
export interface AuthApiOptions {
  /** Used as it is; without it, the env file and the environment are read and validated. */
  config?: AuthApiConfig;
  /** In tests, a clock to control. */
  clock?: Clock;
  logger?: boolean;
}

/**
 * Builds auth-api (not yet listening): used by main.ts and by the e2e tests. Rejects with a
 * `ConfigError` on a bad variable, before any module is built.
 */
export async function createAuthApi(options: AuthApiOptions = {}): Promise<NestFastifyApplication> {
  const loaded = await loadAuthApiConfigModule(options.config);
  const app = await createServiceApp(AppModule.forRoot({ ...loaded, clock: options.clock }), {
    logger: options.logger,
    metrics: loaded.config.metricsEnabled,
    trustProxy: loaded.config.trustProxy,
    openApi: AUTH_API_OPENAPI,
  });
  installConsoleSecurityHeaders(app);
  installOidcCors(app);
  return app;
}
