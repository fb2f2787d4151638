import {
  busy,
  field,
  fill,
  h,
  messageArea,
  resetErrors,
  showFormError,
  showMessage,
} from './dom.js';
import { rawRequest } from './api.js';
import { session } from './session.js';
import { renderMfaStep } from './view-mfa.js';
import { passkeyProblem, passkeysSupported, usePasskey } from './webauthn.js';

export function renderSignIn(main, { flash }) {
  const message = messageArea();
  if (flash) showMessage(message, flash.text, flash.kind);
  const form = h(
    'form',
    { novalidate: true, 'aria-labelledby': 'signin-title' },
    message,
    field({
      label: 'Email',
      name: 'email',
      type: 'email',
      autocomplete: 'username',
      required: true,
      spellcheck: 'false',
    }),
    field({
      label: 'Password',
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Sign in' })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    resetErrors(form);
    const email = form.elements.email.value.trim();
    const password = form.elements.password.value;
    if (!email || !password) {
      showFormError(form, {
        message: 'Enter your email and password.',
        fields: [
          ...(email ? [] : [{ field: 'email', problems: ['Enter your email address.'] }]),
          ...(password ? [] : [{ field: 'password', problems: ['Enter your password.'] }]),
        ],
      });
      return;
    }
    try {
      await busy(form, () => session.login(email, password));
    } catch (error) {
      form.elements.password.value = '';
      if (error.code === 'mfa_required') {
        renderMfaStep(card, error.body, {
          onCancel: (text) => {
            fill(card, form, ...passkeyArea);
            if (typeof text === 'string') showFormError(form, { message: text });
          },
        });
        return;
      }
      showFormError(form, { message: signInProblem(error) });
      form.elements.password.focus();
    }
  });
  main.querySelector('h1').id = 'signin-title';
  const passkeyArea = passkeysSupported() ? [passkeySignIn(form)] : [];
  const card = h('div', { class: 'card' }, form, ...passkeyArea);
  main.append(
    card,
    h('p', {}, 'No account yet? ', h('a', { href: '#/register', text: 'Create an account' }), '.'),
  );
}

/** Passwordless: the browser offers the passkeys it holds for this site; no email is typed. */
function passkeySignIn(form) {
  const button = h('button', {
    type: 'button',
    class: 'secondary',
    text: 'Use a passkey',
  });
  button.addEventListener('click', async () => {
    resetErrors(form);
    try {
      await busy(form, async () => {
        const options = await rawRequest('POST', '/auth/passkey/options');
        await session.loginPasskey(await usePasskey(options));
      });
    } catch (error) {
      showFormError(form, {
        message: error.code === 'invalid_passkey' ? passkeyProblem(error) : signInProblem(error),
      });
    }
  });
  return h('div', { class: 'actions passkey-sign-in' }, button);
}

function signInProblem(error) {
  if (error.code === 'invalid_credentials') return 'The email or password is incorrect.';
  if (error.code === 'account_locked')
    return 'Too many failed sign-ins: this account is locked for a while. Try again later.';
  if (error.name === 'NotAllowedError' || error.code?.startsWith?.('ERROR_'))
    return passkeyProblem(error);
  if (error.code === 'too_many_requests')
    return 'Too many attempts from here. Wait a minute and try again.';
  return error.message;
}
