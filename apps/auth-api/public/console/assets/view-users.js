import { api } from './api.js';
import { clear, fill, h, messageArea, section, showMessage, table, time, uid } from './dom.js';
import { session } from './session.js';

const ROLES = ['user', 'editor', 'admin'];
const PAGE_SIZE = 25;

/** The highest role held: roles nest (user ⊂ editor ⊂ admin), so one choice says it all. */
function highestRole(roles) {
  return [...ROLES].reverse().find((role) => roles.includes(role)) ?? 'user';
}

export function renderUsers(main) {
  main.append(
    h('p', {
      class: 'lead',
      text: 'Roles nest: an editor is also a user, an admin is also an editor. A change shows in the user’s next refreshed token.',
    }),
  );
  const message = messageArea();
  const body = h('div');
  main.append(section('All users', message, body));
  let offset = 0;

  const load = async () => {
    fill(body, h('p', { class: 'loading', text: 'Loading users…' }));
    let page;
    try {
      page = await api('GET', `/users?offset=${offset}&limit=${PAGE_SIZE}`);
    } catch (error) {
      clear(body);
      showMessage(message, error.message);
      return;
    }
    fill(
      body,
      table({
        caption: `Users ${page.total === 0 ? 0 : offset + 1}–${offset + page.items.length} of ${page.total}`,
        columns: [
          {
            label: 'Email',
            cell: (u) => [
              h('span', { text: u.email }),
              u.id === session.claims?.sub ? h('span', { class: 'muted', text: ' (you)' }) : null,
            ],
          },
          { label: 'Role', cell: (u) => roleControl(u) },
          {
            label: 'Status',
            cell: (u) =>
              h('span', {
                class: `badge ${u.disabled ? 'badge-disabled' : 'badge-active'}`,
                text: u.disabled ? 'Disabled' : 'Active',
              }),
          },
          {
            label: 'Email verified',
            cell: (u) =>
              h('span', {
                class: `badge ${u.emailVerified ? 'badge-active' : 'badge-next'}`,
                text: u.emailVerified ? 'Verified' : 'Not yet',
              }),
          },
          { label: 'Created', cell: (u) => time(u.createdAt) },
          { label: 'Actions', cell: (u) => actions(u) },
        ],
        rows: page.items,
        empty: 'No users.',
      }),
      pager(page),
    );
  };

  const act = async (work, done) => {
    try {
      await work();
    } catch (error) {
      showMessage(message, error.message);
      message.tabIndex = -1;
      message.focus();
      return;
    }
    await load();
    showMessage(message, done, 'success');
    message.tabIndex = -1;
    message.focus();
  };

  function roleControl(user) {
    const id = uid('role');
    const self = user.id === session.claims?.sub;
    const select = h(
      'select',
      { id, name: 'role', 'aria-label': `Role of ${user.email}`, disabled: self },
      ROLES.map((role) =>
        h('option', { value: role, selected: role === highestRole(user.roles), text: role }),
      ),
    );
    const form = h(
      'form',
      { class: 'actions' },
      select,
      h('button', { type: 'submit', class: 'secondary small', disabled: self, text: 'Save role' }),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const role = select.value;
      act(
        () => api('PATCH', `/users/${user.id}`, { roles: [role] }),
        `${user.email} is now ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}.`,
      );
    });
    return form;
  }

  function actions(user) {
    if (user.id === session.claims?.sub)
      return h('span', { class: 'muted', text: 'You cannot demote, disable or delete yourself.' });
    return h(
      'div',
      { class: 'actions' },
      h('button', {
        type: 'button',
        class: 'secondary small',
        'aria-label': `${user.disabled ? 'Enable' : 'Disable'} ${user.email}`,
        text: user.disabled ? 'Enable' : 'Disable',
        onclick: () =>
          act(
            () => api('PATCH', `/users/${user.id}`, { disabled: !user.disabled }),
            `${user.email} is ${user.disabled ? 'enabled' : 'disabled; their sessions have ended'}.`,
          ),
      }),
      h('button', {
        type: 'button',
        class: 'secondary small',
        'aria-label': `Second factors of ${user.email}`,
        text: '2-step',
        onclick: async () => {
          try {
            showMessage(
              message,
              factorsText(user, await api('GET', `/users/${user.id}/factors`)),
              'success',
            );
          } catch (error) {
            showMessage(message, error.message);
          }
          message.tabIndex = -1;
          message.focus();
        },
      }),
      h('button', {
        type: 'button',
        class: 'secondary small',
        'aria-label': `Reset the second factors of ${user.email}`,
        text: 'Reset 2-step',
        onclick: () => {
          if (
            !window.confirm(
              `Remove every second factor of ${user.email} (authenticator app, recovery codes, passkeys)? They will sign in with the password alone until they set one up again.`,
            )
          )
            return;
          act(
            () => api('DELETE', `/users/${user.id}/factors`),
            `The second factors of ${user.email} were removed.`,
          );
        },
      }),
      h('button', {
        type: 'button',
        class: 'danger small',
        'aria-label': `Delete ${user.email}`,
        text: 'Delete',
        onclick: () => {
          if (
            !window.confirm(`Delete ${user.email}? Their sessions end now. This cannot be undone.`)
          )
            return;
          act(() => api('DELETE', `/users/${user.id}`), `${user.email} was deleted.`);
        },
      }),
    );
  }

  function pager(page) {
    if (page.total <= PAGE_SIZE) return null;
    return h(
      'nav',
      { class: 'pager', 'aria-label': 'Pages of users' },
      h('button', {
        type: 'button',
        class: 'secondary small',
        disabled: offset === 0,
        text: 'Previous',
        onclick: () => ((offset = Math.max(0, offset - PAGE_SIZE)), load()),
      }),
      h('button', {
        type: 'button',
        class: 'secondary small',
        disabled: offset + PAGE_SIZE >= page.total,
        text: 'Next',
        onclick: () => ((offset += PAGE_SIZE), load()),
      }),
    );
  }

  load();
}

/** One line on a user's second factors, for the admin. */
function factorsText(user, factors) {
  const app = factors.totp.enabled
    ? `authenticator app on, ${factors.recovery_codes.remaining} recovery codes left`
    : 'no authenticator app';
  const keys = factors.passkeys.length
    ? `passkeys: ${factors.passkeys.map((p) => p.name).join(', ')}`
    : 'no passkey';
  return `${user.email}: ${app}; ${keys}.`;
}
