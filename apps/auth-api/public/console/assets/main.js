// Entry point: hash routes (#/account, #/admin/users, …), the navigation, and the session's life.
import { announce, clear, fill, h } from './dom.js';
import { session } from './session.js';
import { renderAccount } from './view-account.js';
import { renderAudit } from './view-audit.js';
import { renderClients } from './view-clients.js';
import { renderKeys } from './view-keys.js';
import { renderOutbox } from './view-outbox.js';
import { renderRegister } from './view-register.js';
import { renderSignIn } from './view-signin.js';
import { renderUsers } from './view-users.js';

/** `access`: `guest` (signed out only), `user` or `admin`. */
const ROUTES = {
  '/signin': { title: 'Sign in', access: 'guest', render: renderSignIn },
  '/register': { title: 'Create an account', access: 'guest', render: renderRegister },
  '/account': { title: 'Your account', access: 'user', render: renderAccount, nav: 'Account' },
  '/admin/users': { title: 'Users', access: 'admin', render: renderUsers, nav: 'Users' },
  '/admin/clients': {
    title: 'Service clients',
    access: 'admin',
    render: renderClients,
    nav: 'Clients',
  },
  '/admin/keys': { title: 'Signing keys', access: 'admin', render: renderKeys, nav: 'Keys' },
  '/admin/audit': { title: 'Audit log', access: 'admin', render: renderAudit, nav: 'Audit log' },
  '/admin/outbox': { title: 'Outbox', access: 'admin', render: renderOutbox, nav: 'Outbox' },
};

const main = document.getElementById('main');
let cleanup = null;
let rendered = false;
/** A message for the next page (e.g. "your session ended"), shown once. */
let flash = null;

function currentPath() {
  const hash = location.hash.replace(/^#/, '');
  return hash.startsWith('/') ? hash.split('?')[0] : '/';
}

/** Goes to `path`, showing `message` (`{kind, text}`) on the page there, once. */
function navigate(path, message) {
  if (message) flash = message;
  if (currentPath() === path) route();
  else location.hash = `#${path}`;
}

function allowedPath(path) {
  const target = ROUTES[path];
  if (!session.signedIn) return target?.access === 'guest' ? path : '/signin';
  if (!target || target.access === 'guest') return '/account';
  if (target.access === 'admin' && !session.isAdmin) return '/account';
  return path;
}

function renderNav(path) {
  const nav = document.getElementById('nav');
  const link = (to, label) =>
    h(
      'li',
      {},
      h('a', { href: `#${to}`, 'aria-current': to === path ? 'page' : undefined, text: label }),
    );
  const items = session.signedIn
    ? [
        link('/account', 'Account'),
        session.isAdmin
          ? [h('li', { class: 'nav-group', 'aria-hidden': 'true', text: 'Admin' })]
          : [],
        session.isAdmin
          ? Object.entries(ROUTES)
              .filter(([, r]) => r.access === 'admin')
              .map(([to, r]) => link(to, r.nav))
          : [],
      ]
    : [link('/signin', 'Sign in'), link('/register', 'Create an account')];
  fill(nav, h('ul', {}, items));

  const who = clear(document.getElementById('who'));
  if (session.signedIn) {
    who.append(
      h(
        'span',
        {},
        'Signed in as ',
        h('strong', { text: session.profile?.email ?? session.claims?.sub ?? '' }),
      ),
      h('button', {
        type: 'button',
        class: 'secondary small',
        id: 'sign-out',
        onclick: signOut,
        text: 'Sign out',
      }),
    );
  }
}

async function signOut() {
  try {
    await session.logout();
  } finally {
    navigate('/signin', { kind: 'success', text: 'You are signed out.' });
  }
}

function route() {
  const requested = currentPath();
  const path = allowedPath(requested);
  if (path !== requested) {
    history.replaceState(null, '', `#${path}`);
  }
  const target = ROUTES[path];
  if (typeof cleanup === 'function') cleanup();
  cleanup = null;
  renderNav(path);
  document.title = `${target.title} · auth-api console`;
  clear(main);
  main.dataset.layout = target.access === 'guest' ? 'narrow' : 'wide';
  const heading = h('h1', { tabindex: '-1', text: target.title });
  main.append(heading);
  const message = flash;
  flash = null;
  cleanup = target.render(main, { navigate, flash: message });
  // After an in-page navigation, focus the new heading so screen readers announce it and Tab
  // starts there. Not on first load: there, Tab must reach the skip link first.
  if (rendered) heading.focus();
  rendered = true;
}

session.addEventListener('change', (event) => {
  const reason = event.detail.reason;
  if (reason === 'expired') {
    flash = { kind: 'warning', text: 'Your session has ended. Please sign in again.' };
    announce('Your session has ended.');
    route();
  } else if (reason === 'signed_in') {
    navigate('/account');
  } else if (reason === 'refreshed') {
    // Roles may have changed: keep the navigation in step with the new token.
    renderNav(allowedPath(currentPath()));
  }
});

document.getElementById('skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

async function start() {
  if (!window.isSecureContext) {
    flash = {
      kind: 'warning',
      text: 'This page is not served over HTTPS: the browser will not keep the sign-in cookie. Use HTTPS (or localhost).',
    };
  }
  await session.restore();
  document.getElementById('loading')?.remove();
  window.addEventListener('hashchange', route);
  route();
}

start();
