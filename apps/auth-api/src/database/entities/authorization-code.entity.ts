import { Column, Entity, PrimaryColumn } from 'typeorm';

import { epochMs } from '../epoch-ms.transformer';

/**
 * An authorization code (RFC 6749 §4.1.2), stored by its SHA-256 only. `consumedAt` is set by the
 * one conditional UPDATE that redeems it; `issuedSessionId` is the session its tokens belong to,
 * revoked when the code is presented again (RFC 6749 §4.1.2, RFC 9700 §4.5).
 */
@Entity('oauth_authorization_codes')
export class AuthorizationCodeEntity {
  @PrimaryColumn({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash!: string;

  @Column({ name: 'client_id', type: 'varchar', length: 64 })
  clientId!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ name: 'browser_session_id', type: 'varchar', length: 36 })
  browserSessionId!: string;

  @Column({ name: 'redirect_uri', type: 'varchar', length: 2000 })
  redirectUri!: string;

  @Column({ type: 'varchar', length: 2000 })
  scope!: string;

  @Column({ type: 'varchar', length: 512, nullable: true })
  nonce!: string | null;

  /** The S256 challenge; PKCE is required of every client. */
  @Column({ name: 'code_challenge', type: 'varchar', length: 128 })
  codeChallenge!: string;

  /** RFC 9449 §10 `dpop_jkt`: the DPoP key a token request must prove to redeem the code. */
  @Column({ name: 'dpop_jkt', type: 'varchar', length: 64, nullable: true })
  dpopJkt!: string | null;

  @Column({ name: 'auth_time', type: 'bigint', transformer: epochMs })
  authTime!: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt!: number;

  @Column({ name: 'consumed_at', type: 'bigint', nullable: true, transformer: epochMs })
  consumedAt!: number | null;

  @Column({ name: 'issued_session_id', type: 'varchar', length: 36, nullable: true })
  issuedSessionId!: string | null;
}
