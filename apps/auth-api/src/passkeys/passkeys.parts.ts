import { PasskeySignInController } from './passkey-sign-in.controller';
import { PasskeySignIn } from './passkey-sign-in.service';
import { PasskeysController } from './passkeys.controller';
import { Passkeys } from './passkeys.service';
import { WebauthnChallenges } from './webauthn-challenges';

/** Passkeys (WebAuthn): controllers for AppModule. */
export const PASSKEY_CONTROLLERS = [PasskeysController, PasskeySignInController];

export const PASSKEY_PROVIDERS = [Passkeys, PasskeySignIn, WebauthnChallenges];
