import 'reflect-metadata';

import { ConfigService } from '@nestjs/config';

import { ConfigError, listen } from '@jwt-token/service-kit';

import { createResourceApi } from './app.factory';
import {
  RESOURCE_API_CONFIG_KEY,
  type ResourceApiConfigService,
} from './config/resource-api.config';

async function bootstrap(): Promise<void> {
  const app = await createResourceApi();
  const { port, host } = app
    .get<ResourceApiConfigService>(ConfigService)
    .get(RESOURCE_API_CONFIG_KEY, { infer: true });
  await listen(app, port, host, 'resource-api');
}

bootstrap().catch((error: unknown) => {
  // A bad variable is the operator's to fix: one line naming it, no stack.
  process.stderr.write(
    error instanceof ConfigError
      ? `resource-api: invalid configuration: ${error.message}\n`
      : `resource-api: failed to start: ${(error as Error)?.message ?? String(error)}\n`,
  );
  process.exit(1);
});
