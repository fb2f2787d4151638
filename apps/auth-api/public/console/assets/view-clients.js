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
          {
            label: 'Kind',
            cell: (c) =>
              c.grant_types.includes('authorization_code')
                ? [
                    h('span', {
                      text: `Sign-in (${c.token_endpoint_auth_method === 'none' ? 'public' : 'confidential'}${c.first_party ? ', first party' : ''}) `,
                    }),
                    ...c.redirect_uris.map((uri) => [h('code', { text: uri }), ' ']),
                  ]
                : h('span', { text: 'Service' }),
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
        hint: 'Separated by spaces, e.g. stats:read (OpenID Connect: openid profile email)',
        autocomplete: 'off',
        spellcheck: 'false',
      }),
      field({
        label: 'Redirect URIs',
        name: 'redirect_uris',
        hint: 'For a sign-in application (OpenID Connect): exact URIs separated by spaces',
        autocomplete: 'off',
        spellcheck: 'false',
      }),
      field({
        label: 'Post-logout redirect URIs',
        name: 'post_logout_redirect_uris',
        hint: 'Where the application may send the user after signing out',
        autocomplete: 'off',
        spellcheck: 'false',
      }),
      field({ label: 'Public client (PKCE only, no secret)', name: 'public', type: 'checkbox' }),
      field({ label: 'First party (no consent page)', name: 'first_party', type: 'checkbox' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Create client' })),
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    resetErrors(form);
    const name = form.elements.name.value.trim();
    const words = (input) => [...new Set(input.value.split(/\s+/).filter(Boolean))];
    const scopes = words(form.elements.scopes);
    const redirectUris = words(form.elements.redirect_uris);
    const postLogout = words(form.elements.post_logout_redirect_uris);
    const body = { name };
    if (redirectUris.length > 0) {
      body.redirect_uris = redirectUris;
      if (scopes.length > 0) body.scopes = scopes;
      if (postLogout.length > 0) body.post_logout_redirect_uris = postLogout;
      if (form.elements.public.checked) body.token_endpoint_auth_method = 'none';
      body.first_party = form.elements.first_party.checked;
    } else {
      body.scopes = scopes;
    }
    if (!name) {
      showFormError(form, {
        message: 'Give the client a name.',
        fields: [{ field: 'name', problems: ['Enter a name.'] }],
      });
      return;
    }
    let client;
    try {
      client = await busy(form, () => api('POST', '/clients', body));
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
      client.client_secret ? h('dt', { text: 'Client secret' }) : null,
      client.client_secret
        ? h(
            'dd',
            {},
            h('code', { id: 'new-client-secret', text: client.client_secret }),
            copy(client.client_secret, 'secret'),
          )
        : null,
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
