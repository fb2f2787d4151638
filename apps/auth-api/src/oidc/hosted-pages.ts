/**
 * The hosted pages, rendered on the server as plain HTML forms: no script at all, the console's
 * stylesheet, so they run under a CSP that allows nothing inline ({@link hostedPageHeaders}).
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** What each scope lets the client do, as the consent page says it. */
const SCOPE_TEXT: Record<string, string> = {
  openid: 'Know who you are (your account id)',
  profile: 'See your profile (name)',
  email: 'See your email address',
};

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light dark" />
    <meta name="referrer" content="same-origin" />
    <title>${escapeHtml(title)} · auth-api</title>
    <link rel="icon" href="/console/assets/icon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="/console/assets/console.css" />
  </head>
  <body>
    <header class="topbar"><div class="topbar-inner"><span class="brand">auth-api</span></div></header>
    <main id="main">
      <h1>${escapeHtml(title)}</h1>
${body}
    </main>
  </body>
</html>
`;
}

function hidden(params: Record<string, string>): string {
  return Object.entries(params)
    .map(
      ([name, value]) =>
        `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}" />`,
    )
    .join('\n');
}

function alert(message: string | undefined): string {
  return message
    ? `<div class="notice notice-error" role="alert">${escapeHtml(message)}</div>`
    : '';
}

export interface LoginPageInput {
  params: Record<string, string>;
  clientName: string;
  csrf: string;
  email?: string;
  error?: string;
}

export function loginPage({ params, clientName, csrf, email, error }: LoginPageInput): string {
  return layout(
    'Sign in',
    `<p class="lead">to continue to <strong>${escapeHtml(clientName)}</strong></p>
<div class="card">
<form method="post" action="/oauth/authorize/login" novalidate>
${alert(error)}
${hidden(params)}
<input type="hidden" name="csrf_token" value="${escapeHtml(csrf)}" />
<div class="field"><label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required spellcheck="false" value="${escapeHtml(email ?? '')}" /></div>
<div class="field"><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required /></div>
<div class="actions"><button type="submit">Sign in</button></div>
</form>
</div>`,
  );
}

export interface MfaPageInput {
  params: Record<string, string>;
  clientName: string;
  csrf: string;
  mfaToken: string;
  error?: string;
}

/** The second step: a code from the authenticator app, or a recovery code. */
export function mfaPage({ params, clientName, csrf, mfaToken, error }: MfaPageInput): string {
  return layout(
    'Two-step verification',
    `<p class="lead">to continue to <strong>${escapeHtml(clientName)}</strong></p>
<div class="card">
<form method="post" action="/oauth/authorize/mfa" novalidate>
${alert(error)}
${hidden(params)}
<input type="hidden" name="csrf_token" value="${escapeHtml(csrf)}" />
<input type="hidden" name="mfa_token" value="${escapeHtml(mfaToken)}" />
<div class="field"><label for="code">Code from your authenticator app, or a recovery code</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required spellcheck="false" /></div>
<div class="actions"><button type="submit">Verify</button></div>
</form>
</div>`,
  );
}

export interface ConsentPageInput {
  params: Record<string, string>;
  clientName: string;
  scopes: string[];
  csrf: string;
  email: string;
}

export function consentPage({ params, clientName, scopes, csrf, email }: ConsentPageInput): string {
  const items = scopes
    .map(
      (scope) =>
        `<li><span class="mono">${escapeHtml(scope)}</span>: ${escapeHtml(SCOPE_TEXT[scope] ?? 'Access granted by this scope')}</li>`,
    )
    .join('\n');
  return layout(
    'Allow access?',
    `<p class="lead"><strong>${escapeHtml(clientName)}</strong> asks to access your account <strong>${escapeHtml(email)}</strong>:</p>
<div class="card">
<form method="post" action="/oauth/authorize/consent">
${hidden(params)}
<input type="hidden" name="csrf_token" value="${escapeHtml(csrf)}" />
<ul aria-label="Requested scopes">
${items}
</ul>
<div class="actions"><button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="button">Deny</button></div>
</form>
</div>`,
  );
}

export function errorPage(message: string): string {
  return layout(
    'Sign-in request refused',
    `${alert(message)}
<p>The application that sent you here made a request auth-api cannot accept. Go back and try again, or tell the application's owner.</p>`,
  );
}

export function logoutConfirmPage(params: Record<string, string>, csrf: string): string {
  return layout(
    'Sign out?',
    `<div class="card"><form method="post" action="/oauth/logout">
${hidden(params)}
<input type="hidden" name="csrf_token" value="${escapeHtml(csrf)}" />
<div class="actions"><button type="submit" name="confirm" value="yes">Sign out</button></div>
</form></div>`,
  );
}

export function signedOutPage(): string {
  return layout('Signed out', '<p>You are signed out of auth-api.</p>');
}
