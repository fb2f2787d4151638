import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';

import { AUTH_CLOCK, AUTH_MODULE_OPTIONS, AUTH_RESOLVED_OPTIONS } from './auth.constants';
import { AuthExceptionFilter } from './auth-exception.filter';
import { AuthLevelGuard } from './auth-level.guard';
import { ConfigurableAuthModule } from './auth.module-definition';
import type { AuthModuleOptions } from './interfaces/auth-module-options.interface';
import { KeySource } from './interfaces/key-source.interface';
import { RevocationChecker } from './interfaces/revocation-checker.interface';
import { createKeySource } from './key-source.factory';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { type ResolvedAuthOptions, resolveAuthOptions } from './resolved-auth-options';
import { RoleHierarchy } from './role-hierarchy';
import { RolesGuard } from './roles.guard';
import { ScopesGuard } from './scopes.guard';
import { TokenVerifier } from './token-verifier';
import { TokenService } from './token.service';
import { VerifiedTokenCache } from './verified-token.cache';

function primaryKeySource(options: ResolvedAuthOptions): KeySource {
  return createKeySource(options.keySource, options.algorithms, options.clock);
}

/**
 * JWT authentication and role-based authorization for a Nest app.
 *
 * @example A resource server (keys from the issuer's JWKS)
 * ```ts
 * @Module({
 *   imports: [
 *     AuthModule.forRootAsync({
 *       inject: [ConfigService],
 *       useFactory: (config: ConfigService) => ({
 *         issuer: config.getOrThrow('AUTH_ISSUER'),
 *         audience: config.getOrThrow('AUTH_AUDIENCE'),
 *         jwksUri: config.getOrThrow('AUTH_JWKS_URI'),
 *         roleHierarchy: { admin: ['editor'], editor: ['user'] },
 *       }),
 *     }),
 *   ],
 * })
 * export class AppModule {}
 * ```
 */
@Module({
  imports: [PassportModule],
  providers: [
    {
      provide: AUTH_RESOLVED_OPTIONS,
      inject: [AUTH_MODULE_OPTIONS],
      useFactory: (options: AuthModuleOptions) => resolveAuthOptions(options),
    },
    {
      provide: AUTH_CLOCK,
      inject: [AUTH_RESOLVED_OPTIONS],
      useFactory: (o: ResolvedAuthOptions) => o.clock,
    },
    { provide: KeySource, inject: [AUTH_RESOLVED_OPTIONS], useFactory: primaryKeySource },
    {
      provide: RevocationChecker,
      inject: [AUTH_RESOLVED_OPTIONS],
      useFactory: (o: ResolvedAuthOptions) => o.revocationChecker,
    },
    {
      provide: VerifiedTokenCache,
      inject: [AUTH_RESOLVED_OPTIONS, KeySource],
      useFactory: (o: ResolvedAuthOptions, keys: KeySource) =>
        new VerifiedTokenCache(o.cacheMaxEntries, keys, o.clock),
    },
    {
      provide: TokenVerifier,
      inject: [AUTH_RESOLVED_OPTIONS, KeySource, VerifiedTokenCache],
      useFactory: (o: ResolvedAuthOptions, keys: KeySource, cache: VerifiedTokenCache) =>
        new TokenVerifier(o, keys, cache),
    },
    RoleHierarchy,
    TokenService,
    JwtStrategy,
    JwtAuthGuard,
    RolesGuard,
    ScopesGuard,
    AuthLevelGuard,
    { provide: APP_FILTER, useClass: AuthExceptionFilter },
  ],
  exports: [
    AUTH_RESOLVED_OPTIONS,
    AUTH_CLOCK,
    KeySource,
    RevocationChecker,
    VerifiedTokenCache,
    TokenVerifier,
    RoleHierarchy,
    TokenService,
    JwtAuthGuard,
    RolesGuard,
    ScopesGuard,
    AuthLevelGuard,
  ],
})
export class AuthModule extends ConfigurableAuthModule {}
