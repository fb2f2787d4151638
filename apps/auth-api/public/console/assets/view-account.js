import { api } from './api.js';
import {
  announce,
  busy,
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
import { session } from './session.js';
import { loadConsents } from './view-consents.js';
import { loadTwoStep } from './view-mfa.js';
import { loadPasskeys } from './view-passkeys.js';

/** `12:34` (or `1:02:03`) until `ms`; `expired` after. */
function remaining(ms) {
  const seconds = Math.max(0, Math.round((ms - Date.now()) / 1000));
  if (seconds === 0) return 'expired';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** A short, readable name for a user agent string. */
function device(userAgent) {
  if (!userAgent) return 'Unknown device';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /(Chrome|Chromium)\//.test(userAgent)
      ? 'Chrome'
      : /Firefox\//.test(userAgent)
        ? 'Firefox'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : userAgent.split(/[ /]/)[0];
  const os = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : '';
  return os ? `${browser} on ${os}` : browser;
}

export function renderAccount(main, { navigate, flash }) {
  const pageMessage = messageArea();
  if (flash) showMessage(pageMessage, flash.text, flash.kind);
  const profile = h('div');
  const token = h('div');
  const sessions = h('div');
  const consents = h('div');
  const twoStep = h('div');
  const passkeys = h('div');
  const grid = h(
    'div',
    { class: 'grid grid-2' },
    section('Profile', profile),
    section(
      'Password',
      passwordForm(() => loadSessions(sessions, navigate)),
    ),
    h('div', { class: 'span-2' }, section('Two-step verification', twoStep)),
    h('div', { class: 'span-2' }, section('Passkeys', passkeys)),
    h('div', { class: 'span-2' }, section('Access token', token)),
    h('div', { class: 'span-2' }, section('Sessions', sessions)),
    h('div', { class: 'span-2' }, section('Applications', consents)),
  );
  main.append(pageMessage, grid);

  const countdown = h('span', {
    class: 'countdown',
    role: 'timer',
    'aria-label': 'Time until the access token expires',
  });
  const tick = () => {
    countdown.textContent = remaining(session.expiresAt);
    countdown.classList.toggle('expiring', session.expiresAt - Date.now() < 60_000);
  };
  const renderToken = () => {
    renderProfile(profile);
    fill(
      token,
      h(
        'p',
        {},
        'Expires in ',
        countdown,
        ' (at ',
        time(session.expiresAt),
        '). The console renews it through its sign-in cookie before then.',
      ),
      h(
        'div',
        { class: 'token-parts' },
        tokenPart('Header', session.header, 'token-header'),
        tokenPart('Claims', session.claims, 'token-claims'),
      ),
      h(
        'div',
        { class: 'actions toolbar-top' },
        h('button', {
          type: 'button',
          class: 'secondary',
          text: 'Renew now',
          onclick: async () => {
            try {
              await session.refresh();
              announce('Access token renewed.');
            } catch (error) {
              showMessage(pageMessage, error.message);
            }
          },
        }),
      ),
    );
    tick();
  };
  renderToken();
  loadSessions(sessions, navigate);
  loadConsents(consents);
  loadTwoStep(twoStep).catch((error) => showMessage(pageMessage, error.message));
  loadPasskeys(passkeys).catch((error) => showMessage(pageMessage, error.message));

  const timer = setInterval(tick, 1000);
  const onChange = (event) => {
    if (event.detail.reason === 'refreshed') renderToken();
  };
  session.addEventListener('change', onChange);
  return () => {
    clearInterval(timer);
    session.removeEventListener('change', onChange);
  };
}

function renderProfile(container) {
  const p = session.profile ?? {};
  fill(
    container,
    h(
      'dl',
      { class: 'facts' },
      h('dt', { text: 'Email' }),
      h('dd', { text: p.email ?? '—' }),
      h('dt', { text: 'User id' }),
      h('dd', {}, h('code', { text: p.id ?? session.claims?.sub ?? '—' })),
      h('dt', { text: 'Roles' }),
      h('dd', { text: (session.claims?.roles ?? p.roles ?? []).join(', ') || '—' }),
      h('dt', { text: 'Member since' }),
      h('dd', {}, time(p.createdAt)),
    ),
  );
}

function tokenPart(title, value, id) {
  const labelId = `${id}-label`;
  return h(
    'div',
    {},
    h('h3', { id: labelId, text: title }),
    h(
      'pre',
      { id, tabindex: '0', role: 'region', 'aria-labelledby': labelId },
      h('code', { text: JSON.stringify(value, null, 2) }),
    ),
  );
}

async function loadSessions(container, navigate) {
  const message = messageArea();
  fill(container, h('p', { class: 'loading', text: 'Loading sessions…' }));
  let list;
  try {
    list = await api('GET', '/auth/sessions');
  } catch (error) {
    fill(container, message);
    showMessage(message, error.message);
    return;
  }
  const revoke = async (target, button) => {
    if (
      target.current &&
      !window.confirm('This is the session you are using now. Revoking it signs you out. Continue?')
    )
      return;
    button.disabled = true;
    try {
      await api('DELETE', `/auth/sessions/${encodeURIComponent(target.id)}`);
    } catch (error) {
      button.disabled = false;
      showMessage(message, error.message);
      return;
    }
    if (target.current) {
      // Revoked server-side already; signing out also clears the console cookie.
      await session.logout().catch(() => {});
      navigate('/signin', {
        kind: 'success',
        text: 'You revoked the session you were using, so you are signed out.',
      });
      return;
    }
    await loadSessions(container, navigate);
    // The button is gone with its row: put focus on the confirmation, which is also read out.
    const area = container.querySelector('.notice');
    if (area) {
      showMessage(area, 'Session revoked.', 'success');
      area.tabIndex = -1;
      area.focus();
    }
  };
  fill(
    container,
    message,
    table({
      caption: `${list.length} active session${list.length === 1 ? '' : 's'}. The current one is marked.`,
      rowClass: (s) => (s.current ? 'is-current' : undefined),
      columns: [
        {
          label: 'Device',
          cell: (s) => [
            h('span', { text: device(s.userAgent) }),
            s.current
              ? [' ', h('span', { class: 'badge badge-current', text: 'This session' })]
              : null,
          ],
        },
        {
          label: 'Application',
          cell: (s) => h('span', { text: s.client ? (s.client.name ?? s.client.id) : 'auth-api' }),
        },
        { label: 'IP address', cell: (s) => h('span', { class: 'mono', text: s.ip ?? '—' }) },
        { label: 'Signed in', cell: (s) => time(s.createdAt) },
        { label: 'Last used', cell: (s) => time(s.lastUsedAt) },
        { label: 'Expires', cell: (s) => time(s.expiresAt) },
        {
          label: 'Actions',
          cell: (s) =>
            h(
              'div',
              { class: 'actions' },
              h('button', {
                type: 'button',
                class: 'danger small',
                'aria-label': `Revoke ${s.current ? 'this session (signs you out)' : `session on ${device(s.userAgent)} signed in ${new Date(s.createdAt).toLocaleString()}`}`,
                dataset: { sessionId: s.id },
                text: 'Revoke',
                onclick: (event) => revoke(s, event.currentTarget),
              }),
            ),
        },
      ],
      rows: list,
      empty: 'No active sessions.',
    }),
  );
}

function passwordForm(onChanged) {
  const form = h(
    'form',
    { novalidate: true, 'aria-label': 'Change password' },
    messageArea(),
    field({
      label: 'Current password',
      name: 'currentPassword',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
    }),
    field({
      label: 'New password',
      name: 'newPassword',
      type: 'password',
      autocomplete: 'new-password',
      required: true,
      minlength: 8,
      maxlength: 128,
      hint: '8 to 128 characters.',
    }),
    field({
      label: 'Repeat the new password',
      name: 'confirm',
      type: 'password',
      autocomplete: 'new-password',
      required: true,
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Change password' })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    resetErrors(form);
    const currentPassword = form.elements.currentPassword.value;
    const newPassword = form.elements.newPassword.value;
    const problems = [];
    if (!currentPassword)
      problems.push({ field: 'currentPassword', problems: ['Enter your current password.'] });
    if (newPassword.length < 8 || newPassword.length > 128)
      problems.push({ field: 'newPassword', problems: ['Use 8 to 128 characters.'] });
    if (newPassword !== form.elements.confirm.value)
      problems.push({ field: 'confirm', problems: ['The two passwords differ.'] });
    if (problems.length > 0) {
      showFormError(form, { message: 'Please correct the highlighted fields.', fields: problems });
      return;
    }
    try {
      await busy(form, () => api('POST', '/auth/password', { currentPassword, newPassword }));
    } catch (error) {
      if (error.code === 'invalid_current_password') {
        showFormError(form, {
          message: 'The current password is incorrect.',
          fields: [{ field: 'currentPassword', problems: ['Incorrect password.'] }],
        });
      } else {
        showFormError(form, error);
      }
      return;
    }
    form.reset();
    showMessage(
      form.querySelector('.notice'),
      'Password changed. Your other sessions have been signed out.',
      'success',
    );
    onChanged();
  });
  return form;
}
