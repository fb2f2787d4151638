import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { LessThan, type Repository } from 'typeorm';

import { CLOCK, type Clock } from '../common/clock';
import { PushedRequestEntity } from '../database/entities';
import { sha256 } from './authorization-codes.service';

/** RFC 9126 §2.2: the `request_uri` prefix. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
/** Long enough for a redirect to the authorization endpoint and a sign-in. */
export const PUSHED_REQUEST_TTL_SECONDS = 600;

/**
 * Pushed authorization requests: the parameters, validated and bound to the authenticated
 * client, stored under a random `request_uri` (by its SHA-256). It serves the hosted pages until
 * the code is issued, which consumes it.
 */
@Injectable()
export class PushedRequests {
  constructor(
    @InjectRepository(PushedRequestEntity)
    private readonly requests: Repository<PushedRequestEntity>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async push(clientId: string, params: Record<string, string>): Promise<string> {
    const requestUri = `${REQUEST_URI_PREFIX}${randomBytes(32).toString('base64url')}`;
    const now = this.clock.now();
    await this.requests.insert({
      requestUriHash: sha256(requestUri),
      clientId,
      params,
      expiresAt: now + PUSHED_REQUEST_TTL_SECONDS * 1000,
    });
    await this.requests.delete({ expiresAt: LessThan(now) });
    return requestUri;
  }

  /** The parameters pushed by `clientId` under `requestUri`, if still valid. */
  async resolve(requestUri: string, clientId: string): Promise<Record<string, string> | null> {
    if (!requestUri.startsWith(REQUEST_URI_PREFIX) || requestUri.length > 200) return null;
    const row = await this.requests.findOneBy({ requestUriHash: sha256(requestUri) });
    if (!row || row.clientId !== clientId || row.expiresAt <= this.clock.now()) return null;
    return row.params;
  }

  async consume(requestUri: string): Promise<void> {
    await this.requests.delete({ requestUriHash: sha256(requestUri) });
  }
}
