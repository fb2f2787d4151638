import type { DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';

import { ConfigError, EnvReader } from './env-reader';

/** Variables as the schema sees them: the env file's under the real environment's. */
export type Environment = Record<string, string | undefined>;

/** Options of {@link loadServiceConfig}. */
export interface ServiceConfigOptions<K extends string, T> {
  /** Where `ConfigService` serves the validated configuration: `config.get(key, { infer: true })`. */
  key: K;
  /** The schema: variables in, typed configuration out; throws a {@link ConfigError} at the first bad value. */
  read: (environment: Environment) => T;
  /**
   * A configuration built beforehand (tests, scripts): served as it is, and neither the env file
   * nor the environment is read.
   */
  config?: T;
}

/** What {@link loadServiceConfig} resolves with. */
export interface LoadedServiceConfig<T> {
  /** The global `ConfigModule`: import it once, in the root module. */
  configModule: DynamicModule;
  /**
   * The validated configuration, the very object `ConfigService` serves: for what a module
   * needs before injection exists (log level, metrics switch, which providers to register).
   */
  config: T;
}

/**
 * Loads a service's configuration through `@nestjs/config`: `ConfigModule.forRoot` reads the env
 * file (`ENV_FILE`, else `.env` in the working directory when there is one), lays the real
 * environment over it (a variable set in both takes the environment's value), and validates the
 * result with the service's schema. A bad value rejects with the schema's {@link ConfigError}
 * before any Nest module is built, so `main.ts` can print its one line and exit.
 *
 * `ConfigService` then serves only the validated object, under `key`: the raw variables are not
 * reachable through it, nor copied into `process.env`.
 *
 * @example
 * ```ts
 * const { configModule, config } = await loadServiceConfig({ key: 'orders', read: readOrdersConfig });
 * // in the root module: imports: [configModule, …]
 * // in a service: configService.get('orders', { infer: true }) === config
 * ```
 */
export async function loadServiceConfig<K extends string, T>(
  options: ServiceConfigOptions<K, T>,
): Promise<LoadedServiceConfig<T>> {
  const given = options.config;
  let config: T | undefined;
  const configModule = await ConfigModule.forRoot({
    isGlobal: true,
    skipProcessEnv: true,
    ...(given === undefined ? { envFilePath: envFilePath(process.env) } : { ignoreEnvFile: true }),
    // No `${VAR}` expansion: a `$` in a password stays a `$`.
    expandVariables: false,
    validate: (environment: Environment) => {
      config = given ?? options.read(environment);
      // Keyed, so that ConfigModule copies nothing into process.env (it copies only flat strings,
      // numbers and booleans).
      return { [options.key]: config };
    },
  });
  return { configModule, config: config as T };
}

/** `ENV_FILE` when set (it must be readable; `/dev/null` reads none), else `./.env` (when present). */
function envFilePath(environment: Environment): string {
  const named = new EnvReader(environment).string('ENV_FILE');
  if (named === undefined) return resolve('.env');
  const path = resolve(named);
  try {
    accessSync(path, constants.R_OK);
    if (statSync(path).isDirectory()) throw new Error('a directory');
  } catch {
    throw new ConfigError(`ENV_FILE=${JSON.stringify(named)} is invalid: expected a readable file`);
  }
  return path;
}
