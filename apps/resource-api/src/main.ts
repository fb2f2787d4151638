import 'reflect-metadata';

import { ConfigError, createServiceApp, listen } from '@jwt-token/service-kit';

import { AppModule } from './app.module';
import { RESOURCE_API_OPENAPI } from './openapi';
import { type ResourceApiConfig, readResourceApiConfig } from './config/resource-api.config';

function readConfigOrExit(): ResourceApiConfig {
  try {
    return readResourceApiConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`resource-api: ${error.message}\n`);
    process.exit(1);
  }
}

async function bootstrap(): Promise<void> {
  const config = readConfigOrExit();
  const app = await createServiceApp(AppModule.forRoot(config), { metrics: config.metricsEnabled, openApi: RESOURCE_API_OPENAPI });
  await listen(app, config.port, config.host, 'resource-api');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `resource-api: failed to start: ${(error as Error)?.message ?? String(error)}\n`,
  );
  process.exit(1);
});
