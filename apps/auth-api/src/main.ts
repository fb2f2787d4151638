import 'reflect-metadata';

import { ConfigService } from '@nestjs/config';

import { ConfigError, listen } from '@jwt-token/service-kit';

import { createAuthApi } from './app.factory';
import { AUTH_API_CONFIG_KEY, type AuthApiConfigService } from './config/auth-api.config';

async function main(): Promise<void> {
  const app = await createAuthApi();
  const { port, host } = app
    .get<AuthApiConfigService>(ConfigService)
    .get(AUTH_API_CONFIG_KEY, { infer: true });
  await listen(app, port, host, 'auth-api');
}

main().catch((error: Error) => {
  // A bad variable is the operator's to fix: one line naming it, no stack.
  process.stderr.write(
    error instanceof ConfigError
      ? `auth-api: invalid configuration: ${error.message}\n`
      : `auth-api failed to start: ${error.message}\n`,
  );
  process.exit(1);
});
