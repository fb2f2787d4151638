import {
  Controller,
  Delete,
  Get,
  type INestApplication,
  Post,
  type Provider,
  type Type,
} from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';

import { type AuthPrincipal, CurrentUser, Public, Roles, Scopes } from '../src';
import {
  AuthTestingModule,
  type AuthTestingOptions,
  InMemoryKeyStore,
  TestTokenFactory,
} from '../src/testing';

@Controller()
export class DemoController {
  @Public()
  @Get('open')
  open() {
    return { open: true };
  }

  @Get('me')
  me(@CurrentUser() user: AuthPrincipal, @CurrentUser('sub') sub: string) {
    return { sub, roles: user.roles, scopes: user.scopes, sid: user.sessionId ?? null };
  }

  @Roles('editor')
  @Post('articles')
  create() {
    return { created: true };
  }

  @Roles('admin')
  @Delete('articles')
  remove() {
    return { removed: true };
  }

  @Scopes('stats:read', 'stats:list')
  @Get('stats')
  stats() {
    return { stats: true };
  }
}

@Public()
@Controller('public-class')
export class PublicController {
  @Get()
  get() {
    return { open: true };
  }

  @Roles('admin')
  @Get('admin')
  admin() {
    return { admin: true };
  }
}

@Roles('admin')
@Controller('admin-class')
export class AdminController {
  @Get()
  get() {
    return { admin: true };
  }

  @Roles('user')
  @Get('override')
  override() {
    return { user: true };
  }
}

export type AdapterName = 'express' | 'fastify';

export interface TestApp {
  app: INestApplication;
  tokens: TestTokenFactory;
  keys: InMemoryKeyStore;
}

/**
 * A Nest app with the demo controllers (and any `extraControllers` and `extraProviders`) behind
 * AuthTestingModule, on the chosen adapter.
 */
export async function createTestApp(
  adapter: AdapterName,
  options: AuthTestingOptions = {},
  extraControllers: Type[] = [],
  extraProviders: Provider[] = [],
): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      AuthTestingModule.forRoot({
        roleHierarchy: { admin: ['editor'], editor: ['user'] },
        ...options,
      }),
    ],
    controllers: [DemoController, PublicController, AdminController, ...extraControllers],
    providers: extraProviders,
  }).compile();
  let app: INestApplication;
  if (adapter === 'fastify') {
    const fastifyApp = moduleRef.createNestApplication<NestFastifyApplication>(
      new FastifyAdapter(),
    );
    await fastifyApp.init();
    await fastifyApp.getHttpAdapter().getInstance().ready();
    app = fastifyApp;
  } else {
    app = moduleRef.createNestApplication(new ExpressAdapter());
    await app.init();
  }
  return { app, tokens: moduleRef.get(TestTokenFactory), keys: moduleRef.get(InMemoryKeyStore) };
}
