import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { createServiceApp } from '@jwt-token/service-kit';

import { AppModule } from './app.module';
import type { CoreOptions } from './core.module';

/** Builds auth-api (not yet listening): used by main.ts and by the e2e tests. */
export function createAuthApi(options: CoreOptions & { logger?: boolean }): Promise<NestFastifyApplication> {
  return createServiceApp(AppModule.forRoot(options), { logger: options.logger, metrics: options.config.metricsEnabled });
}
