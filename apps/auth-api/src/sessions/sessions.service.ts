import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { type Repository } from 'typeorm';

import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import { AuthApiMetrics } from '../common/auth-api.metrics';
import { CLOCK, type Clock } from '../common/clock';
import type { RefreshTokenCodec } from '../crypto/refresh-token.codec';
import { DirectStatements } from '../database/direct-statements';
import { SessionEntity } from '../database/entities';
import type { RotationRecord } from '../database/entities/session.entity';
import type { AuthMethod } from './auth-methods';
import { REFRESH_TOKEN_CODEC } from './refresh-token-codec.provider';

/** Where a request came from, recorded on the session. */
export interface ClientContext {
  userAgent?: string;
  ip?: string;
  /** The RFC 7638 thumbprint of the request's valid DPoP proof key (RFC 9449), if it sent one. */
  dpopJkt?: string;
}

/** What a session of an OpenID Connect client carries besides the user. */
export interface ClientSessionOptions {
  /** Reserved beforehand (the code redemption names it, so a replay can revoke it). */
  sessionId: string;
  clientId: string;
  /** The browser session the user authorized the client from. */
  parentId: string;
  scope: string;
  authTime: number;
  /** A public client (no secret): its refresh tokens are bound to its DPoP key (RFC 9449 §5). */
  publicClient: boolean;
}

/** A session and the refresh token that currently belongs to it. */
export interface SessionGrant {
  session: SessionEntity;
  refreshToken: string;
  /** The DPoP key this request proved: its access token is bound to it (`cnf.jkt`). */
  dpopJkt?: string;
}

/** Why a refresh was refused; every case is `invalid_grant` on the wire. */
export class RefreshRefusedError extends Error {
  constructor(
    readonly reason: 'unknown' | 'revoked' | 'expired' | 'reused' | 'dpop_key',
    /** The session a reused token belonged to (only for `reused`). */
    readonly session?: { id: string; userId: string },
  ) {
    super(`refresh refused: ${reason}`);
  }
}

/** The DPoP key of a grant's access token: the one this request proved, if any. */
function proven(context: ClientContext): { dpopJkt?: string } {
  return context.dpopJkt ? { dpopJkt: context.dpopJkt } : {};
}

/** Generations kept in a session's rotation log at most, whatever the reuse interval. */
const MAX_ROTATION_RECORDS = 64;

/**
 * Sessions and refresh-token rotation (RFC 9700 §4.14): every use rotates; a rotated token
 * replayed within REFRESH_REUSE_INTERVAL gets the current token (racing tabs); later, it revokes
 * the whole session. Exactly one rotation per token, however many requests race: the rotation is
 * a single UPDATE conditioned on the generation, which the database applies once.
 */
@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @Inject(REFRESH_TOKEN_CODEC) private readonly codec: RefreshTokenCodec,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(AuthApiMetrics) private readonly metrics: AuthApiMetrics,
    @Inject(DirectStatements) private readonly direct: DirectStatements,
  ) {}

  /**
   * Opens a session: auth-api's own (a sign-in), or a client's when `client` is given. `amr` says
   * how the user signed in; a client's session has its browser session's.
   */
  async open(
    userId: string,
    context: ClientContext,
    amr: readonly AuthMethod[],
    client?: ClientSessionOptions,
  ): Promise<SessionGrant> {
    const now = this.clock.now();
    const session = this.sessions.create({
      id: client?.sessionId ?? randomUUID(),
      userId,
      salt: randomBytes(16).toString('base64url'),
      generation: 0,
      rotations: [],
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + this.config.refreshTokenTtl * 1000,
      revokedAt: null,
      revokedReason: null,
      userAgent: context.userAgent?.slice(0, 512) ?? null,
      ip: context.ip?.slice(0, 64) ?? null,
      clientId: client?.clientId ?? null,
      parentId: client?.parentId ?? null,
      scope: client?.scope ?? null,
      authTime: client?.authTime ?? now,
      amr: amr.join(' '),
      // auth-api's own sign-ins (the JSON API, the console) are public clients too.
      dpopJkt: (client?.publicClient ?? true) ? (context.dpopJkt ?? null) : null,
    });
    await this.direct.insert(SessionEntity, session);
    return { session, refreshToken: this.tokenFor(session), ...proven(context) };
  }

  /** Redeems a refresh token: rotates it, or answers a racing replay, or detects reuse. */
  async refresh(refreshToken: string, context: ClientContext): Promise<SessionGrant> {
    const decoded = this.codec.decode(refreshToken);
    if (!decoded) throw new RefreshRefusedError('unknown');
    let session = await this.direct.findOneBy(SessionEntity, 'id', decoded.sessionId);
    if (!session || !this.codec.matches(decoded, session.salt))
      throw new RefreshRefusedError('unknown');
    if (decoded.generation > session.generation) throw new RefreshRefusedError('unknown');
    this.assertUsable(session);
    // A bound refresh token without a proof by its key is refused before anything changes: it
    // neither rotates nor counts as reuse, so a thief holding it cannot end the owner's session.
    if (session.dpopJkt !== null && session.dpopJkt !== context.dpopJkt)
      throw new RefreshRefusedError('dpop_key');

    if (decoded.generation === session.generation) {
      const rotated = await this.rotate(session, context);
      if (rotated)
        return { session: rotated, refreshToken: this.tokenFor(rotated), ...proven(context) };
      // Another request rotated this token a moment ago: treat ours as a replay of it.
      session = await this.sessions.findOneByOrFail({ id: decoded.sessionId });
      this.assertUsable(session);
    }
    return { ...(await this.answerReplay(session, decoded.generation)), ...proven(context) };
  }

  /** The session whose CURRENT refresh token this is, if usable (introspection); never rotates. */
  async inspect(refreshToken: string): Promise<SessionEntity | null> {
    const decoded = this.codec.decode(refreshToken);
    if (!decoded) return null;
    const session = await this.direct.findOneBy(SessionEntity, 'id', decoded.sessionId);
    if (!session || !this.codec.matches(decoded, session.salt)) return null;
    return decoded.generation === session.generation && this.isUsable(session) ? session : null;
  }

  /** The session a genuine refresh token (of any generation) belongs to. */
  async sessionOf(refreshToken: string): Promise<SessionEntity | null> {
    const decoded = this.codec.decode(refreshToken);
    if (!decoded) return null;
    const session = await this.direct.findOneBy(SessionEntity, 'id', decoded.sessionId);
    return session && this.codec.matches(decoded, session.salt) ? session : null;
  }

  async findActive(sessionId: string): Promise<SessionEntity | null> {
    const session = await this.direct.findOneBy(SessionEntity, 'id', sessionId);
    return session && this.isUsable(session) ? session : null;
  }

  async listActive(userId: string): Promise<SessionEntity[]> {
    const sessions = await this.sessions.find({ where: { userId }, order: { createdAt: 'DESC' } });
    return sessions.filter((session) => this.isUsable(session));
  }

  /** Revokes one session; returns false when it was not the user's or already ended. */
  async revoke(sessionId: string, reason: string, userId?: string): Promise<boolean> {
    const query = this.sessions
      .createQueryBuilder()
      .update(SessionEntity)
      .set({ revokedAt: this.clock.now(), revokedReason: reason })
      .where('id = :sessionId AND revoked_at IS NULL', { sessionId });
    if (userId !== undefined) query.andWhere('user_id = :userId', { userId });
    const result = await query.execute();
    this.metrics.sessionsRevoked(reason, result.affected ?? 0);
    return (result.affected ?? 0) > 0;
  }

  /** Revokes a browser session and the client sessions authorized from it (RP-initiated logout). */
  async revokeWithChildren(sessionId: string, reason: string): Promise<number> {
    const result = await this.sessions
      .createQueryBuilder()
      .update(SessionEntity)
      .set({ revokedAt: this.clock.now(), revokedReason: reason })
      .where('(id = :sessionId OR parent_id = :sessionId) AND revoked_at IS NULL', { sessionId })
      .execute();
    this.metrics.sessionsRevoked(reason, result.affected ?? 0);
    return result.affected ?? 0;
  }

  /** Revokes the session a refresh token belongs to, if it is genuine and the user's. */
  async revokeByRefreshToken(refreshToken: string, userId: string): Promise<void> {
    const decoded = this.codec.decode(refreshToken);
    if (!decoded) return;
    const session = await this.sessions.findOneBy({ id: decoded.sessionId, userId });
    if (session && this.codec.matches(decoded, session.salt))
      await this.revoke(session.id, 'logout', userId);
  }

  /** Revokes every session of a user, but `exceptSessionId` when given. */
  async revokeAllForUser(
    userId: string,
    reason: string,
    exceptSessionId?: string,
  ): Promise<number> {
    const query = this.sessions
      .createQueryBuilder()
      .update(SessionEntity)
      .set({ revokedAt: this.clock.now(), revokedReason: reason })
      .where('user_id = :userId AND revoked_at IS NULL', { userId });
    if (exceptSessionId) query.andWhere('id <> :exceptSessionId', { exceptSessionId });
    const result = await query.execute();
    this.metrics.sessionsRevoked(reason, result.affected ?? 0);
    return result.affected ?? 0;
  }

  private tokenFor(session: SessionEntity): string {
    return this.codec.encode(
      { sessionId: session.id, generation: session.generation },
      session.salt,
    );
  }

  private isUsable(session: SessionEntity): boolean {
    return session.revokedAt === null && session.expiresAt > this.clock.now();
  }

  private assertUsable(session: SessionEntity): void {
    if (session.revokedAt !== null) throw new RefreshRefusedError('revoked');
    if (session.expiresAt <= this.clock.now()) throw new RefreshRefusedError('expired');
  }

  /** One conditional UPDATE: only the request that still sees `generation` wins. */
  private async rotate(
    session: SessionEntity,
    context: ClientContext,
  ): Promise<SessionEntity | null> {
    const now = this.clock.now();
    const windowStart = now - this.config.refreshReuseInterval * 1000;
    const rotations: RotationRecord[] = [
      ...session.rotations.filter((record) => record.rotatedAt >= windowStart),
      { generation: session.generation, rotatedAt: now },
    ].slice(-MAX_ROTATION_RECORDS);
    const changes = {
      generation: session.generation + 1,
      rotations,
      lastUsedAt: now,
      ...(context.ip ? { ip: context.ip.slice(0, 64) } : {}),
      ...(context.userAgent ? { userAgent: context.userAgent.slice(0, 512) } : {}),
    };
    const result = await this.sessions
      .createQueryBuilder()
      .update(SessionEntity)
      .set(changes)
      .where('id = :id AND generation = :generation AND revoked_at IS NULL', {
        id: session.id,
        generation: session.generation,
      })
      .execute();
    if (result.affected !== 1) return null;
    return this.sessions.merge(this.sessions.create(session), changes);
  }

  private async answerReplay(session: SessionEntity, generation: number): Promise<SessionGrant> {
    const now = this.clock.now();
    const record = session.rotations.find((r) => r.generation === generation);
    const withinInterval =
      this.config.refreshReuseInterval > 0 &&
      record !== undefined &&
      now - record.rotatedAt <= this.config.refreshReuseInterval * 1000;
    if (!withinInterval) {
      await this.revoke(session.id, 'refresh_reuse');
      throw new RefreshRefusedError('reused', { id: session.id, userId: session.userId });
    }
    await this.sessions.update({ id: session.id }, { lastUsedAt: now });
    return { session, refreshToken: this.tokenFor(session) };
  }
}
