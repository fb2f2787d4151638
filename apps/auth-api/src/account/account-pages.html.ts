import { CONSOLE_CSP, CONSOLE_SECURITY_HEADERS } from '../console/console-security-headers';

/**
 * The console's policy, but its forms may post to this origin: the pages are plain HTML forms
 * (no script at all), so a mail scanner that follows a link only ever sees a GET that changes
 * nothing.
 */
export const ACCOUNT_PAGE_HEADERS: Readonly<Record<string, string>> = {
  ...CONSOLE_SECURITY_HEADERS,
  'Content-Security-Policy': CONSOLE_CSP.replace("form-action 'none'", "form-action 'self'"),
  'Cache-Control': 'no-store',
};

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ENTITIES[char]);
}

/** A form posting `token` (and the given fields) back to `action`. */
export interface PageForm {
  action: string;
  token: string;
  button: string;
  password?: boolean;
}

/** A whole page: a heading, a paragraph, and optionally the form. */
export function accountPage(title: string, text: string, form?: PageForm): string {
  const fields = form?.password
    ? `<label for="password">New password (8 to 128 characters)</label>
      <input id="password" name="password" type="password" autocomplete="new-password" minlength="8" maxlength="128" required>`
    : '';
  const formHtml = form
    ? `<form method="post" action="${escapeHtml(form.action)}" class="stack">
      <input type="hidden" name="token" value="${escapeHtml(form.token)}">
      ${fields}
      <button type="submit">${escapeHtml(form.button)}</button>
    </form>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>${escapeHtml(title)} · auth-api</title>
  <link rel="stylesheet" href="/console/assets/console.css">
</head>
<body>
  <main id="main" class="narrow">
    <h1>${escapeHtml(title)}</h1>
    <p>${escapeHtml(text)}</p>
    ${formHtml}
    <p><a href="/console">Go to the console</a></p>
  </main>
</body>
</html>
`;
}
