import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * The console's Content-Security-Policy: its own scripts and styles only, no inline code of any
 * kind, no framing, and Trusted Types enforced (the scripts build the page with DOM calls only).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** Helmet's defaults, give or take, for every response under `/console`. */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONSOLE_CSP,
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Origin-Agent-Cluster': '?1',
  'Permissions-Policy':
    'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=31536000',
  'X-Content-Type-Options': 'nosniff',
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'X-Frame-Options': 'DENY',
  'X-Permitted-Cross-Domain-Policies': 'none',
  'X-XSS-Protection': '0',
};

function isConsolePath(url: string): boolean {
  return url === '/console' || url.startsWith('/console/') || url.startsWith('/console?');
}

/**
 * Puts {@link CONSOLE_SECURITY_HEADERS} on every `/console` response, errors and 404s included, and
 * sends `/console/` to `/console`. Only there: the Swagger UI at `/docs` needs inline scripts.
 */
export function installConsoleSecurityHeaders(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    if (isConsolePath(request.url)) reply.headers(CONSOLE_SECURITY_HEADERS);
    done();
  });
  fastify.get('/console/', (_request, reply) => {
    reply.redirect('/console', 301);
  });
}
