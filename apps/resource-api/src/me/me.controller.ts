import { Controller, Get } from '@nestjs/common';

import { type AuthPrincipal, CurrentUser } from '@jwt-token/auth';

/** What `GET /me` returns: who the token says the caller is. */
export interface MeResponse {
  sub: string;
  roles: readonly string[];
  /** Space-separated, as in the token's `scope` claim. */
  scope: string;
}

/** Any valid token, user or service client, may ask who it is. */
@Controller('me')
export class MeController {
  @Get()
  me(@CurrentUser() principal: AuthPrincipal): MeResponse {
    return { sub: principal.sub, roles: principal.roles, scope: principal.scopes.join(' ') };
  }
}
