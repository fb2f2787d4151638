import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';

import type { LoadedServiceConfig } from '@jwt-token/service-kit';

import { AuditService } from './audit/audit.service';
import { ClientsService } from './clients/clients.service';
import { AuthApiMetrics } from './common/auth-api.metrics';
import { type Clock, CLOCK, systemClock } from './common/clock';
import { RedisThrottlerStorage } from './common/redis-throttler.storage';
import {
  AUTH_API_CONFIG,
  AUTH_API_CONFIG_KEY,
  type AuthApiConfig,
  type AuthApiConfigService,
} from './config/auth-api.config';
import { secretBoxKeys } from './crypto/local-key-file';
import { PasswordHasher } from './crypto/password-hasher';
import { SecretBox } from './crypto/secret-box';
import { ServerSecrets } from './crypto/server-secrets';
import { createDataSource } from './database/data-source.factory';
import { dataSourceOptions } from './database/data-source.options';
import { DirectStatements } from './database/direct-statements';
import { ENTITIES } from './database/entities';
import { IssuerDpop } from './dpop/issuer-dpop';
import { DbSigningKeyStore } from './keys/signing-key.store';
import { MailService } from './mail/mail.service';
import { RevokedTokensService } from './oauth/revoked-tokens.service';
import { refreshTokenCodecProvider } from './sessions/refresh-token-codec.provider';
import { SessionRevocationChecker } from './sessions/session-revocation.checker';
import { SessionsService } from './sessions/sessions.service';
import { UsersService } from './users/users.service';

/**
 * Options of {@link CoreModule.forRoot}: the configuration as `loadAuthApiConfigModule` loaded it
 * (the global `ConfigModule` and its validated object) and, in tests, a clock to control.
 */
export interface CoreOptions extends LoadedServiceConfig<AuthApiConfig> {
  clock?: Clock;
}

/**
 * The configuration, persistence and the services everything else builds on. Global, so that the
 * auth library's async factory and the feature controllers can inject them.
 */
@Module({})
export class CoreModule {
  static forRoot({ configModule, config, clock = systemClock }: CoreOptions): DynamicModule {
    const shared = [
      {
        provide: AUTH_API_CONFIG,
        inject: [ConfigService],
        useFactory: (configService: AuthApiConfigService) =>
          configService.get(AUTH_API_CONFIG_KEY, { infer: true }),
      },
      { provide: CLOCK, useValue: clock },
      // Made before Nest starts, so that a DATA_DIR it cannot write stops the process with one line.
      { provide: SecretBox, useValue: new SecretBox(...secretBoxKeys(config)) },
      AuthApiMetrics,
      DirectStatements,
      PasswordHasher,
      ServerSecrets,
      refreshTokenCodecProvider,
      DbSigningKeyStore,
      UsersService,
      SessionsService,
      ClientsService,
      AuditService,
      MailService,
      RevokedTokensService,
      SessionRevocationChecker,
      IssuerDpop,
      ...(config.redisUrl
        ? [
            {
              provide: RedisThrottlerStorage,
              inject: [AUTH_API_CONFIG],
              useFactory: (cfg: AuthApiConfig) => RedisThrottlerStorage.connect(cfg.redisUrl!),
            },
          ]
        : []),
    ];
    return {
      module: CoreModule,
      global: true,
      imports: [
        configModule,
        TypeOrmModule.forRootAsync({
          inject: [AUTH_API_CONFIG],
          useFactory: (cfg: AuthApiConfig) => ({
            ...dataSourceOptions(cfg),
            retryAttempts: 5,
            retryDelay: 1000,
          }),
          dataSourceFactory: async (options) => createDataSource(options!),
        }),
        TypeOrmModule.forFeature(ENTITIES),
      ],
      providers: shared,
      exports: [...shared.map((p) => ('provide' in p ? p.provide : p)), TypeOrmModule],
    };
  }
}
