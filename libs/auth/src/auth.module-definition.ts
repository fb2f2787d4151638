import { ConfigurableModuleBuilder } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';

import { AUTH_MODULE_OPTIONS } from './auth.constants';
import type {
  AuthModuleExtras,
  AuthModuleOptions,
} from './interfaces/auth-module-options.interface';
import { AuthLevelGuard } from './auth-level.guard';
import { JwtAuthGuard } from './jwt-auth.guard';
import { RolesGuard } from './roles.guard';
import { ScopesGuard } from './scopes.guard';

/** Authentication first, then the checks that read the principal: APP_GUARDs run in this order. */
const GLOBAL_GUARDS = [
  { provide: APP_GUARD, useExisting: JwtAuthGuard },
  { provide: APP_GUARD, useExisting: RolesGuard },
  { provide: APP_GUARD, useExisting: ScopesGuard },
  { provide: APP_GUARD, useExisting: AuthLevelGuard },
];

export const {
  ConfigurableModuleClass: ConfigurableAuthModule,
  OPTIONS_TYPE: AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthModuleOptions>({ optionsInjectionToken: AUTH_MODULE_OPTIONS })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createAuthOptions')
  .setExtras<Required<AuthModuleExtras>>(
    { globalGuards: true, isGlobal: true },
    (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
      providers: [...(definition.providers ?? []), ...(extras.globalGuards ? GLOBAL_GUARDS : [])],
    }),
  )
  .build();
