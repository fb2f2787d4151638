import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { createServiceApp } from '@jwt-token/service-kit';

import { AppModule } from './app.module';
import { installConsoleSecurityHeaders } from './console/console-security-headers';
import type { CoreOptions } from './core.module';

/** Title and summary of auth-api's OpenAPI document (served at /docs, written by `npm run openapi`). */
export const AUTH_API_OPENAPI = {
  title: 'auth-api',
  description:
    'Issues RFC 9068 access tokens: users, sessions with refresh-token rotation, OAuth 2 token, revocation and introspection, JWKS, admin. Error bodies are {statusCode, error, message}; /oauth/* errors are RFC 6749 {error, error_description}.',
};

/** Builds auth-api (not yet listening): used by main.ts and by the e2e tests. */
export async function createAuthApi(options: CoreOptions & { logger?: boolean }): Promise<NestFastifyApplication> {
  const app = await createServiceApp(AppModule.forRoot(options), {
    logger: options.logger,
    metrics: options.config.metricsEnabled,
    openApi: AUTH_API_OPENAPI,
  });
  installConsoleSecurityHeaders(app);
  return app;
}
