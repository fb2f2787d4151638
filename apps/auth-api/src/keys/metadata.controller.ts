import { Controller, Get, Header, Inject } from '@nestjs/common';

import { DPOP_ALGORITHMS, Public } from '@jwt-token/auth';

import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import { ID_TOKEN_ALGORITHMS } from '../oidc/id-token-keys';
import { SUPPORTED_CLAIMS } from '../oidc/user-claims';
import { ACR_VALUES } from '../sessions/auth-methods';

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];

/**
 * RFC 8414 authorization server metadata and OpenID Connect Discovery 1.0: one document, served
 * at both addresses so they never drift apart. Every endpoint, grant, client authentication
 * method and algorithm this server supports, and nothing it does not. (The first-party password
 * flow under `/auth/*` is not an OAuth grant, so it is not listed.)
 */
@Public()
@Controller('.well-known')
export class MetadataController {
  constructor(@Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig) {}

  @Get('oauth-authorization-server')
  @Header('Cache-Control', 'public, max-age=300')
  metadata() {
    return this.document();
  }

  @Get('openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  openidConfiguration() {
    return this.document();
  }

  private document() {
    const { issuer, jwtAlg } = this.config;
    return {
      issuer,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/oauth/token`,
      userinfo_endpoint: `${issuer}/oauth/userinfo`,
      end_session_endpoint: `${issuer}/oauth/logout`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      pushed_authorization_request_endpoint: `${issuer}/oauth/par`,
      require_pushed_authorization_requests: false,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      introspection_endpoint: `${issuer}/oauth/introspect`,
      scopes_supported: ['openid', 'profile', 'email'],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [...ID_TOKEN_ALGORITHMS],
      claims_supported: SUPPORTED_CLAIMS,
      acr_values_supported: [...ACR_VALUES],
      prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      claims_parameter_supported: false,
      token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, 'none'],
      revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, 'none'],
      introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
      // RFC 9068 access tokens: JWTs with typ at+jwt, verifiable with jwks_uri.
      access_token_signing_alg_values_supported: [jwtAlg],
      // RFC 9449 §5.1: the proof algorithms /oauth/token accepts (IssuerDpop's defaults).
      dpop_signing_alg_values_supported: [...DPOP_ALGORITHMS],
    };
  }
}
