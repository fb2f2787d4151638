import { Controller, Get, Header, Inject } from '@nestjs/common';

import { Public } from '@jwt-token/auth';

import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];

/**
 * RFC 8414 authorization server metadata: every endpoint, grant, client authentication method
 * and algorithm this server supports, and nothing it does not. (The first-party password flow
 * under `/auth/*` is not an OAuth grant, so it is not listed.)
 */
@Public()
@Controller('.well-known')
export class MetadataController {
  constructor(@Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig) {}

  @Get('oauth-authorization-server')
  @Header('Cache-Control', 'public, max-age=300')
  metadata() {
    const { issuer, jwtAlg } = this.config;
    return {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      token_endpoint: `${issuer}/oauth/token`,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      introspection_endpoint: `${issuer}/oauth/introspect`,
      grant_types_supported: ['client_credentials', 'refresh_token'],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, 'none'],
      revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, 'none'],
      introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
      // RFC 9068 access tokens: JWTs with typ at+jwt, verifiable with jwks_uri.
      access_token_signing_alg_values_supported: [jwtAlg],
    };
  }
}
