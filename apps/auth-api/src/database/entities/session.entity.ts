import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

import { epochMs } from '../epoch-ms.transformer';

export interface RotationRecord {
  generation: number;
  rotatedAt: number;
}

/**
 * A login session: one refresh-token family. Its id is the `sid` of every access token minted
 * from it. The refresh token itself is never stored: it is derived from (id, generation, salt)
 * with a server-side HMAC secret, so a database reader cannot present one.
 */
@Entity('sessions')
export class SessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('idx_sessions_user_id')
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 64 })
  salt!: string;

  /** Generation of the current refresh token; advances by one on every rotation. */
  @Column({ type: 'integer' })
  generation!: number;

  /**
   * When recent generations were rotated away: `[{generation, rotatedAt}]`, pruned to the reuse
   * interval. Decides whether a replayed old token is a racing tab (answer with the current token)
   * or reuse (revoke). Kept in the row so that a rotation is one atomic conditional UPDATE.
   */
  @Column({ type: 'simple-json' })
  rotations!: RotationRecord[];

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ name: 'last_used_at', type: 'bigint', transformer: epochMs })
  lastUsedAt!: number;

  /** Absolute end of the session (`REFRESH_TOKEN_TTL` after login). */
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt!: number;

  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochMs })
  revokedAt!: number | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 32, nullable: true })
  revokedReason!: string | null;

  /** The OpenID Connect client whose refresh tokens this session holds; null: auth-api's own. */
  @Column({ name: 'client_id', type: 'varchar', length: 64, nullable: true })
  clientId!: string | null;

  /** For a client's session, the browser session (hosted login) it was authorized from. */
  @Index('idx_sessions_parent_id')
  @Column({ name: 'parent_id', type: 'varchar', length: 36, nullable: true })
  parentId!: string | null;

  /** The scopes a client's session was granted (space-delimited); null for auth-api's own. */
  @Column({ type: 'varchar', length: 2000, nullable: true })
  scope!: string | null;

  /** When the user last entered a password for this session (OpenID Connect `auth_time`). */
  @Column({ name: 'auth_time', type: 'bigint', nullable: true, transformer: epochMs })
  authTime!: number | null;

  /**
   * How the user signed in (RFC 8176 `amr` values, space-delimited: `pwd`, `pwd otp mfa`,
   * `hwk mfa`...). Every token of the session says it; a refresh keeps it.
   */
  @Column({ type: 'varchar', length: 64, default: 'pwd' })
  amr!: string;

  /**
   * The RFC 7638 thumbprint of the DPoP key this session's refresh tokens are bound to (RFC 9449
   * §5): set when a public client signed in with a proof; a refresh must then prove that key.
   */
  @Column({ name: 'dpop_jkt', type: 'varchar', length: 64, nullable: true })
  dpopJkt!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;
}
