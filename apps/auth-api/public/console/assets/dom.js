// DOM helpers. The page is built with createElement and textContent only: no HTML strings, so
// nothing the API returns can become markup (the CSP also enforces Trusted Types).

/**
 * Creates an element. Props: `class`, `text`, `on<event>` handlers, `dataset`, booleans (present
 * when true), anything else as an attribute. Children: nodes or strings (as text).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function')
      el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

/** Replaces an element's children (nodes or strings; null, undefined and false are skipped). */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let ids = 0;
export function uid(prefix = 'id') {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** Says `message` to screen readers through the page's polite live region. */
export function announce(message) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // A fresh text node after a tick, so the same message twice is read twice.
  setTimeout(() => {
    region.textContent = message;
  }, 50);
}

/** A labelled input with an optional hint and a slot for its error, all wired with aria-describedby. */
export function field({ label, name, type = 'text', hint, ...attrs }) {
  const id = uid(name);
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = `${id}-error`;
  const input = h('input', {
    id,
    name,
    type,
    'aria-describedby': [hintId, errorId].filter(Boolean).join(' '),
    ...attrs,
  });
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id, text: label }),
    hint ? h('p', { id: hintId, class: 'hint', text: hint }) : null,
    input,
    h('p', { id: errorId, class: 'field-error', dataset: { errorFor: name } }),
  );
}

/** A message area for a form: errors are `role=alert`, so they are read out when they appear. */
export function messageArea() {
  return h('div', { class: 'notice', role: 'alert' });
}

export function showMessage(area, text, kind = 'error') {
  area.className = `notice notice-${kind}`;
  area.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  area.textContent = text;
}

export function clearMessage(area) {
  area.className = 'notice';
  area.textContent = '';
}

/** Clears a form's field errors and its message area. */
export function resetErrors(form) {
  for (const el of form.querySelectorAll('[data-error-for]')) el.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const area = form.querySelector('.notice');
  if (area) clearMessage(area);
}

/**
 * Shows an API error on a form: per-field problems next to their inputs (focusing the first),
 * the message in the form's message area.
 */
export function showFormError(form, error) {
  const area = form.querySelector('.notice');
  let first = null;
  for (const { field: name, problems } of error.fields ?? []) {
    const input = form.elements.namedItem(name);
    const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    if (!input || !slot) continue;
    input.setAttribute('aria-invalid', 'true');
    slot.textContent = problems.join('; ');
    first ??= input;
  }
  if (area) showMessage(area, error.message);
  if (first) first.focus();
}

/** Disables a form's controls while `work` runs, so a double click sends one request. */
export async function busy(form, work) {
  const controls = [...form.querySelectorAll('button, input, select')].filter((el) => !el.disabled);
  for (const el of controls) el.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    for (const el of controls) el.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

/**
 * A data table that turns into one card per row on narrow screens. `columns`: `{label, cell(row)}`;
 * the explicit roles keep the table semantics when CSS changes its display.
 */
export function table({ caption, columns, rows, rowClass, empty = 'Nothing to show.' }) {
  if (rows.length === 0) return h('p', { class: 'muted', text: empty });
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { role: 'table' },
      h('caption', { text: caption }),
      h(
        'thead',
        { role: 'rowgroup' },
        h(
          'tr',
          { role: 'row' },
          columns.map((c) => h('th', { scope: 'col', role: 'columnheader', text: c.label })),
        ),
      ),
      h(
        'tbody',
        { role: 'rowgroup' },
        rows.map((row) =>
          h(
            'tr',
            { role: 'row', class: rowClass ? rowClass(row) : undefined },
            // One wrapper per cell: on narrow screens the cell is a two-column grid (label, content).
            columns.map((c) =>
              h(
                'td',
                { role: 'cell', dataset: { label: c.label } },
                h('div', { class: 'cell' }, c.cell(row)),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A `<time>` element showing a date in the reader's locale. */
export function time(value) {
  if (value === null || value === undefined) return h('span', { class: 'muted', text: '—' });
  const date = typeof value === 'number' ? new Date(value) : new Date(value);
  if (Number.isNaN(date.getTime())) return h('span', { text: String(value) });
  return h('time', { datetime: date.toISOString(), text: dateFormat.format(date) });
}

/** A section card with a heading; returns the card. */
export function section(title, ...children) {
  const id = uid('section');
  return h(
    'section',
    { class: 'card', 'aria-labelledby': id },
    h('h2', { id, text: title }),
    children,
  );
}
