import { type HTMLElement, parse } from 'node-html-parser';

/** A page the agent landed on (an HTML answer of auth-api, error pages included). */
export interface Page {
  url: URL;
  status: number;
  headers: Headers;
  html: string;
  document: HTMLElement;
}

/** Where a navigation ended: on one of auth-api's pages, or redirected away from auth-api. */
export type Landing = { page: Page; redirect?: undefined } | { redirect: URL; page?: undefined };

/** A form as a browser would submit it once a given button is clicked. */
export interface FormSubmission {
  action: URL;
  method: string;
  fields: URLSearchParams;
}

interface StoredCookie {
  value: string;
  path: string;
}

/**
 * A browser reduced to what the hosted pages need, over plain HTTP: a cookie jar for auth-api's
 * origin (Path honoured), redirects followed inside auth-api, and HTML forms submitted the way
 * a browser submits them (every named field, the clicked button's name, Origin and
 * Sec-Fetch-Site). Much faster than Chromium, so most suites use it; the Chromium suite proves
 * the same pages in a real browser.
 */
export class BrowserlessAgent {
  private readonly jar = new Map<string, StoredCookie>();
  private readonly origin: string;

  constructor(issuer: string) {
    this.origin = new URL(issuer).origin;
  }

  /** One request, cookies sent and stored, redirects not followed. */
  async fetch(url: URL | string, init: RequestInit = {}): Promise<globalThis.Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const own = target.origin === this.origin;
    const cookie = own ? this.cookieHeader(target.pathname) : '';
    if (cookie && !headers.has('cookie')) headers.set('cookie', cookie);
    const res = await fetch(target, { ...init, headers, redirect: 'manual' });
    if (own) this.absorb(res);
    return res;
  }

  /** A top-level navigation (typed URL or a relying party's link), redirects followed. */
  navigate(url: URL | string, init: RequestInit = {}): Promise<Landing> {
    const headers = new Headers(init.headers);
    if (!headers.has('sec-fetch-site')) headers.set('sec-fetch-site', 'cross-site');
    return this.follow(new URL(url), { ...init, headers });
  }

  /** Submits `form`, as if its button was clicked on an auth-api page. */
  submit(form: FormSubmission, headers: Record<string, string> = {}): Promise<Landing> {
    const base = { origin: this.origin, 'sec-fetch-site': 'same-origin', ...headers };
    if (form.method === 'GET') {
      const action = new URL(form.action);
      for (const [name, value] of form.fields) action.searchParams.append(name, value);
      return this.follow(action, { headers: base });
    }
    return this.follow(form.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...base },
      body: form.fields.toString(),
    });
  }

  /** Fills the login form's "Email" and "Password" and clicks "Sign in". */
  signIn(page: Page, email: string, password: string): Promise<Landing> {
    const form = formOf(page, 'Sign in');
    form.fields.set(fieldNamed(page, 'Email'), email);
    form.fields.set(fieldNamed(page, 'Password'), password);
    return this.submit(form);
  }

  /** Clicks "Allow" or "Deny" on the consent page. */
  consent(page: Page, choice: 'Allow' | 'Deny'): Promise<Landing> {
    return this.submit(formOf(page, choice));
  }

  /**
   * The whole front channel: opens the authorization URL, signs in when the login page shows,
   * answers the consent page when it shows, and returns the redirect to the relying party.
   */
  async authorize(
    url: URL,
    user?: { email: string; password: string },
    choice: 'Allow' | 'Deny' = 'Allow',
  ): Promise<URL> {
    let landing = await this.navigate(url);
    for (let step = 0; step < 4 && landing.page; step += 1) {
      const page: Page = landing.page;
      if (user && isLoginPage(page)) landing = await this.signIn(page, user.email, user.password);
      else if (isConsentPage(page)) landing = await this.consent(page, choice);
      else break;
    }
    if (landing.redirect) return landing.redirect;
    throw new Error(
      `authorization stopped on a page: ${landing.page.status} ${landing.page.url}\n${textOf(landing.page)}`,
    );
  }

  /** Forgets every cookie: a new browser. */
  clearCookies(): void {
    this.jar.clear();
  }

  private async follow(url: URL, init: RequestInit): Promise<Landing> {
    let target = url;
    let request = init;
    for (let hop = 0; hop < 10; hop += 1) {
      if (target.origin !== this.origin) return { redirect: target };
      const res = await this.fetch(target, request);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        target = new URL(location, target);
        // 303 (and 301/302 after a POST, as browsers do) continue with a GET.
        const keep = res.status === 307 || res.status === 308;
        request = keep ? request : { headers: { 'sec-fetch-site': 'same-origin' } };
        continue;
      }
      const html = await res.text();
      return {
        page: {
          url: target,
          status: res.status,
          headers: res.headers,
          html,
          document: parse(html),
        },
      };
    }
    throw new Error(`too many redirects from ${url}`);
  }

  private cookieHeader(path: string): string {
    return [...this.jar]
      .filter(
        ([, cookie]) => path === cookie.path || path.startsWith(cookie.path.replace(/\/?$/, '/')),
      )
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join('; ');
  }

  private absorb(res: globalThis.Response): void {
    for (const raw of res.headers.getSetCookie()) {
      const [pair, ...attributes] = raw.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const attribute = (key: string) =>
        attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const expired =
        attribute('max-age') === '0' || Date.parse(attribute('expires') ?? '') < Date.now();
      if (expired) this.jar.delete(name);
      else this.jar.set(name, { value: pair.slice(eq + 1), path: attribute('path') ?? '/' });
    }
  }
}

export function isLoginPage(page: Page): boolean {
  return page.document.querySelector('input[type=password]') !== null;
}

export function isConsentPage(page: Page): boolean {
  return buttonNamed(page, 'Allow') !== undefined && buttonNamed(page, 'Deny') !== undefined;
}

/** The visible text of a page, whitespace collapsed. */
export function textOf(page: Page): string {
  return page.document.querySelector('body')?.text.replace(/\s+/g, ' ').trim() ?? page.html;
}

function buttonNamed(page: Page, name: string): HTMLElement | undefined {
  return page.document
    .querySelectorAll('button, input[type=submit]')
    .find(
      (b) => ((b.tagName === 'INPUT' ? b.getAttribute('value') : b.text) ?? '').trim() === name,
    );
}

/** The `name` of the control labelled `label` (`<label for>`, a wrapping label, or aria-label). */
export function fieldNamed(page: Page, label: string): string {
  const { document } = page;
  const byAria = document.querySelector(`[aria-label="${label}"]`);
  const labelElement = document.querySelectorAll('label').find((l) => l.text.trim() === label);
  const id = labelElement?.getAttribute('for');
  const control =
    byAria ??
    (id ? document.getElementById(id) : labelElement?.querySelector('input, select, textarea'));
  const name = control?.getAttribute('name');
  if (!name) throw new Error(`no form control labelled "${label}" on ${page.url}`);
  return name;
}

/** The form holding the button named `button`, with the fields a browser would submit. */
export function formOf(page: Page, button: string): FormSubmission {
  const clicked = buttonNamed(page, button);
  const form = clicked?.closest('form');
  if (!clicked || !form) throw new Error(`no form with a "${button}" button on ${page.url}`);
  const fields = new URLSearchParams();
  for (const control of form.querySelectorAll('input, select, textarea')) {
    const name = control.getAttribute('name');
    const type = (control.getAttribute('type') ?? 'text').toLowerCase();
    if (!name || ['submit', 'button', 'image', 'reset'].includes(type)) continue;
    if (['checkbox', 'radio'].includes(type) && !control.hasAttribute('checked')) continue;
    fields.append(
      name,
      control.tagName === 'TEXTAREA' ? control.text : (control.getAttribute('value') ?? ''),
    );
  }
  const clickedName = clicked.getAttribute('name');
  if (clickedName) fields.append(clickedName, clicked.getAttribute('value') ?? '');
  const action = new URL(
    clicked.getAttribute('formaction') ?? form.getAttribute('action') ?? '',
    page.url,
  );
  const method = (
    clicked.getAttribute('formmethod') ??
    form.getAttribute('method') ??
    'GET'
  ).toUpperCase();
  return { action, method, fields };
}
