import { Column, Entity, PrimaryColumn } from 'typeorm';

import { epochMs } from '../epoch-ms.transformer';

/**
 * What a WebAuthn challenge was issued for: adding a passkey to an account, a passwordless
 * sign-in (no user known yet), or the second step of a password sign-in.
 */
export type WebauthnCeremony = 'registration' | 'sign_in' | 'second_factor';

/**
 * A WebAuthn challenge, kept (as its SHA-256) until answered once or expired, so every instance
 * accepts an answer to any instance's challenge and none accepts it twice.
 */
@Entity('webauthn_challenges')
export class WebauthnChallengeEntity {
  /** SHA-256 (hex) of the challenge the browser signs. */
  @PrimaryColumn({ name: 'challenge_hash', type: 'varchar', length: 64 })
  challengeHash!: string;

  @Column({ type: 'varchar', length: 16 })
  ceremony!: WebauthnCeremony;

  /** The user the ceremony is for; null for a passwordless sign-in. */
  @Column({ name: 'user_id', type: 'varchar', length: 36, nullable: true })
  userId!: string | null;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt!: number;

  @Column({ name: 'used_at', type: 'bigint', nullable: true, transformer: epochMs })
  usedAt!: number | null;
}
