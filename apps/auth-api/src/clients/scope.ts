/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/;

/** Splits a space-delimited scope parameter; `null` when any part is not a scope-token. */
export function parseScope(scope: string): string[] | null {
  const parts = scope.split(' ').filter((part) => part.length > 0);
  return parts.every((part) => SCOPE_TOKEN.test(part)) ? [...new Set(parts)] : null;
}
