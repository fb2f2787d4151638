/**
 * Redirect URI rules (RFC 6749 §3.1.2, RFC 8252 §7, RFC 9700 §4.1.3): registered exactly, compared
 * exactly. A web client registers https URIs (http only for a loopback host, in development); a
 * native client may also register a private-use scheme in reverse-domain form or an http loopback
 * URI, whose port may differ at request time (RFC 8252 §7.3).
 */

export type ApplicationType = 'web' | 'native';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
/** A private-use scheme: reverse domain, at least one dot (RFC 8252 §7.1). */
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$/;
const MAX_LENGTH = 2000;

function parse(uri: string): URL | null {
  try {
    return new URL(uri);
  } catch {
    return null;
  }
}

/** Why `uri` cannot be registered, or null when it can. */
export function redirectUriProblem(uri: string, applicationType: ApplicationType): string | null {
  if (typeof uri !== 'string' || uri.length === 0 || uri.length > MAX_LENGTH)
    return 'must be a non-empty string of at most 2000 characters';
  // Control characters, spaces, backslashes: parsers disagree on them (open-redirect classes).
  if (/[\s\\\p{Cc}]/u.test(uri)) return 'must not contain spaces, backslashes or controls';
  const url = parse(uri);
  if (!url) return 'must be an absolute URI';
  if (url.hash || uri.includes('#')) return 'must not contain a fragment';
  if (url.username || url.password || /^[^?]*@/.test(uri.split('//')[1] ?? ''))
    return 'must not contain userinfo';
  if (/\*/.test(url.host)) return 'must not contain wildcards';
  const scheme = url.protocol.slice(0, -1);
  // The parser normalises; a registered URI must already be in normal form to compare exactly.
  if (scheme === 'https' || scheme === 'http') {
    if (url.href !== uri && url.href !== `${uri}/`) return 'must be in normal form';
    if (/(^|\/)\.\.?(\/|;|$)/.test(uri.split(url.host)[1] ?? ''))
      return 'must not contain dot segments';
    if (scheme === 'https') return null;
    return LOOPBACK_HOSTS.has(url.hostname)
      ? null
      : 'http is allowed only for loopback hosts (127.0.0.1, [::1], localhost)';
  }
  if (applicationType !== 'native') return 'a web client must use https (or http on loopback)';
  if (!PRIVATE_USE_SCHEME.test(scheme))
    return 'a custom scheme must be a reverse domain name (com.example.app:/callback)';
  return null;
}

/** The loopback URI without its port, for the port freedom of native clients. */
function withoutPort(url: URL): string {
  const copy = new URL(url.href);
  copy.port = '';
  return copy.href;
}

/** Whether `given` is one of `registered`: exact string comparison, but native loopback ports. */
export function matchesRegisteredUri(
  registered: readonly string[],
  given: string,
  applicationType: ApplicationType,
): boolean {
  if (registered.includes(given)) return true;
  if (applicationType !== 'native') return false;
  const url = parse(given);
  if (!url || url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) return false;
  if (url.href !== given && url.href !== `${given}/`) return false;
  if (url.username || url.password || url.hash) return false;
  const loose = withoutPort(url);
  return registered.some((uri) => {
    const candidate = parse(uri);
    return (
      candidate !== null &&
      candidate.protocol === 'http:' &&
      LOOPBACK_HOSTS.has(candidate.hostname) &&
      withoutPort(candidate) === loose
    );
  });
}
