// The account page's passkeys: what is registered, add one (the password is asked again: a
// passkey signs in on its own), rename one, remove one (password again).
import { api } from './api.js';
import {
  busy,
  field,
  fill,
  h,
  messageArea,
  resetErrors,
  showFormError,
  table,
  time,
} from './dom.js';
import { createPasskey, passkeyProblem, passkeysSupported } from './webauthn.js';

export async function loadPasskeys(container) {
  const passkeys = await api('GET', '/auth/passkeys');
  const reload = () => loadPasskeys(container);
  const list = table({
    caption: 'Your passkeys',
    empty: 'No passkey yet.',
    columns: [
      { label: 'Name', cell: (p) => p.name },
      { label: 'Kind', cell: (p) => (p.device_type === 'multiDevice' ? 'Synced' : 'This device') },
      { label: 'Added', cell: (p) => time(p.created_at) },
      { label: 'Last used', cell: (p) => time(p.last_used_at) },
      {
        label: 'Rename',
        cell: (p) =>
          h('button', {
            type: 'button',
            class: 'secondary',
            text: 'Rename',
            'aria-label': `Rename passkey ${p.name}`,
            onclick: () => fill(container, renameForm(p, reload)),
          }),
      },
      {
        label: 'Remove',
        cell: (p) =>
          h('button', {
            type: 'button',
            class: 'secondary',
            text: 'Remove',
            'aria-label': `Remove passkey ${p.name}`,
            onclick: () => fill(container, removeForm(p, reload)),
          }),
      },
    ],
    rows: passkeys,
  });
  fill(
    container,
    h('p', {
      text: 'A passkey signs you in without a password, with your device’s screen lock; with a password it is the second step.',
    }),
    list,
    passkeysSupported()
      ? addForm(reload)
      : h('p', { class: 'muted', text: 'This browser cannot create passkeys.' }),
  );
}

function passwordField() {
  return field({
    label: 'Current password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
}

function addForm(reload) {
  const form = h(
    'form',
    { novalidate: true, 'aria-label': 'Add a passkey' },
    messageArea(),
    field({ label: 'Name (optional)', name: 'name', maxlength: '64', placeholder: 'Work laptop' }),
    passwordField(),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Add a passkey' })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    resetErrors(form);
    const name = form.elements.name.value.trim();
    try {
      await busy(form, () => createPasskey(form.elements.password.value, name || undefined));
      await reload();
    } catch (error) {
      form.elements.password.value = '';
      showFormError(
        form,
        error.code === 'invalid_current_password' || error.code === 'validation_failed'
          ? error
          : { message: passkeyProblem(error) },
      );
    }
  });
  return form;
}

function renameForm(passkey, reload) {
  return passkeyForm({
    label: `Rename passkey ${passkey.name}`,
    fields: [
      field({
        label: 'New name',
        name: 'name',
        maxlength: '64',
        required: true,
        value: passkey.name,
      }),
    ],
    submit: 'Save name',
    send: (form) =>
      api('PATCH', `/auth/passkeys/${passkey.id}`, { name: form.elements.name.value.trim() }),
    reload,
  });
}

function removeForm(passkey, reload) {
  return passkeyForm({
    label: `Remove passkey ${passkey.name}`,
    fields: [
      h('p', { text: `Remove “${passkey.name}”? It will no longer sign you in.` }),
      passwordField(),
    ],
    submit: 'Remove passkey',
    send: (form) =>
      api('DELETE', `/auth/passkeys/${passkey.id}`, { password: form.elements.password.value }),
    reload,
  });
}

/** A form about one passkey: its fields, a submit and a Cancel button; reloads the list when done. */
function passkeyForm({ label, fields, submit, send, reload }) {
  const form = h(
    'form',
    { novalidate: true, 'aria-label': label },
    messageArea(),
    ...fields,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', text: submit }),
      h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: reload }),
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    resetErrors(form);
    try {
      await busy(form, () => send(form));
      await reload();
    } catch (error) {
      showFormError(form, error);
    }
  });
  return form;
}
