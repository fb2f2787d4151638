import { api } from './api.js';
import { field, fill, h, messageArea, section, showMessage, table, time, uid } from './dom.js';

const TYPES = [
  'user.registered',
  'login.succeeded',
  'login.failed',
  'account.locked',
  'refresh.reuse_detected',
  'session.logout',
  'session.logout_all',
  'session.revoked',
  'password.changed',
  'user.roles_changed',
  'user.disabled',
  'user.enabled',
  'user.deleted',
  'client.created',
  'client.deleted',
  'key.rotated',
];
const PAGE_SIZE = 50;

function details(value) {
  if (!value || Object.keys(value).length === 0) return h('span', { class: 'muted', text: '—' });
  return h('code', {
    text: Object.entries(value)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v}`)
      .join(' '),
  });
}

export function renderAudit(main) {
  main.append(h('p', { class: 'lead', text: 'Security events, newest first.' }));
  const message = messageArea();
  const list = h('div');
  let offset = 0;
  /** User id → email, so that people read names rather than UUIDs (the id stays in the filter). */
  const emails = new Map();
  const loadEmails = async () => {
    const users = await api('GET', '/users?limit=200').catch(() => ({ items: [] }));
    for (const user of users.items) emails.set(user.id, user.email);
  };
  const who = (id) => {
    if (!id) return h('span', { class: 'muted', text: '—' });
    const email = emails.get(id);
    return email
      ? h('span', {}, email, h('br'), h('code', { class: 'muted', text: id }))
      : h('code', { text: id });
  };

  const typeId = uid('type');
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Filter events' },
    h(
      'div',
      { class: 'field' },
      h('label', { for: typeId, text: 'Event type' }),
      h(
        'select',
        { id: typeId, name: 'type' },
        h('option', { value: '', text: 'Any' }),
        TYPES.map((t) => h('option', { value: t, text: t })),
      ),
    ),
    field({ label: 'Actor id', name: 'actor', autocomplete: 'off', spellcheck: 'false' }),
    field({ label: 'Subject id', name: 'subject', autocomplete: 'off', spellcheck: 'false' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Filter' })),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    offset = 0;
    load();
  });

  const load = async () => {
    const query = new URLSearchParams({ offset: String(offset), limit: String(PAGE_SIZE) });
    for (const name of ['type', 'actor', 'subject']) {
      const value = form.elements[name].value.trim();
      if (value) query.set(name, value);
    }
    let page;
    try {
      [page] = await Promise.all([
        api('GET', `/audit?${query}`),
        emails.size === 0 ? loadEmails() : null,
      ]);
    } catch (error) {
      showMessage(message, error.message);
      return;
    }
    fill(
      list,
      table({
        caption: `Events ${page.total === 0 ? 0 : offset + 1}–${offset + page.items.length} of ${page.total}`,
        columns: [
          { label: 'Time', cell: (e) => time(e.at) },
          { label: 'Event', cell: (e) => h('code', { class: 'nowrap', text: e.type }) },
          { label: 'Actor', cell: (e) => who(e.actorId) },
          { label: 'Subject', cell: (e) => who(e.subjectId) },
          { label: 'IP', cell: (e) => e.ip ?? '—' },
          { label: 'Details', cell: (e) => details(e.details) },
        ],
        rows: page.items,
        empty: 'No events match.',
      }),
      page.total > PAGE_SIZE
        ? h(
            'nav',
            { class: 'pager', 'aria-label': 'Pages of events' },
            h('button', {
              type: 'button',
              class: 'secondary small',
              disabled: offset === 0,
              text: 'Newer',
              onclick: () => ((offset = Math.max(0, offset - PAGE_SIZE)), load()),
            }),
            h('button', {
              type: 'button',
              class: 'secondary small',
              disabled: offset + PAGE_SIZE >= page.total,
              text: 'Older',
              onclick: () => ((offset += PAGE_SIZE), load()),
            }),
          )
        : null,
    );
  };

  main.append(section('Filter', form), section('Events', message, list));
  load();
}
