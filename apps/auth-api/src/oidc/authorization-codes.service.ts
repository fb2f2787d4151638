import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { LessThan, type Repository } from 'typeorm';

import { CLOCK, type Clock } from '../common/clock';
import { AuthorizationCodeEntity, type SessionEntity } from '../database/entities';
import type { AuthorizationRequest } from './authorization-request';

/** RFC 6749 §4.1.2: codes are short-lived; one minute covers a slow redirect. */
const CODE_TTL_MS = 60_000;
/** Redeemed codes are kept this long, so that a replay still finds (and revokes) what it issued. */
const KEEP_AFTER_EXPIRY_MS = 60 * 60_000;
/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** Why a code was refused: all `invalid_grant` on the wire. */
export type RedeemFailure = 'unknown' | 'reused' | 'mismatch' | 'pkce' | 'dpop';

/** What the token request presents with the code. */
export interface Redemption {
  clientId: string;
  redirectUri?: string;
  verifier?: string;
  /** The thumbprint of the key that signed the request's DPoP proof, if it had one. */
  proofJkt?: string;
}

export type RedeemResult =
  | { ok: true; code: AuthorizationCodeEntity; sessionId: string }
  | { ok: false; reason: RedeemFailure; issuedSessionId?: string };

/**
 * Authorization codes, stored by SHA-256. Redemption is one conditional UPDATE (`consumed_at IS
 * NULL`), so however many requests race with a code, the database lets exactly one through, on
 * SQLite and PostgreSQL alike. The same statement reserves the id of the session the tokens will
 * belong to, so a replay, even one racing the winner, knows what to revoke.
 */
@Injectable()
export class AuthorizationCodes {
  constructor(
    @InjectRepository(AuthorizationCodeEntity)
    private readonly codes: Repository<AuthorizationCodeEntity>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async issue(request: AuthorizationRequest, session: SessionEntity): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await this.codes.insert({
      codeHash: sha256(code),
      clientId: request.client.clientId,
      userId: session.userId,
      browserSessionId: session.id,
      redirectUri: request.redirectUri,
      scope: request.scopes.join(' '),
      nonce: request.nonce ?? null,
      codeChallenge: request.codeChallenge,
      dpopJkt: request.dpopJkt ?? null,
      authTime: session.authTime ?? session.createdAt,
      createdAt: now,
      expiresAt: now + CODE_TTL_MS,
      consumedAt: null,
      issuedSessionId: null,
    });
    await this.codes.delete({ expiresAt: LessThan(now - KEEP_AFTER_EXPIRY_MS) });
    return code;
  }

  /**
   * Redeems `code` for the client at its redirect URI with the PKCE verifier and, for a code bound
   * to a DPoP key, a proof by that key. The code is spent by the first attempt whatever its
   * outcome: a code presented with the wrong verifier, client or key was leaked, and must not be
   * tried again.
   */
  async redeem(code: string, presented: Redemption): Promise<RedeemResult> {
    const { clientId, redirectUri, verifier, proofJkt } = presented;
    const codeHash = sha256(code);
    const now = this.clock.now();
    const sessionId = randomUUID();
    const result = await this.codes
      .createQueryBuilder()
      .update(AuthorizationCodeEntity)
      .set({ consumedAt: now, issuedSessionId: sessionId })
      .where('code_hash = :codeHash AND consumed_at IS NULL AND expires_at > :now', {
        codeHash,
        now,
      })
      .execute();
    const row = await this.codes.findOneBy({ codeHash });
    if (result.affected !== 1) {
      if (row && row.consumedAt !== null && row.issuedSessionId !== null)
        return { ok: false, reason: 'reused', issuedSessionId: row.issuedSessionId };
      return { ok: false, reason: 'unknown' };
    }
    if (!row || row.clientId !== clientId || row.redirectUri !== redirectUri)
      return { ok: false, reason: 'mismatch' };
    if (!verifier || !CODE_VERIFIER.test(verifier)) return { ok: false, reason: 'pkce' };
    const expected = Buffer.from(row.codeChallenge);
    const given = Buffer.from(sha256(verifier));
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return { ok: false, reason: 'pkce' };
    // Thumbprints are public values: a plain comparison leaks nothing.
    if (row.dpopJkt !== null && row.dpopJkt !== proofJkt) return { ok: false, reason: 'dpop' };
    return { ok: true, code: row, sessionId };
  }
}
