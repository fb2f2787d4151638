import { AttemptLimiter } from '../auth/attempt-limiter';
import { MfaAdminController } from './mfa-admin.controller';
import { MfaChallenges } from './mfa-challenges';
import { MfaSignIn } from './mfa-sign-in.service';
import { MfaController } from './mfa.controller';
import { RecoveryCodes } from './recovery-codes.service';
import { SecondFactors } from './second-factors';
import { TotpFactors } from './totp-factors.service';

/** Second factors: controllers for AppModule. */
export const MFA_CONTROLLERS = [MfaController, MfaAdminController];

/** Their providers, with the attempt counting shared with the password check. */
export const MFA_PROVIDERS = [
  AttemptLimiter,
  MfaChallenges,
  MfaSignIn,
  RecoveryCodes,
  SecondFactors,
  TotpFactors,
];
