import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

import { authRequestOf } from './auth-request';
import type { AuthPrincipal } from './interfaces/auth-principal.interface';

/**
 * Injects the verified {@link AuthPrincipal}, or one of its fields. `undefined` on a `@Public()`
 * route called without a token.
 *
 * @example
 * ```ts
 * @Get('me')
 * me(@CurrentUser() user: AuthPrincipal, @CurrentUser('sub') userId: string) { … }
 * ```
 */
export const CurrentUser = createParamDecorator(
  (field: keyof AuthPrincipal | undefined, context: ExecutionContext) => {
    const principal = authRequestOf(context).user as AuthPrincipal | undefined;
    return field && principal ? principal[field] : principal;
  },
);
