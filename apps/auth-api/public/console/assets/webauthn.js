// Passkeys in the browser through @simplewebauthn/browser: its bundle (served by auth-api from
// the npm package, loaded before the modules) sets the global `SimpleWebAuthnBrowser`.
import { api } from './api.js';

const library = () => globalThis.SimpleWebAuthnBrowser;

/** Whether this browser can use passkeys at all (WebAuthn, in a secure context). */
export function passkeysSupported() {
  return Boolean(library()?.browserSupportsWebAuthn());
}

/** What the browser's WebAuthn errors mean to a person. */
export function passkeyProblem(error) {
  if (error?.name === 'NotAllowedError' || error?.code === 'ERROR_CEREMONY_ABORTED')
    return 'The passkey request was cancelled or timed out.';
  if (error?.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED')
    return 'This passkey is already registered to your account.';
  if (error?.code === 'invalid_passkey') return 'That passkey was not accepted. Try again.';
  return error?.message ?? 'The passkey could not be used.';
}

/** Creates a passkey for the signed-in user; the password is asked again (and checked) first. */
export async function createPasskey(password, name) {
  const optionsJSON = await api('POST', '/auth/passkeys/registration/options', { password });
  const credential = await library().startRegistration({ optionsJSON });
  return api('POST', '/auth/passkeys', { credential, ...(name ? { name } : {}) });
}

/** The browser's answer to the server's sign-in options (`optionsJSON`). */
export function usePasskey(optionsJSON) {
  return library().startAuthentication({ optionsJSON });
}
