// The passkey buttons of the hosted sign-in pages (OpenID Connect login and second step). The
// pages work without script; this reveals each `form[data-passkey-options]`'s button where the
// browser has WebAuthn, asks the server for options, lets the browser's passkey answer them and
// posts that answer (JSON) with the form. @simplewebauthn/browser's bundle, loaded before it,
// sets the global `SimpleWebAuthnBrowser`.
const webauthn = globalThis.SimpleWebAuthnBrowser;

function problemText(error) {
  if (error?.name === 'NotAllowedError' || error?.code === 'ERROR_CEREMONY_ABORTED')
    return 'The passkey request was cancelled or timed out.';
  return 'The passkey could not be used. Try again, or sign in another way.';
}

async function optionsFor(form) {
  const token = form.elements.mfa_token?.value;
  const response = await fetch(form.dataset.passkeyOptions, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(token ? { mfa_token: token } : {}),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  if (!response.ok) throw new Error(`options refused (${response.status})`);
  return response.json();
}

function enable(form) {
  const button = form.querySelector('button[data-passkey]');
  const notice = form.querySelector('[data-passkey-notice]');
  if (!button || !notice) return;
  button.hidden = false;
  button.addEventListener('click', async () => {
    button.disabled = true;
    notice.hidden = true;
    try {
      const credential = await webauthn.startAuthentication({
        optionsJSON: await optionsFor(form),
      });
      form.elements.credential.value = JSON.stringify(credential);
      form.submit();
    } catch (error) {
      notice.textContent = problemText(error);
      notice.hidden = false;
      button.disabled = false;
    }
  });
}

if (webauthn?.browserSupportsWebAuthn()) {
  for (const form of document.querySelectorAll('form[data-passkey-options]')) enable(form);
}
