import { api } from './api.js';
import { fill, h, messageArea, section, showMessage, table, time } from './dom.js';

const STATE_TEXT = {
  next: 'Next: published, signs after the next rotation',
  active: 'Active: signs new tokens',
  retired: 'Retired: verifies tokens until they expire',
};

export function renderKeys(main) {
  main.append(
    h('p', {
      class: 'lead',
      text: 'The JWKS always carries the next key before it signs, so resource servers know it in advance. Only public facts are shown: key material never leaves the server.',
    }),
  );
  const message = messageArea();
  const list = h('div');
  const rotate = h('button', { type: 'button', id: 'rotate-key', text: 'Rotate signing key' });
  rotate.addEventListener('click', async () => {
    if (
      !window.confirm(
        'Rotate now? The next key starts signing; the current one retires and keeps verifying until its tokens expire.',
      )
    )
      return;
    rotate.disabled = true;
    try {
      const { kid } = await api('POST', '/keys/rotate');
      await load();
      showMessage(message, `Rotated: new tokens are signed with ${kid}.`, 'success');
      message.tabIndex = -1;
      message.focus();
    } catch (error) {
      showMessage(message, error.message);
    } finally {
      rotate.disabled = false;
    }
  });

  const load = async () => {
    let keys;
    try {
      keys = await api('GET', '/keys');
    } catch (error) {
      showMessage(message, error.message);
      return;
    }
    fill(
      list,
      table({
        caption: `${keys.length} key${keys.length === 1 ? '' : 's'}: next, active, retired`,
        rowClass: (k) => (k.state === 'active' ? 'is-current' : undefined),
        columns: [
          { label: 'Key id (kid)', cell: (k) => h('code', { text: k.kid }) },
          { label: 'Algorithm', cell: (k) => k.alg },
          {
            label: 'State',
            cell: (k) =>
              h('span', {
                class: `badge badge-${k.state}`,
                title: STATE_TEXT[k.state],
                text: k.state,
              }),
          },
          { label: 'Created', cell: (k) => time(k.createdAt) },
          { label: 'Activated', cell: (k) => time(k.activatedAt) },
          { label: 'Retired', cell: (k) => time(k.retiredAt) },
        ],
        rows: keys,
        empty: 'No keys.',
      }),
      h(
        'ul',
        { class: 'muted' },
        Object.entries(STATE_TEXT).map(([, text]) => h('li', { text })),
      ),
    );
  };

  main.append(section('Keys', message, h('div', { class: 'actions toolbar' }, rotate), list));
  load();
}
