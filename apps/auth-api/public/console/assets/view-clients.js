import { api } from './api.js';
import {
  busy,
  clear,
  field,
  fill,
  h,
  messageArea,
  resetErrors,
  section,
  showFormError,
  showMessage,
  table,
  time,
} from './dom.js';

export function renderClients(main) {
  main.append(
    h('p', {
      class: 'lead',
      text: 'Service clients get tokens with the client credentials grant at POST /oauth/token.',
    }),
  );
  const created = h('div');
  const listMessage = messageArea();
  const list = h('div');

  const load = async () => {
    let clients;
    try {
      clients = await api('GET', '/clients');
    } catch (error) {
      showMessage(listMessage, error.message);
      return;
    }
    fill(
      list,
      table({
        caption: `${clients.length} client${clients.length === 1 ? '' : 's'}`,
        columns: [
          { label: 'Name', cell: (c) => c.name },
          { label: 'Client id', cell: (c) => h('code', { text: c.client_id }) },
          {
            label: 'Scopes',
            cell: (c) =>
              c.scopes.length
                ? c.scopes.map((s) => [h('code', { text: s }), ' '])
                : h('span', { class: 'muted', text: 'none' }),
          },
          { label: 'Created', cell: (c) => time(c.createdAt) },
          {
            label: 'Actions',
            cell: (c) =>
              h('button', {
                type: 'button',
                class: 'danger small',
                'aria-label': `Delete client ${c.name}`,
                text: 'Delete',
                onclick: async () => {
                  if (
                    !window.confirm(
                      `Delete the client “${c.name}”? Its tokens stop working at once.`,
                    )
                  )
                    return;
                  try {
                    await api('DELETE', `/clients/${encodeURIComponent(c.client_id)}`);
                  } catch (error) {
                    showMessage(listMessage, error.message);
                    return;
                  }
                  await load();
                  showMessage(listMessage, `Client “${c.name}” deleted.`, 'success');
                  listMessage.tabIndex = -1;
                  listMessage.focus();
                },
              }),
          },
        ],
        rows: clients,
        empty: 'No service clients yet.',
      }),
    );
  };

  const form = h(
    'form',
    { novalidate: true, 'aria-label': 'New service client' },
    messageArea(),
    h(
      'div',
      { class: 'inline-form' },
      field({ label: 'Name', name: 'name', required: true, maxlength: 200, autocomplete: 'off' }),
      field({
        label: 'Scopes',
        name: 'scopes',
        hint: 'Separated by spaces, e.g. stats:read',
        autocomplete: 'off',
        spellcheck: 'false',
      }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Create client' })),
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    resetErrors(form);
    const name = form.elements.name.value.trim();
    const scopes = [...new Set(form.elements.scopes.value.split(/\s+/).filter(Boolean))];
    if (!name) {
      showFormError(form, {
        message: 'Give the client a name.',
        fields: [{ field: 'name', problems: ['Enter a name.'] }],
      });
      return;
    }
    let client;
    try {
      client = await busy(form, () => api('POST', '/clients', { name, scopes }));
    } catch (error) {
      showFormError(form, error);
      return;
    }
    form.reset();
    showSecret(created, client);
    await load();
  });

  main.append(section('New client', form, created), section('Clients', listMessage, list));
  load();
  return () => clear(created);
}

/** The secret, once: it is stored hashed and cannot be shown again. */
function showSecret(container, client) {
  const copy = (value, label) =>
    h('button', {
      type: 'button',
      class: 'secondary small',
      text: `Copy ${label}`,
      onclick: async (event) => {
        const button = event.currentTarget;
        try {
          await navigator.clipboard.writeText(value);
          button.textContent = 'Copied';
        } catch {
          button.textContent = 'Copy failed: select the text';
        }
      },
    });
  const notice = h(
    'div',
    { class: 'notice notice-warning secret', role: 'status', tabindex: '-1' },
    h(
      'p',
      {},
      h('strong', { text: `Client “${client.name}” created. ` }),
      'Copy the secret now: it is shown only once and cannot be recovered.',
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', { text: 'Client id' }),
      h(
        'dd',
        {},
        h('code', { id: 'new-client-id', text: client.client_id }),
        copy(client.client_id, 'id'),
      ),
      h('dt', { text: 'Client secret' }),
      h(
        'dd',
        {},
        h('code', { id: 'new-client-secret', text: client.client_secret }),
        copy(client.client_secret, 'secret'),
      ),
      h('dt', { text: 'Scopes' }),
      h('dd', { text: client.scopes.join(' ') || 'none' }),
    ),
    h(
      'div',
      { class: 'actions toolbar-top' },
      h('button', {
        type: 'button',
        class: 'secondary small',
        text: 'I have stored the secret',
        onclick: () => clear(container),
      }),
    ),
  );
  fill(container, notice);
  notice.focus();
}
