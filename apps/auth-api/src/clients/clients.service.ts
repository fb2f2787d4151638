import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Repository } from 'typeorm';

import { CLOCK, type Clock } from '../common/clock';
import { OAuthClientEntity } from '../database/entities';

/** A client as admins see it: never the secret or its hash. */
export interface ClientView {
  client_id: string;
  name: string;
  scopes: string[];
  createdAt: string;
}

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

  async create(name: string, scopes: string[]): Promise<ClientView & { client_secret: string }> {
    const clientId = `svc_${randomBytes(12).toString('base64url')}`;
    const secret = randomBytes(32).toString('base64url');
    const client = this.clients.create({
      clientId,
      name,
      scopes,
      secretHash: hashSecret(secret),
      createdAt: this.clock.now(),
    });
    await this.clients.insert(client);
    return { ...toClientView(client), client_secret: secret };
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
    const client = await this.findById(clientId);
    const expected = Buffer.from(client?.secretHash ?? this.dummyHash);
    const given = Buffer.from(hashSecret(secret));
    const equal = expected.length === given.length && timingSafeEqual(expected, given);
    return client && equal ? client : null;
  }
}
