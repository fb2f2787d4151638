import { type DynamicModule, Module } from '@nestjs/common';

import { AuthModule } from '@jwt-token/auth';
import { ApiExceptionFilter, LoggingModule, MetricsModule } from '@jwt-token/service-kit';

import { ArticlesController } from './articles/articles.controller';
import { ArticlesService } from './articles/articles.service';
import type { ResourceApiConfig } from './config/resource-api.config';
import { HealthController } from './health/health.controller';
import { MeController } from './me/me.controller';
import { StatsController } from './stats/stats.controller';
import { StatsService } from './stats/stats.service';

/** The resource server: trusts tokens from one issuer and guards its routes by role and scope. */
@Module({})
export class AppModule {
  static forRoot(config: ResourceApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggingModule.forRoot({ level: config.logLevel, service: 'resource-api' }),
        MetricsModule.forRoot({ enabled: config.metricsEnabled }),
        // Guards every route globally: a valid token is needed unless the route is @Public().
        // Keys are fetched from the JWKS on first need, so this service starts while auth-api is down.
        AuthModule.forRoot({
          issuer: config.auth.issuer,
          audience: config.auth.audience,
          jwksUri: config.auth.jwksUri,
          algorithms: [config.auth.algorithm],
          // An admin passes every @Roles('editor') check, an editor every @Roles('user') one.
          roleHierarchy: { admin: ['editor'], editor: ['user'] },
        }),
      ],
      controllers: [HealthController, ArticlesController, MeController, StatsController],
      // ApiExceptionFilter is a provider so that createServiceApp() can install it globally.
      providers: [ArticlesService, StatsService, ApiExceptionFilter],
    };
  }
}
