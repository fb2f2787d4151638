import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';

import { AuthModule } from '@jwt-token/auth';
import {
  ApiExceptionFilter,
  type LoadedServiceConfig,
  LoggingModule,
  MetricsModule,
} from '@jwt-token/service-kit';

import { ArticleFeed } from './articles/article-feed';
import { ArticlesController } from './articles/articles.controller';
import { ArticlesService } from './articles/articles.service';
import {
  RESOURCE_API_CONFIG_KEY,
  type ResourceApiConfig,
  type ResourceApiConfigService,
} from './config/resource-api.config';
import { ArticlesResolver } from './graphql/articles.resolver';
import { ResourceGraphqlModule } from './graphql/graphql.module';
import { DpopReplay, DpopReplayModule } from './dpop/dpop-replay.module';
import { HealthController } from './health/health.controller';
import { ArticlesGateway } from './live/articles.gateway';
import { UpgradeDispatch } from './live/upgrade-dispatch';
import { MeController } from './me/me.controller';
import { StatsController } from './stats/stats.controller';
import { StatsService } from './stats/stats.service';

/**
 * The resource server: trusts tokens from one issuer and guards its routes by role and scope.
 * Takes its configuration from `loadResourceApiConfigModule` (`@nestjs/config`).
 */
@Module({})
export class AppModule {
  static forRoot({ configModule, config }: LoadedServiceConfig<ResourceApiConfig>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        configModule,
        LoggingModule.forRoot({
          level: config.logLevel,
          format: config.logFormat,
          service: 'resource-api',
        }),
        MetricsModule.forRoot({ enabled: config.metricsEnabled }),
        // Guards every route globally: a valid token is needed unless the route is @Public().
        // Keys are fetched from the JWKS on first need, so this service starts while auth-api is down.
        AuthModule.forRootAsync({
          imports: [DpopReplayModule.forRoot(config.dpop.redisUrl)],
          inject: [ConfigService, DpopReplay],
          useFactory: (configService: ResourceApiConfigService, replay: DpopReplay) => {
            const { auth, dpop } = configService.get(RESOURCE_API_CONFIG_KEY, { infer: true });
            return {
              issuer: auth.issuer,
              audience: auth.audience,
              jwksUri: auth.jwksUri,
              algorithms: [auth.algorithm],
              // An admin passes every @Roles('editor') check, an editor every @Roles('user') one.
              roleHierarchy: { admin: ['editor'], editor: ['user'] },
              // Tokens bound to a key (cnf.jkt) need a DPoP proof by it; bearer ones work as before.
              dpop: {
                required: dpop.required,
                replayStore: replay.store,
                ...(dpop.publicUrl ? { publicUrl: dpop.publicUrl } : {}),
              },
            };
          },
        }),
        ResourceGraphqlModule,
      ],
      controllers: [HealthController, ArticlesController, MeController, StatsController],
      // ApiExceptionFilter is a provider so that createServiceApp() can install it globally.
      providers: [
        ArticleFeed,
        ArticlesService,
        ArticlesResolver,
        ArticlesGateway,
        UpgradeDispatch,
        StatsService,
        ApiExceptionFilter,
      ],
    };
  }
}
