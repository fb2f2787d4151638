import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Repository } from 'typeorm';

import { CLOCK, type Clock } from '../common/clock';
import { OAuthClientEntity } from '../database/entities';
import type { ClientMetadata } from './client-metadata';

/** A client as admins see it (RFC 7591 metadata names): never the secret or its hash. */
export interface ClientView {
  client_id: string;
  name: string;
  scopes: string[];
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  token_endpoint_auth_method: string;
  application_type: string;
  first_party: boolean;
  id_token_signed_response_alg: string;
  dpop_bound_access_tokens: boolean;
  createdAt: string;
}

/** The view with the secret, once, for a confidential client. */
export type CreatedClient = ClientView & { client_secret?: string };

/**
 * Client ids are printable ASCII of at most 64 characters (the column's size); anything else
 * names no client and is never sent to the database (PostgreSQL rejects NUL bytes with an error).
 */
const CLIENT_ID = /^[\x21-\x7E]{1,64}$/;

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

export function toClientView(client: OAuthClientEntity): ClientView {
  return {
    client_id: client.clientId,
    name: client.name,
    scopes: client.scopes,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    grant_types: client.grantTypes,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    application_type: client.applicationType,
    first_party: client.firstParty,
    id_token_signed_response_alg: client.idTokenSignedResponseAlg ?? 'ES256',
    dpop_bound_access_tokens: client.dpopBoundAccessTokens,
    createdAt: new Date(client.createdAt).toISOString(),
  };
}

/** Service clients: creation (the secret is returned once), lookup, authentication, deletion. */
@Injectable()
export class ClientsService {
  /** Compared against when the client id is unknown, so both failures cost the same. */
  private readonly dummyHash = hashSecret(randomBytes(32).toString('base64url'));

  constructor(
    @InjectRepository(OAuthClientEntity) private readonly clients: Repository<OAuthClientEntity>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(metadata: ClientMetadata): Promise<CreatedClient> {
    const relyingParty = metadata.grantTypes.includes('authorization_code');
    const clientId = `${relyingParty ? 'app' : 'svc'}_${randomBytes(12).toString('base64url')}`;
    const secret =
      metadata.tokenEndpointAuthMethod === 'none'
        ? undefined
        : randomBytes(32).toString('base64url');
    const client = this.clients.create({
      clientId,
      ...metadata,
      secretHash: secret === undefined ? '' : hashSecret(secret),
      createdAt: this.clock.now(),
    });
    await this.clients.insert(client);
    return secret === undefined
      ? toClientView(client)
      : { ...toClientView(client), client_secret: secret };
  }

  list(): Promise<OAuthClientEntity[]> {
    return this.clients.find({ order: { createdAt: 'ASC', clientId: 'ASC' } });
  }

  async findById(clientId: string): Promise<OAuthClientEntity | null> {
    return CLIENT_ID.test(clientId) ? this.clients.findOneBy({ clientId }) : null;
  }

  async delete(clientId: string): Promise<boolean> {
    if (!CLIENT_ID.test(clientId)) return false;
    const result = await this.clients.delete({ clientId });
    return (result.affected ?? 0) > 0;
  }

  /** The client when `secret` is its secret, else null; constant-time either way. */
  async authenticate(clientId: string, secret: string): Promise<OAuthClientEntity | null> {
    const found = await this.findById(clientId);
    // A public client has no secret: nothing presented authenticates it.
    const client = found && found.tokenEndpointAuthMethod !== 'none' ? found : null;
    const expected = Buffer.from(client?.secretHash ?? this.dummyHash);
    const given = Buffer.from(hashSecret(secret));
    const equal = expected.length === given.length && timingSafeEqual(expected, given);
    return client && equal ? client : null;
  }
}
