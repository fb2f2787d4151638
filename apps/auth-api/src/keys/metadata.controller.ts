import { Controller, Get, Header, Inject } from '@nestjs/common';

import { Public } from '@jwt-token/auth';

import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';

/**
 * RFC 8414 authorization server metadata: only what this server really supports. The first-party
 * password flow (`/auth/*`) is not an OAuth grant, so no token endpoint is advertised for it.
 */
@Public()
@Controller('.well-known')
export class MetadataController {
  constructor(@Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig) {}

  @Get('oauth-authorization-server')
  @Header('Cache-Control', 'public, max-age=3600')
  metadata() {
    const { issuer, jwtAlg } = this.config;
    return {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      response_types_supported: [],
      access_token_signing_alg_values_supported: [jwtAlg],
    };
  }
}
