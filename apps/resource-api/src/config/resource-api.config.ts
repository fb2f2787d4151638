import { SUPPORTED_ALGORITHMS, type JwtAlgorithm } from '@jwt-token/auth';
import {
  type CommonServiceConfig,
  EnvReader,
  type LoadedServiceConfig,
  loadServiceConfig,
  readCommonConfig,
} from '@jwt-token/service-kit';
import type { ConfigService } from '@nestjs/config';

/** Everything resource-api reads from its environment, validated once at start. */
export interface ResourceApiConfig extends CommonServiceConfig {
  auth: {
    /** The only `iss` this service trusts. */
    issuer: string;
    /** The `aud` a token must carry to be accepted here. */
    audience: string;
    /** Where the issuer publishes its public keys. */
    jwksUri: string;
    /** The algorithm auth-api signs with (its `JWT_ALG`); nothing else is accepted. */
    algorithm: JwtAlgorithm;
  };
  dpop: {
    /** Where accepted DPoP proofs are remembered across instances; unset: this process's memory. */
    redisUrl?: string;
    /** The origin clients call this API at, for the proofs' `htu` behind a proxy. */
    publicUrl?: string;
    /** Refuse Bearer tokens: every token must be DPoP-bound. */
    required: boolean;
  };
}

/**
 * Reads the configuration; throws a `ConfigError` naming the first invalid variable.
 *
 * @example
 * ```ts
 * const config = readResourceApiConfig(process.env);
 * ```
 */
export function readResourceApiConfig(
  environment: Record<string, string | undefined>,
): ResourceApiConfig {
  const env = new EnvReader(environment);
  // Without trailing slashes, as auth-api writes it into `iss`: the comparison is exact.
  const issuer = (
    env.url('AUTH_ISSUER', 'http://localhost:3000', ['http', 'https']) as string
  ).replace(/\/+$/, '');
  return {
    ...readCommonConfig(env, 3001),
    auth: {
      issuer,
      audience: env.string('AUTH_AUDIENCE', 'resource-api'),
      jwksUri: env.url('AUTH_JWKS_URI', `${issuer}/.well-known/jwks.json`, [
        'http',
        'https',
      ]) as string,
      // Shared with auth-api so that one setting switches both ends.
      algorithm: env.oneOf('JWT_ALG', SUPPORTED_ALGORITHMS, 'ES256'),
    },
    dpop: {
      redisUrl: env.url('REDIS_URL', undefined, ['redis', 'rediss']),
      publicUrl: env.url('PUBLIC_URL', undefined, ['http', 'https']),
      required: env.boolean('DPOP_REQUIRED', false),
    },
  };
}

/** Where `ConfigService` serves the {@link ResourceApiConfig}. */
export const RESOURCE_API_CONFIG_KEY = 'resourceApi';

/** `ConfigService` typed for resource-api: `configService.get(RESOURCE_API_CONFIG_KEY, { infer: true })`. */
export type ResourceApiConfigService = ConfigService<
  { [RESOURCE_API_CONFIG_KEY]: ResourceApiConfig },
  true
>;

/**
 * resource-api's configuration through `@nestjs/config`: the env file and the environment
 * validated by {@link readResourceApiConfig}, or `config` as given (then nothing is read).
 */
export function loadResourceApiConfigModule(
  config?: ResourceApiConfig,
): Promise<LoadedServiceConfig<ResourceApiConfig>> {
  return loadServiceConfig({ key: RESOURCE_API_CONFIG_KEY, read: readResourceApiConfig, config });
}
