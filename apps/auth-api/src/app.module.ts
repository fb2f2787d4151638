import { type DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';

import { AuthModule } from '@jwt-token/auth';
import { ApiExceptionFilter, LoggingModule, MetricsModule } from '@jwt-token/service-kit';

import { ACCOUNT_CONTROLLERS, ACCOUNT_PROVIDERS } from './account/account.parts';
import { UsersAdminController } from './admin/users-admin.controller';
import { UsersAdminService } from './admin/users-admin.service';
import { AuthController } from './auth/auth.controller';
import { AuthService } from './auth/auth.service';
import { TokenIssuer } from './auth/token-issuer';
import { AuditContextInterceptor } from './audit/audit-context';
import { AuditController } from './audit/audit.controller';
import { ClientsController } from './clients/clients.controller';
import { CLOCK, type Clock } from './common/clock';
import { RedisThrottlerStorage } from './common/redis-throttler.storage';
import { AUTH_API_CONFIG, type AuthApiConfig, SIGNING_ALGORITHMS } from './config/auth-api.config';
import { CONSOLE_CONTROLLERS, CONSOLE_PROVIDERS } from './console/console.parts';
import { CoreModule, type CoreOptions } from './core.module';
import { IssuerDpop } from './dpop/issuer-dpop';
import { HealthController } from './health/health.controller';
import { KeysController } from './keys/keys.controller';
import { MetadataController } from './keys/metadata.controller';
import { DbSigningKeyStore } from './keys/signing-key.store';
import { ClientAuthenticator } from './oauth/client-authenticator';
import { OAuthGrantsService } from './oauth/oauth-grants.service';
import { OAuthController } from './oauth/oauth.controller';
import { MFA_CONTROLLERS, MFA_PROVIDERS } from './mfa/mfa.parts';
import { PASSKEY_CONTROLLERS, PASSKEY_PROVIDERS } from './passkeys/passkeys.parts';
import { OIDC_CONTROLLERS, OIDC_PROVIDERS } from './oidc/oidc.parts';
import { TokenIntrospectionService } from './oauth/token-introspection.service';
import { SessionRevocationChecker } from './sessions/session-revocation.checker';
import { AdminBootstrap } from './users/admin-bootstrap';
import { ROLE_HIERARCHY } from './users/roles';

@Module({})
export class AppModule {
  static forRoot(options: CoreOptions): DynamicModule {
    const { config } = options;
    return {
      module: AppModule,
      imports: [
        LoggingModule.forRoot({
          level: config.logLevel,
          format: config.logFormat,
          service: 'auth-api',
        }),
        MetricsModule.forRoot({ enabled: config.metricsEnabled }),
        CoreModule.forRoot(options),
        TerminusModule,
        ThrottlerModule.forRootAsync({
          inject: [AUTH_API_CONFIG, { token: RedisThrottlerStorage, optional: true }],
          useFactory: (cfg: AuthApiConfig, redis?: RedisThrottlerStorage) => ({
            // Named 'default' so the 429 carries a plain Retry-After header.
            throttlers: [{ name: 'default', ttl: 60_000, limit: cfg.rateLimitPerMinute }],
            // One budget per client IP across every credential endpoint (the library's default
            // key is per route, which would multiply the limit by the number of endpoints).
            generateKey: (_context: unknown, tracker: string, name: string) =>
              `credentials:${name}:${tracker}`,
            storage: redis,
          }),
        }),
        // auth-api verifies its own tokens with its own key store: no JWKS round trip.
        AuthModule.forRootAsync({
          inject: [AUTH_API_CONFIG, DbSigningKeyStore, SessionRevocationChecker, CLOCK, IssuerDpop],
          useFactory: async (
            cfg: AuthApiConfig,
            keyStore: DbSigningKeyStore,
            revocationChecker: SessionRevocationChecker,
            clock: Clock,
            dpop: IssuerDpop,
          ) => ({
            issuer: cfg.issuer,
            // User tokens are for the resource servers; auth-api's own endpoints accept them too.
            audience: [cfg.audience, cfg.issuer],
            // Each key verifies only its own algorithm; listing all three keeps tokens signed before
            // a JWT_ALG change valid until they expire.
            algorithms: [...SIGNING_ALGORITHMS],
            keyStore,
            revocationChecker,
            roleHierarchy: ROLE_HIERARCHY,
            accessTokenTtlSeconds: cfg.accessTokenTtl,
            realm: 'auth-api',
            clock,
            // Bound tokens at auth-api's own routes: the issuer's jti memory and nonces.
            dpop: { ...(await dpop.sharedParts()), publicUrl: cfg.issuer },
          }),
        }),
      ],
      controllers: [
        AuthController,
        UsersAdminController,
        ClientsController,
        AuditController,
        OAuthController,
        KeysController,
        MetadataController,
        HealthController,
        ...CONSOLE_CONTROLLERS,
        ...OIDC_CONTROLLERS,
        ...ACCOUNT_CONTROLLERS,
        ...MFA_CONTROLLERS,
        ...PASSKEY_CONTROLLERS,
      ],
      providers: [
        AuthService,
        TokenIssuer,
        UsersAdminService,
        AdminBootstrap,
        ClientAuthenticator,
        OAuthGrantsService,
        TokenIntrospectionService,
        ApiExceptionFilter,
        { provide: APP_INTERCEPTOR, useClass: AuditContextInterceptor },
        ...CONSOLE_PROVIDERS,
        ...OIDC_PROVIDERS,
        ...ACCOUNT_PROVIDERS,
        ...MFA_PROVIDERS,
        ...PASSKEY_PROVIDERS,
      ],
    };
  }
}
