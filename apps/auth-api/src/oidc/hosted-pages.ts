/**
 * The hosted pages, rendered on the server as plain HTML forms with the console's stylesheet,
 * under a CSP that allows nothing inline ({@link hostedPageHeaders}). Everything works without
 * script except passkeys, which only exist as a browser API: the sign-in pages load two scripts
 * of our own (the @simplewebauthn/browser bundle and `hosted-passkey.js`) that reveal and drive
 * the passkey buttons.
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

/** The scripts behind the passkey buttons: external, from our own origin, nothing inline. */
const PASSKEY_SCRIPTS = `
    <script src="/console/assets/simplewebauthn-browser.js" defer></script>
    <script src="/console/assets/hosted-passkey.js" defer></script>`;

function layout(title: string, body: string, scripts = ''): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light dark" />
    <meta name="referrer" content="same-origin" />
    <title>${escapeHtml(title)} · auth-api</title>
    <link rel="icon" href="/console/assets/icon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="/console/assets/console.css" />${scripts}
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

/**
 * A form the passkey script fills with the browser's answer (`credential`, JSON) and posts; its
 * button stays hidden where the script does not run or the browser has no WebAuthn.
 */
function passkeyForm(action: string, optionsUrl: string, label: string, fields: string): string {
  return `<form method="post" action="${action}" data-passkey-options="${optionsUrl}" novalidate>
<div class="notice notice-error" role="alert" data-passkey-notice hidden></div>
${fields}
<input type="hidden" name="credential" value="" />
<div class="actions"><button type="button" class="secondary" data-passkey hidden>${escapeHtml(label)}</button></div>
</form>`;
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
${passkeyForm(
  '/oauth/authorize/passkey',
  '/auth/passkey/options',
  'Use a passkey',
  `${hidden(params)}\n<input type="hidden" name="csrf_token" value="${escapeHtml(csrf)}" />`,
)}
</div>`,
    PASSKEY_SCRIPTS,
  );
}

export interface MfaPageInput {
  params: Record<string, string>;
  clientName: string;
  csrf: string;
  mfaToken: string;
  /** The methods the challenge allows (`totp`, `recovery_code`, `passkey`). */
  methods: readonly string[];
  error?: string;
}

/** The second step: a code from the authenticator app or a recovery code, or a passkey. */
export function mfaPage(input: MfaPageInput): string {
  const { params, clientName, csrf, mfaToken, methods, error } = input;
  const state = `${hidden(params)}
<input type="hidden" name="csrf_token" value="${escapeHtml(csrf)}" />
<input type="hidden" name="mfa_token" value="${escapeHtml(mfaToken)}" />
<input type="hidden" name="mfa_methods" value="${escapeHtml(methods.join(' '))}" />`;
  const codeForm = `<form method="post" action="/oauth/authorize/mfa" novalidate>
${state}
<div class="field"><label for="code">Code from your authenticator app, or a recovery code</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required spellcheck="false" /></div>
<div class="actions"><button type="submit">Verify</button></div>
</form>`;
  const passkey = methods.includes('passkey');
  return layout(
    'Two-step verification',
    `<p class="lead">to continue to <strong>${escapeHtml(clientName)}</strong></p>
<div class="card">
${alert(error)}
${methods.includes('totp') ? codeForm : ''}
${passkey ? passkeyForm('/oauth/authorize/mfa', '/auth/login/mfa/passkey/options', 'Use a passkey', state) : ''}
</div>`,
    passkey ? PASSKEY_SCRIPTS : '',
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
