import { SetMetadata } from '@nestjs/common';

import { AUTH_LEVEL_KEY } from './auth.constants';
import { type AuthLevel, authLevelRule } from './auth-level-rule';

/**
 * Requires the user to have authenticated strongly enough, or recently enough, for this route
 * (RFC 9470 step-up). `'mfa'`: the token's `amr` holds `mfa`, or its `acr` is one of the module's
 * `mfaAcrValues` (default `['2']`). The object form: `acr` any one of, `amr` every one of,
 * `maxAge` seconds since `auth_time`. A handler's `@RequireAuthLevel` replaces its controller's.
 * A refusal is a 401 with `WWW-Authenticate: Bearer …, error="insufficient_user_authentication"`
 * and the requirement as `acr_values` / `max_age`. A malformed requirement throws at start.
 *
 * @example
 * ```ts
 * @Roles('admin')
 * @RequireAuthLevel('mfa')
 * @Delete('articles')
 * purge() { … }
 *
 * @RequireAuthLevel({ acr: ['2'], maxAge: 300 })
 * @Post('payouts')
 * payout() { … }
 * ```
 */
export const RequireAuthLevel = (level: AuthLevel): ClassDecorator & MethodDecorator =>
  SetMetadata(AUTH_LEVEL_KEY, authLevelRule(level));
