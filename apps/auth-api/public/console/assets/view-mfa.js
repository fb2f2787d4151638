// Two-step verification: the account page's authenticator and recovery codes, and the sign-in's
// second step.
import { api, rawRequest } from './api.js';
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
import { session } from './session.js';
import { passkeyProblem, passkeysSupported, usePasskey } from './webauthn.js';

const SVG = 'http://www.w3.org/2000/svg';

/**
 * The server's QR code as SVG elements. The page may not parse markup (Trusted Types), so the
 * drawing is rebuilt from the SVG's viewBox and paths: attributes only, never HTML.
 */
function qrCode(svgText) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', /viewBox="([\d .]+)"/.exec(svgText)?.[1] ?? '0 0 0 0');
  svg.setAttribute('class', 'qr-code');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'QR code of the authenticator secret');
  for (const [, attrs] of svgText.matchAll(/<path ([^>]*)\/>/g)) {
    const path = document.createElementNS(SVG, 'path');
    for (const [, name, value] of attrs.matchAll(/(fill|stroke|d)="([^"]*)"/g))
      path.setAttribute(name, value);
    svg.append(path);
  }
  return svg;
}

function codeList(codes) {
  return h(
    'div',
    {},
    h('p', {
      text: 'Recovery codes: each signs you in once if you lose the authenticator. Keep them somewhere safe; they are shown only now.',
    }),
    h(
      'ul',
      { class: 'recovery-codes mono', 'aria-label': 'Recovery codes' },
      codes.map((c) => h('li', { text: c })),
    ),
  );
}

function passwordForm(label, onSubmit) {
  const form = h(
    'form',
    { novalidate: true },
    messageArea(),
    field({
      label: 'Current password',
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
    }),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'secondary', text: label }),
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    resetErrors(form);
    try {
      await busy(form, () => onSubmit(form.elements.password.value));
    } catch (error) {
      showFormError(form, error);
    }
  });
  return form;
}

/** The account page's section: set up, confirm or remove the authenticator; new recovery codes. */
export async function loadTwoStep(container) {
  const summary = await api('GET', '/auth/mfa');
  const reload = () => loadTwoStep(container);
  if (!summary.totp.enabled) {
    const start = h('button', { type: 'button', text: 'Set up an authenticator app' });
    start.addEventListener('click', async () => {
      const enrolment = await api('POST', '/auth/mfa/totp');
      fill(container, enrolmentForm(enrolment, container));
    });
    fill(
      container,
      h('p', { text: 'Off. Sign-ins need only your password.' }),
      h('div', { class: 'actions' }, start),
    );
    return;
  }
  const codesArea = h('div');
  fill(
    container,
    h(
      'p',
      {},
      'On: sign-ins ask for a code from your authenticator app. ',
      `${summary.recovery_codes.remaining} recovery codes left.`,
    ),
    codesArea,
    passwordForm('New recovery codes', async (password) => {
      const { recovery_codes: codes } = await api('POST', '/auth/mfa/recovery-codes', { password });
      fill(codesArea, codeList(codes));
    }),
    passwordForm('Remove the authenticator', async (password) => {
      await api('DELETE', '/auth/mfa/totp', { password });
      await reload();
    }),
  );
}

function enrolmentForm(enrolment, container) {
  const form = h(
    'form',
    { novalidate: true },
    messageArea(),
    h('p', {
      text: 'Scan this code with your authenticator app, or type the key, then enter the 6-digit code it shows.',
    }),
    qrCode(enrolment.qr_svg),
    h('p', {}, 'Key: ', h('code', { class: 'mono', text: enrolment.secret })),
    field({
      label: 'Code from the app',
      name: 'code',
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      required: true,
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Turn on' })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    resetErrors(form);
    try {
      const { recovery_codes: codes } = await busy(form, () =>
        api('POST', '/auth/mfa/totp/confirm', { code: form.elements.code.value.trim() }),
      );
      fill(container, h('p', { text: 'Two-step verification is on.' }), codeList(codes));
    } catch (error) {
      showFormError(
        form,
        error.code === 'invalid_mfa_code'
          ? { message: 'That code is not right. Try the current one.' }
          : error,
      );
    }
  });
  return form;
}

/**
 * The sign-in's second step, after the password was right (403 `mfa_required`). `extra` are more
 * ways to answer the challenge (a passkey button), given the challenge.
 */
export function renderMfaStep(card, challenge, { onCancel, extra = [] } = {}) {
  const form = h(
    'form',
    { novalidate: true, 'aria-label': 'Two-step verification' },
    messageArea(),
    field({
      label: 'Code from your authenticator app, or a recovery code',
      name: 'code',
      autocomplete: 'one-time-code',
      required: true,
      spellcheck: 'false',
    }),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', text: 'Verify' }),
      h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: onCancel }),
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    resetErrors(form);
    const value = form.elements.code.value.replace(/\s/g, '');
    const proof = /^\d{6}$/.test(value) ? { code: value } : { recovery_code: value };
    try {
      await busy(form, () => session.loginMfa(challenge.mfa_token, proof));
    } catch (error) {
      form.elements.code.value = '';
      if (error.code === 'invalid_mfa_token') {
        onCancel('Your sign-in expired. Please sign in again.');
        return;
      }
      const message =
        error.code === 'invalid_mfa_code'
          ? 'That code is not right.'
          : error.code === 'second_factor_locked'
            ? 'Too many wrong codes: the second factor is locked for a while. Try again later.'
            : error.message;
      showMessage(form.querySelector('.notice'), message);
      form.elements.code.focus();
    }
  });
  const methods = challenge.mfa_methods ?? [];
  const codes = methods.includes('totp');
  const passkey =
    methods.includes('passkey') && passkeysSupported()
      ? [passkeyStep(challenge, { onCancel, withCancel: !codes })]
      : [];
  fill(
    card,
    h('h2', { text: 'Two-step verification' }),
    ...(codes ? [form] : []),
    ...passkey,
    ...extra.map((make) => make(challenge)),
  );
  if (codes) form.elements.code.focus();
}

/** Answers the challenge with one of the account's passkeys instead of a code. */
function passkeyStep(challenge, { onCancel, withCancel }) {
  const notice = messageArea();
  const button = h('button', { type: 'button', text: 'Use a passkey' });
  const cancel = h('button', {
    type: 'button',
    class: 'secondary',
    text: 'Cancel',
    onclick: onCancel,
  });
  const area = h(
    'div',
    { class: 'passkey-step' },
    notice,
    h('div', { class: 'actions' }, button, ...(withCancel ? [cancel] : [])),
  );
  button.addEventListener('click', async () => {
    try {
      await busy(area, async () => {
        const options = await rawRequest('POST', '/auth/login/mfa/passkey/options', {
          body: { mfa_token: challenge.mfa_token },
        });
        await session.loginMfaPasskey(challenge.mfa_token, await usePasskey(options));
      });
    } catch (error) {
      if (error.code === 'invalid_mfa_token') {
        onCancel('Your sign-in expired. Please sign in again.');
        return;
      }
      showMessage(
        notice,
        error.code === 'invalid_mfa_code'
          ? 'That passkey was not accepted.'
          : error.code === 'second_factor_locked'
            ? 'Too many failed attempts: the second factor is locked for a while. Try again later.'
            : passkeyProblem(error),
      );
    }
  });
  return area;
}
