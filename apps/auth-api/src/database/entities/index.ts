import { AccountTokenEntity } from './account-token.entity';
import { AuditEventEntity } from './audit-event.entity';
import { AuthorizationCodeEntity } from './authorization-code.entity';
import { ConsentEntity } from './consent.entity';
import { MailMessageEntity } from './mail-message.entity';
import { OAuthClientEntity } from './oauth-client.entity';
import { PasskeyEntity } from './passkey.entity';
import { PushedRequestEntity } from './pushed-request.entity';
import { RecoveryCodeEntity } from './recovery-code.entity';
import { RevokedTokenEntity } from './revoked-token.entity';
import { ServerSecretEntity } from './server-secret.entity';
import { SessionEntity } from './session.entity';
import { SigningKeyEntity } from './signing-key.entity';
import { TotpFactorEntity } from './totp-factor.entity';
import { UserEntity } from './user.entity';
import { WebauthnChallengeEntity } from './webauthn-challenge.entity';

export {
  AccountTokenEntity,
  AuditEventEntity,
  AuthorizationCodeEntity,
  ConsentEntity,
  MailMessageEntity,
  OAuthClientEntity,
  PasskeyEntity,
  PushedRequestEntity,
  RecoveryCodeEntity,
  RevokedTokenEntity,
  ServerSecretEntity,
  SessionEntity,
  SigningKeyEntity,
  TotpFactorEntity,
  UserEntity,
  WebauthnChallengeEntity,
};

export type { AccountTokenPurpose } from './account-token.entity';
export type { MailStatus } from './mail-message.entity';
export type { WebauthnCeremony } from './webauthn-challenge.entity';

export const ENTITIES = [
  UserEntity,
  SessionEntity,
  SigningKeyEntity,
  ServerSecretEntity,
  OAuthClientEntity,
  RevokedTokenEntity,
  AuditEventEntity,
  AuthorizationCodeEntity,
  ConsentEntity,
  PushedRequestEntity,
  AccountTokenEntity,
  MailMessageEntity,
  TotpFactorEntity,
  RecoveryCodeEntity,
  PasskeyEntity,
  WebauthnChallengeEntity,
];
