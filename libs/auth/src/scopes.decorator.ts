import { SetMetadata } from '@nestjs/common';

import { SCOPES_KEY } from './auth.constants';

/**
 * Requires every one of `scopes` in the token's `scope` claim. A handler's `@Scopes` replaces
 * the controller's. A missing scope is a 403 with `WWW-Authenticate: Bearer error="insufficient_scope"`.
 *
 * @example
 * ```ts
 * @Scopes('stats:read')
 * @Get('internal/stats')
 * stats() { … }
 * ```
 */
export const Scopes = (...scopes: string[]): ClassDecorator & MethodDecorator =>
  SetMetadata(SCOPES_KEY, scopes);
