import 'reflect-metadata';

import { ConfigError, listen } from '@jwt-token/service-kit';

import { createAuthApi } from './app.factory';
import { loadAuthApiConfig } from './config/auth-api.config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadAuthApiConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`auth-api: invalid configuration: ${error.message}\n`);
    process.exit(1);
  }
  const app = await createAuthApi({ config });
  await listen(app, config.port, config.host, 'auth-api');
}

main().catch((error: Error) => {
  process.stderr.write(`auth-api failed to start: ${error.message}\n`);
  process.exit(1);
});
