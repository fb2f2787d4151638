import { Inject, Injectable } from '@nestjs/common';

import { OAuthError } from '@jwt-token/service-kit';

import { FIRST_PARTY_CLIENT_ID } from '../auth/token-response';
import { ClientsService } from '../clients/clients.service';
import type { OAuthClientEntity } from '../database/entities';
import { type FormBody, optionalParam } from './oauth-params';

/** Who is calling an OAuth endpoint. */
export type ClientIdentity =
  | {
      kind: 'confidential';
      client: OAuthClientEntity;
      method: 'client_secret_basic' | 'client_secret_post';
    }
  /**
   * A public client, identified but not authenticated: auth-api's own (the password flow, no
   * `client`), or a registered one with `token_endpoint_auth_method: none` (PKCE is its proof).
   */
  | { kind: 'public'; clientId: string; client?: OAuthClientEntity }
  | { kind: 'anonymous' };

const BASIC_CHALLENGE = { 'WWW-Authenticate': 'Basic realm="auth-api", charset="UTF-8"' };

/** 401 `invalid_client` with the Basic challenge RFC 6749 §5.2 asks for. */
export function invalidClient(description = 'client authentication failed'): OAuthError {
  return new OAuthError('invalid_client', description, 401, BASIC_CHALLENGE);
}

/** RFC 6749 §2.3.1: the id and secret are form-urlencoded before Basic encoding. */
function decodeBasic(header: string): { id: string; secret: string } {
  const match = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(header.trim());
  if (!match) throw invalidClient('malformed Basic credentials');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalidClient('malformed Basic credentials');
  try {
    const unescape = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    return { id: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
  } catch {
    throw invalidClient('malformed Basic credentials');
  }
}

/**
 * Client authentication for the OAuth endpoints: `client_secret_basic`, `client_secret_post`,
 * or the first-party public client by `client_id` alone. Using two methods at once is
 * `invalid_request`; a failed authentication is 401 `invalid_client` with a Basic challenge.
 */
@Injectable()
export class ClientAuthenticator {
  constructor(@Inject(ClientsService) private readonly clients: ClientsService) {}

  async identify(
    authorization: string | string[] | undefined,
    body: FormBody,
  ): Promise<ClientIdentity> {
    if (Array.isArray(authorization))
      throw new OAuthError('invalid_request', 'several Authorization headers');
    const postedId = optionalParam(body, 'client_id', 256);
    const postedSecret = optionalParam(body, 'client_secret', 256);
    if (authorization && /^Basic\s/i.test(authorization)) {
      if (postedSecret !== undefined)
        throw new OAuthError('invalid_request', 'use one client authentication method');
      const { id, secret } = decodeBasic(authorization);
      if (postedId !== undefined && postedId !== id)
        throw new OAuthError('invalid_request', 'client_id does not match');
      return this.confidential(id, secret, 'client_secret_basic');
    }
    if (postedSecret !== undefined) {
      if (postedId === undefined)
        throw new OAuthError('invalid_request', 'client_secret without client_id');
      return this.confidential(postedId, postedSecret, 'client_secret_post');
    }
    if (postedId === FIRST_PARTY_CLIENT_ID)
      return { kind: 'public', clientId: FIRST_PARTY_CLIENT_ID };
    if (postedId !== undefined) {
      const client = await this.clients.findById(postedId);
      if (client?.tokenEndpointAuthMethod === 'none')
        return { kind: 'public', clientId: client.clientId, client };
      throw invalidClient('this client must authenticate');
    }
    return { kind: 'anonymous' };
  }

  /** Like {@link identify}, but only a registered client that authenticated passes. */
  async requireConfidential(
    authorization: string | string[] | undefined,
    body: FormBody,
  ): Promise<OAuthClientEntity> {
    const identity = await this.identify(authorization, body);
    if (identity.kind !== 'confidential') throw invalidClient('client authentication is required');
    return identity.client;
  }

  private async confidential(
    id: string,
    secret: string,
    method: 'client_secret_basic' | 'client_secret_post',
  ): Promise<ClientIdentity> {
    const client = await this.clients.authenticate(id, secret);
    if (!client) throw invalidClient();
    // A relying party authenticates as it registered (RFC 7591 §2); service clients registered
    // before OpenID Connect keep accepting both methods, as the contract always said.
    if (
      client.grantTypes.includes('authorization_code') &&
      client.tokenEndpointAuthMethod !== method
    )
      throw invalidClient(`this client authenticates with ${client.tokenEndpointAuthMethod}`);
    return { kind: 'confidential', client, method };
  }
}
