import 'reflect-metadata';

import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';

import { ConfigError } from '@jwt-token/service-kit';

import { CliError, COMMANDS } from './cli/cli.commands';
import { loadAuthApiConfigModule } from './config/auth-api.config';
import { CoreModule } from './core.module';

function usage(): string {
  return [
    'Usage: npm run cli -- <command> [arguments]',
    '',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage}`),
  ].join('\n');
}

/**
 * The admin CLI: the same configuration (environment and env file, through `@nestjs/config`),
 * database and services as the running auth-api (DATABASE_URL, DATA_DIR, KEY_ENCRYPTION_KEY…),
 * without the HTTP server.
 */
async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      roles: { type: 'string' },
      scopes: { type: 'string' },
      limit: { type: 'string' },
      'redirect-uris': { type: 'string' },
      'post-logout-redirect-uris': { type: 'string' },
      'grant-types': { type: 'string' },
      'auth-method': { type: 'string' },
      native: { type: 'boolean' },
      'first-party': { type: 'boolean' },
      dpop: { type: 'boolean' },
      'id-token-alg': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [name, ...args] = positionals;
  const command = name ? COMMANDS[name] : undefined;
  if (!command || values.help) {
    process.stdout.write(`${usage()}\n`);
    return command || values.help ? 0 : 2;
  }
  const loaded = await loadAuthApiConfigModule();
  @Module({ imports: [CoreModule.forRoot(loaded)] })
  class CliModule {}
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error'] });
  try {
    await command.run({
      app,
      args,
      options: values,
      print: (line) => process.stdout.write(`${line}\n`),
    });
    return 0;
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    const known =
      error instanceof CliError || error instanceof ConfigError || error.name === 'TypeError';
    process.stderr.write(`error: ${known ? error.message : (error.stack ?? error.message)}\n`);
    process.exit(1);
  },
);
