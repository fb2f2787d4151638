import { api } from './api.js';
import { fill, h, messageArea, section, showMessage, table, time } from './dom.js';

const MODE_TEXT = {
  outbox:
    'No SMTP_URL is set: auth-api keeps every mail here instead of sending it (for development). The links in them work.',
  smtp: 'Mail goes out over SMTP_URL. Only messages the server refused after retries are kept here, without their text.',
};

export function renderOutbox(main) {
  const message = messageArea();
  const intro = h('p', { class: 'lead' });
  const list = h('div');
  const load = async () => {
    let page;
    try {
      page = await api('GET', '/mail/outbox?limit=50');
    } catch (error) {
      showMessage(message, error.message);
      return;
    }
    fill(intro, MODE_TEXT[page.mode]);
    fill(
      list,
      table({
        caption: `${page.items.length} of ${page.total} message${page.total === 1 ? '' : 's'}, newest first`,
        columns: [
          { label: 'Created', cell: (m) => time(m.createdAt) },
          { label: 'To', cell: (m) => m.to },
          { label: 'Subject', cell: (m) => m.subject },
          {
            label: 'Status',
            cell: (m) => h('span', { class: `badge badge-${m.status}`, text: m.status }),
          },
          {
            label: 'Message',
            cell: (m) =>
              m.text ? h('pre', { class: 'mail-text', text: m.text }) : (m.error ?? ''),
          },
        ],
        rows: page.items,
        empty: 'No mail yet.',
      }),
    );
  };
  const reload = h('button', { type: 'button', id: 'reload-outbox', text: 'Reload' });
  reload.addEventListener('click', load);
  main.append(
    intro,
    section('Outbox', message, h('div', { class: 'actions toolbar' }, reload), list),
  );
  load();
}
