import { ApiError } from '@jwt-token/service-kit';

import type { GrantType, TokenEndpointAuthMethod } from '../database/entities/oauth-client.entity';
import { redirectUriProblem } from '../oidc/redirect-uri';
import type { CreateClientDto } from './dto/create-client.dto';

/** A client's registration metadata, defaults applied and checked for consistency. */
export interface ClientMetadata {
  name: string;
  scopes: string[];
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  grantTypes: GrantType[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  applicationType: 'web' | 'native';
  firstParty: boolean;
  idTokenSignedResponseAlg: 'ES256' | 'RS256' | null;
  dpopBoundAccessTokens: boolean;
}

/** The scopes an OpenID Connect client may ask for when it registers none. */
export const OIDC_DEFAULT_SCOPES = ['openid', 'profile', 'email'];

function invalidMetadata(message: string): ApiError {
  return new ApiError(400, 'invalid_client_metadata', message);
}

function checkUris(uris: string[], applicationType: 'web' | 'native', field: string): void {
  for (const uri of uris) {
    const problem = redirectUriProblem(uri, applicationType);
    if (problem) throw new ApiError(400, 'invalid_redirect_uri', `${field}: ${uri} ${problem}`);
  }
}

/**
 * RFC 7591 §2 defaults and the rules between fields. Without `redirect_uris` the old shape stands:
 * a confidential client-credentials service client.
 */
export function resolveClientMetadata(dto: CreateClientDto): ClientMetadata {
  const redirectUris = dto.redirect_uris ?? [];
  const postLogoutRedirectUris = dto.post_logout_redirect_uris ?? [];
  const applicationType = dto.application_type ?? 'web';
  const grantTypes =
    dto.grant_types ??
    (redirectUris.length > 0 ? ['authorization_code', 'refresh_token'] : ['client_credentials']);
  const method = dto.token_endpoint_auth_method ?? 'client_secret_basic';
  checkUris(redirectUris, applicationType, 'redirect_uris');
  checkUris(postLogoutRedirectUris, applicationType, 'post_logout_redirect_uris');
  if (grantTypes.length === 0) throw invalidMetadata('grant_types must not be empty');
  // A service client's scopes are all it can ever get: it must name them (as before OIDC).
  if (dto.scopes === undefined && redirectUris.length === 0) {
    throw new ApiError(400, 'validation_failed', 'scopes: scopes must be an array', {
      fields: [{ field: 'scopes', problems: ['scopes must be an array'] }],
    });
  }
  const code = grantTypes.includes('authorization_code');
  if (code && redirectUris.length === 0)
    throw new ApiError(400, 'invalid_redirect_uri', 'authorization_code needs redirect_uris');
  if (!code && redirectUris.length > 0)
    throw invalidMetadata('redirect_uris are only for the authorization_code grant');
  if (grantTypes.includes('refresh_token') && !code)
    throw invalidMetadata('refresh_token is issued only with authorization_code');
  if (method === 'none' && grantTypes.includes('client_credentials'))
    throw invalidMetadata('a public client (none) cannot use client_credentials');
  if (!code && (postLogoutRedirectUris.length > 0 || dto.first_party !== undefined))
    throw invalidMetadata('post_logout_redirect_uris and first_party need authorization_code');
  return {
    name: dto.name,
    scopes: dto.scopes ?? (code ? OIDC_DEFAULT_SCOPES : []),
    redirectUris,
    postLogoutRedirectUris,
    grantTypes,
    tokenEndpointAuthMethod: method,
    applicationType,
    firstParty: dto.first_party ?? false,
    idTokenSignedResponseAlg: dto.id_token_signed_response_alg ?? null,
    dpopBoundAccessTokens: dto.dpop_bound_access_tokens ?? false,
  };
}
