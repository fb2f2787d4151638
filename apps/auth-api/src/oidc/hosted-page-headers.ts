import type { FastifyReply } from 'fastify';

import { CONSOLE_SECURITY_HEADERS } from '../console/console-security-headers';

/**
 * The console's headers, with a CSP for the hosted pages: the console's stylesheet and icon,
 * our own scripts (passkeys), no framing, and forms posting only back here or, because browsers apply
 * `form-action` to the redirect that ends a form post, to the one client URI it redirects to.
 */
export function hostedPageHeaders(formTarget?: string): Record<string, string> {
  const targets = ["'self'"];
  if (formTarget) {
    const url = new URL(formTarget);
    targets.push(url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol);
  }
  const csp = [
    "default-src 'none'",
    // Our own passkey scripts only (hosted-pages.ts); nothing inline, nothing from elsewhere.
    "script-src 'self'",
    "connect-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `form-action ${targets.join(' ')}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ');
  return {
    ...CONSOLE_SECURITY_HEADERS,
    'Content-Security-Policy': csp,
    // Not no-referrer: under it, browsers send `Origin: null` with a form post, and the CSRF
    // check needs the real origin. Other sites still get no referrer.
    'Referrer-Policy': 'same-origin',
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
  };
}

/** Sends a hosted page. */
export function sendPage(
  reply: FastifyReply,
  status: number,
  html: string,
  formTarget?: string,
): FastifyReply {
  return reply
    .code(status)
    .headers(hostedPageHeaders(formTarget))
    .type('text/html; charset=utf-8')
    .send(html);
}
