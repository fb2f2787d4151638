import { api } from './api.js';
import { fill, h, messageArea, showMessage, table, time } from './dom.js';

/** The applications the user allowed (OpenID Connect consents), each revocable. */
export async function loadConsents(container) {
  const message = messageArea();
  fill(container, h('p', { class: 'loading', text: 'Loading applications…' }));
  let list;
  try {
    list = await api('GET', '/auth/consents');
  } catch (error) {
    fill(container, message);
    showMessage(message, error.message);
    return;
  }
  const revoke = async (consent, button) => {
    button.disabled = true;
    try {
      await api('DELETE', `/auth/consents/${encodeURIComponent(consent.client_id)}`);
    } catch (error) {
      button.disabled = false;
      showMessage(message, error.message);
      return;
    }
    await loadConsents(container);
  };
  fill(
    container,
    message,
    table({
      caption: 'Applications you allowed to sign you in. Revoking makes them ask again.',
      columns: [
        { label: 'Application', cell: (c) => h('span', { text: c.client_name ?? c.client_id }) },
        { label: 'Scopes', cell: (c) => h('span', { class: 'mono', text: c.scopes.join(' ') }) },
        { label: 'Allowed', cell: (c) => time(c.grantedAt) },
        {
          label: 'Actions',
          cell: (c) =>
            h('button', {
              type: 'button',
              class: 'danger small',
              'aria-label': `Revoke access of ${c.client_name ?? c.client_id}`,
              text: 'Revoke',
              onclick: (event) => revoke(c, event.currentTarget),
            }),
        },
      ],
      rows: list,
      empty: 'No applications.',
    }),
  );
}
