import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { AuthIoAdapter } from '@jwt-token/auth/socket.io';
import { createServiceApp } from '@jwt-token/service-kit';

import { AppModule } from './app.module';
import { loadResourceApiConfigModule, type ResourceApiConfig } from './config/resource-api.config';
import { RESOURCE_API_OPENAPI } from './openapi';

/** Options of {@link createResourceApi}. */
export interface ResourceApiOptions {
  /** Used as it is; without it, the env file and the environment are read and validated. */
  config?: ResourceApiConfig;
  logger?: boolean;
}

/**
 * Builds resource-api (not yet listening): used by main.ts, the tests and `npm run openapi`.
 * Rejects with a `ConfigError` on a bad variable, before any module is built.
 */
export async function createResourceApi(
  options: ResourceApiOptions = {},
): Promise<NestFastifyApplication> {
  const loaded = await loadResourceApiConfigModule(options.config);
  const app = await createServiceApp(AppModule.forRoot(loaded), {
    logger: options.logger,
    metrics: loaded.config.metricsEnabled,
    trustProxy: loaded.config.trustProxy,
    openApi: RESOURCE_API_OPENAPI,
  });
  // socket.io connections are authenticated at the handshake, by the same rules as every route.
  app.useWebSocketAdapter(new AuthIoAdapter(app));
  return app;
}
