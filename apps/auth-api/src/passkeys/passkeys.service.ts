import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { randomUUID } from 'node:crypto';
import type { Repository } from 'typeorm';

import { ApiError } from '@jwt-token/service-kit';

import { CLOCK, type Clock } from '../common/clock';
import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import { DirectStatements } from '../database/direct-statements';
import { PasskeyEntity, type UserEntity, type WebauthnCeremony } from '../database/entities';
import type { AuthMethod } from '../sessions/auth-methods';
import { credentialShapeOf } from './dto/passkeys.dto';
import { WEBAUTHN_CHALLENGE_TTL_SECONDS, WebauthnChallenges } from './webauthn-challenges';

/** More than anyone needs; a bound on what a stolen session could pile onto an account. */
export const MAX_PASSKEYS_PER_USER = 20;

/** What an account page (or an admin) sees of a passkey: never its key. */
export interface PasskeyView {
  id: string;
  name: string;
  device_type: 'singleDevice' | 'multiDevice';
  backed_up: boolean;
  transports: string[];
  created_at: string;
  last_used_at: string | null;
}

/** A checked passkey sign-in: whose it is, and the `amr` it proves. */
export interface PasskeyProof {
  userId: string;
  amr: AuthMethod[];
}

/** The WebAuthn user handle of a user: the bytes of the user id (no email, nothing personal). */
const userHandleOf = (userId: string) => Buffer.from(userId, 'utf8');

/** Whether an assertion's user handle (base64url) is that of `userId`. */
const handleNames = (handle: string, userId: string) =>
  Buffer.from(handle, 'base64url').equals(userHandleOf(userId));

/**
 * Passkeys, with @simplewebauthn/server doing the WebAuthn checks (origin, RP ID hash, challenge,
 * signature, flags, counter). What it cannot know is kept here: challenges are single-use and
 * bound to their ceremony and user ({@link WebauthnChallenges}); a credential is used only by the
 * user it was registered to, and that user's handle must come back in a passwordless sign-in;
 * the counter moves forward in a conditional UPDATE, so racing replays of one assertion cannot
 * both pass.
 */
@Injectable()
export class Passkeys {
  private readonly logger = new Logger(Passkeys.name);

  constructor(
    @InjectRepository(PasskeyEntity) private readonly passkeys: Repository<PasskeyEntity>,
    @Inject(WebauthnChallenges) private readonly challenges: WebauthnChallenges,
    @Inject(DirectStatements) private readonly direct: DirectStatements,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Options for `navigator.credentials.create()`: a discoverable credential with user verification. */
  async registrationOptions(user: UserEntity): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.passkeys.findBy({ userId: user.id });
    if (existing.length >= MAX_PASSKEYS_PER_USER)
      throw new ApiError(409, 'too_many_passkeys', `at most ${MAX_PASSKEYS_PER_USER} passkeys`);
    const challenge = await this.challenges.issue('registration', user.id);
    return generateRegistrationOptions({
      rpName: new URL(this.config.publicUrl).host,
      rpID: this.config.webauthnRpId,
      userName: user.email,
      userDisplayName: user.email,
      userID: userHandleOf(user.id),
      challenge: Buffer.from(challenge, 'base64url'),
      timeout: WEBAUTHN_CHALLENGE_TTL_SECONDS * 1000,
      attestationType: 'none',
      // The same authenticator twice would only be a second name for one key.
      excludeCredentials: existing.map((passkey) => ({
        id: passkey.credentialId,
        transports: transportsOf(passkey),
      })),
      // Discoverable, so it signs in without an email typed; verified, so it is two factors.
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
  }

  /** Checks the new credential against its challenge and stores it; false when refused. */
  async register(
    user: UserEntity,
    credential: Record<string, unknown>,
    name: string | undefined,
  ): Promise<PasskeyView | null> {
    const response = credentialShapeOf<RegistrationResponseJSON>(credential, [
      'clientDataJSON',
      'attestationObject',
    ]);
    const verified = await this.attempt('registration', () =>
      verifyRegistrationResponse({
        response,
        expectedChallenge: (challenge) => this.spend(challenge, 'registration', user.id),
        expectedOrigin: this.config.webauthnOrigins,
        expectedRPID: this.config.webauthnRpId,
        requireUserVerification: true,
      }),
    );
    if (!verified?.verified) return null;
    const info = verified.registrationInfo;
    const now = this.clock.now();
    const passkey: PasskeyEntity = {
      id: randomUUID(),
      userId: user.id,
      credentialId: info.credential.id,
      publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
      counter: info.credential.counter,
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      transports: (info.credential.transports ?? []).join(',').slice(0, 128),
      name: name ?? defaultName(info.credentialDeviceType),
      createdAt: now,
      lastUsedAt: null,
    };
    if (await this.passkeys.existsBy({ credentialId: passkey.credentialId }))
      throw new ApiError(409, 'passkey_exists', 'this passkey is already registered');
    await this.passkeys.insert(passkey);
    return viewOf(passkey);
  }

  async list(userId: string): Promise<PasskeyView[]> {
    const rows = await this.passkeys.find({ where: { userId }, order: { createdAt: 'ASC' } });
    return rows.map(viewOf);
  }

  async has(userId: string): Promise<boolean> {
    return this.passkeys.existsBy({ userId });
  }

  /** Renames one of the user's passkeys; null when the user has no passkey of that id. */
  async rename(userId: string, id: string, name: string): Promise<PasskeyView | null> {
    const result = await this.passkeys.update({ userId, id }, { name });
    if ((result.affected ?? 0) === 0) return null;
    const row = await this.passkeys.findOneBy({ userId, id });
    return row ? viewOf(row) : null;
  }

  async remove(userId: string, id: string): Promise<boolean> {
    const result = await this.passkeys.delete({ userId, id });
    return (result.affected ?? 0) > 0;
  }

  async removeAll(userId: string): Promise<void> {
    await this.passkeys.delete({ userId });
  }

  /** Options for a passwordless sign-in: no user named, the browser offers its passkeys for us. */
  async signInOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return this.requestOptions('sign_in', null, []);
  }

  /** Options for the second step: the user's own passkeys. */
  async secondFactorOptions(userId: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const passkeys = await this.passkeys.findBy({ userId });
    if (passkeys.length === 0)
      throw new ApiError(409, 'no_passkey', 'this account has no passkey; use another method');
    return this.requestOptions('second_factor', userId, passkeys);
  }

  /**
   * A passwordless sign-in: the credential must exist, name its owner in the user handle and
   * prove user verification (a PIN or biometric, so possession plus one more factor).
   */
  async verifySignIn(credential: Record<string, unknown>): Promise<PasskeyProof | null> {
    const { response, passkey } = await this.assertionOf(credential);
    if (!passkey) return null;
    const handle = response.response.userHandle;
    if (!handle || !handleNames(handle, passkey.userId)) return null;
    const amr = await this.verifyAssertion(passkey, response, 'sign_in', undefined, true);
    return amr ? { userId: passkey.userId, amr: [...amr, 'mfa'] } : null;
  }

  /** The passkey half of a password sign-in: presence is enough, the password was the other factor. */
  async verifySecondFactor(
    userId: string,
    credential: Record<string, unknown>,
  ): Promise<AuthMethod[] | null> {
    const { response, passkey } = await this.assertionOf(credential);
    if (!passkey || passkey.userId !== userId) return null;
    const handle = response.response.userHandle;
    if (handle && !handleNames(handle, userId)) return null;
    return this.verifyAssertion(passkey, response, 'second_factor', userId, false);
  }

  /** A sign-in assertion, its shape checked, and the stored passkey it names (if any). */
  private async assertionOf(credential: Record<string, unknown>) {
    const response = credentialShapeOf<AuthenticationResponseJSON>(credential, [
      'clientDataJSON',
      'authenticatorData',
      'signature',
      'userHandle',
    ]);
    const passkey = await this.direct.findOneBy(PasskeyEntity, 'credentialId', response.id);
    return { response, passkey };
  }

  private async requestOptions(
    ceremony: WebauthnCeremony,
    userId: string | null,
    passkeys: PasskeyEntity[],
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const challenge = await this.challenges.issue(ceremony, userId);
    return generateAuthenticationOptions({
      rpID: this.config.webauthnRpId,
      challenge: Buffer.from(challenge, 'base64url'),
      timeout: WEBAUTHN_CHALLENGE_TTL_SECONDS * 1000,
      userVerification: ceremony === 'sign_in' ? 'required' : 'preferred',
      allowCredentials: passkeys.map((passkey) => ({
        id: passkey.credentialId,
        transports: transportsOf(passkey),
      })),
    });
  }

  private async verifyAssertion(
    passkey: PasskeyEntity,
    response: AuthenticationResponseJSON,
    ceremony: WebauthnCeremony,
    userId: string | undefined,
    requireUserVerification: boolean,
  ): Promise<AuthMethod[] | null> {
    const verified = await this.attempt(ceremony, () =>
      verifyAuthenticationResponse({
        response,
        expectedChallenge: (challenge) => this.spend(challenge, ceremony, userId),
        expectedOrigin: this.config.webauthnOrigins,
        expectedRPID: this.config.webauthnRpId,
        credential: {
          id: passkey.credentialId,
          publicKey: Buffer.from(passkey.publicKey, 'base64url'),
          counter: passkey.counter,
          transports: transportsOf(passkey),
        },
        requireUserVerification,
      }),
    );
    if (!verified?.verified) return null;
    const { newCounter, credentialDeviceType, credentialBackedUp } = verified.authenticationInfo;
    // The library compared the counter with the one read above; this makes it stick when two
    // copies of an assertion race (a counter of 0 means the authenticator keeps none).
    const moved = await this.direct.execute(
      'UPDATE passkeys SET counter = ?, last_used_at = ? WHERE id = ? AND (counter < ? OR (counter = 0 AND ? = 0))',
      [newCounter, this.clock.now(), passkey.id, newCounter, newCounter],
    );
    if (moved === 0) return null;
    // A synced passkey may be backed up after it was registered.
    if (credentialBackedUp !== passkey.backedUp)
      await this.passkeys.update({ id: passkey.id }, { backedUp: credentialBackedUp });
    return [credentialDeviceType === 'singleDevice' ? 'hwk' : 'swk'];
  }

  /** Spends a challenge for the library's check; the library reads true as "it matched". */
  private async spend(challenge: string, ceremony: WebauthnCeremony, userId?: string) {
    return (await this.challenges.spend(challenge, ceremony, userId)) !== null;
  }

  /** The library throws on every failed check: that is a refusal (logged for operators), not a 500. */
  private async attempt<T>(ceremony: WebauthnCeremony, run: () => Promise<T>): Promise<T | null> {
    try {
      return await run();
    } catch (error) {
      this.logger.log(`passkey ${ceremony} refused: ${(error as Error).message.slice(0, 200)}`);
      return null;
    }
  }
}

function transportsOf(passkey: PasskeyEntity): string[] | undefined {
  return passkey.transports ? passkey.transports.split(',') : undefined;
}

function defaultName(deviceType: string): string {
  return deviceType === 'multiDevice' ? 'Synced passkey' : 'Security key';
}

function viewOf(passkey: PasskeyEntity): PasskeyView {
  return {
    id: passkey.id,
    name: passkey.name,
    device_type: passkey.deviceType,
    backed_up: passkey.backedUp,
    transports: transportsOf(passkey) ?? [],
    created_at: new Date(passkey.createdAt).toISOString(),
    last_used_at: passkey.lastUsedAt === null ? null : new Date(passkey.lastUsedAt).toISOString(),
  };
}
