/**
 * A browser without a browser, for the OpenID Connect flow tests: a cookie jar, manual
 * redirects, and the hosted pages' forms read from their HTML (hidden fields included). The
 * Chromium suites drive the same pages through their accessible names.
 */
export class FormBrowser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly origin: string) {}

  async get(url: string): Promise<Response> {
    return this.send(url, { method: 'GET' });
  }

  /** Submits the page's form (its hidden fields plus `fields`), as a same-origin form post. */
  async submit(html: string, fields: Record<string, string>, button?: string): Promise<Response> {
    const form = /<form method="post" action="([^"]+)"/.exec(html);
    if (!form) throw new Error('no form on the page');
    const values: Record<string, string> = {};
    for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)" \/>/g))
      values[unescape(match[1])] = unescape(match[2]);
    if (button) values.decision = button;
    return this.post(form[1], { ...values, ...fields });
  }

  async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return this.send(new URL(path, this.origin).href, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: this.origin,
        'sec-fetch-site': 'same-origin',
        ...headers,
      },
      body: new URLSearchParams(fields).toString(),
    });
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  clearCookies(): void {
    this.cookies.clear();
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /Max-Age=0/.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}

function unescape(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
