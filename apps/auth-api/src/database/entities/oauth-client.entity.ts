import { Column, Entity, PrimaryColumn } from 'typeorm';

import { epochMs } from '../epoch-ms.transformer';

/** How a client authenticates at the token endpoint (RFC 7591 `token_endpoint_auth_method`). */
export type TokenEndpointAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post';
export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';

/**
 * A registered client: a service client of the client-credentials grant, or an OpenID Connect
 * relying party (RFC 7591 metadata). A confidential client's secret is shown once and stored
 * hashed; a public client (`none`) has none.
 */
@Entity('oauth_clients')
export class OAuthClientEntity {
  @PrimaryColumn({ name: 'client_id', type: 'varchar', length: 64 })
  clientId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /**
   * SHA-256 of the secret: the secret is 256 random bits, so a slow hash would add nothing. Empty
   * for a public client: no presented secret hashes to the empty string, so it never authenticates.
   */
  @Column({ name: 'secret_hash', type: 'varchar', length: 128 })
  secretHash!: string;

  @Column({ type: 'simple-json' })
  scopes!: string[];

  @Column({ name: 'redirect_uris', type: 'simple-json' })
  redirectUris!: string[];

  @Column({ name: 'post_logout_redirect_uris', type: 'simple-json' })
  postLogoutRedirectUris!: string[];

  @Column({ name: 'grant_types', type: 'simple-json' })
  grantTypes!: GrantType[];

  @Column({ name: 'token_endpoint_auth_method', type: 'varchar', length: 32 })
  tokenEndpointAuthMethod!: TokenEndpointAuthMethod;

  @Column({ name: 'application_type', type: 'varchar', length: 16 })
  applicationType!: 'web' | 'native';

  /** Trusted by the operator: the consent page is skipped. */
  @Column({ name: 'first_party', type: 'boolean' })
  firstParty!: boolean;

  /** `RS256` for clients that cannot verify ES256 ID tokens; null: the default (ES256). */
  @Column({ name: 'id_token_signed_response_alg', type: 'varchar', length: 16, nullable: true })
  idTokenSignedResponseAlg!: 'ES256' | 'RS256' | null;

  /** RFC 9449 §5.2 `dpop_bound_access_tokens`: every token request must carry a DPoP proof. */
  @Column({ name: 'dpop_bound_access_tokens', type: 'boolean', default: false })
  dpopBoundAccessTokens!: boolean;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;
}
