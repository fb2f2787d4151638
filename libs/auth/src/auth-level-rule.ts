/**
 * The object form of `@RequireAuthLevel()`. Every member given must hold (they combine with AND);
 * at least one is required.
 *
 * @example Hardware key, within the last five minutes
 * ```ts
 * @RequireAuthLevel({ amr: ['hwk'], maxAge: 300 })
 * ```
 */
export interface AuthLevelRequirement {
  /** The token's `acr` must be **any one** of these (RFC 9470 `acr_values`). */
  acr?: string[];
  /** The token's `amr` (RFC 8176) must hold **every one** of these. */
  amr?: string[];
  /** At most this many seconds since the token's `auth_time` (RFC 9470 `max_age`); no leeway. */
  maxAge?: number;
}

/**
 * What `@RequireAuthLevel()` takes: `'mfa'` (the token's `amr` holds `mfa`, or its `acr` is one of
 * the module's `mfaAcrValues`), or an {@link AuthLevelRequirement}.
 */
export type AuthLevel = 'mfa' | AuthLevelRequirement;

/** A requirement as the guard reads it: checked and frozen once, when the decorator runs. */
export interface AuthLevelRule {
  /** The `'mfa'` shorthand, decided with the module's `mfaAcrValues`. */
  readonly mfa: boolean;
  /** Any one of these `acr` values; `null` when the requirement names none. */
  readonly acr: readonly string[] | null;
  /** Every one of these `amr` values. */
  readonly amr: readonly string[];
  /** Most seconds since `auth_time`; `null` when the requirement sets no age. */
  readonly maxAge: number | null;
}

const KNOWN_MEMBERS: ReadonlySet<string> = new Set(['acr', 'amr', 'maxAge']);

/**
 * A value that can travel in RFC 9470's space-separated, quoted `acr_values` unchanged: visible
 * ASCII without space, quote or backslash (acr values are often URIs, amr values short names).
 */
const CLAIM_VALUE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

function misuse(message: string): never {
  throw new Error(`@jwt-token/auth: invalid @RequireAuthLevel: ${message}`);
}

/**
 * A non-empty list of claim values, or the reason it is not one. Shared with the module's
 * `mfaAcrValues`, which may be empty.
 */
export function claimValueProblem(value: unknown, allowEmpty = false): string | null {
  if (!Array.isArray(value)) return 'must be a list of strings';
  if (value.length === 0 && !allowEmpty) return 'must not be empty';
  if (!value.every((v) => typeof v === 'string' && CLAIM_VALUE.test(v)))
    return 'must hold non-empty strings of visible ASCII without space, quote or backslash';
  return null;
}

function claimValues(name: string, value: unknown): readonly string[] {
  const problem = claimValueProblem(value);
  if (problem) misuse(`${name} ${problem}`);
  return Object.freeze([...(value as string[])]);
}

/**
 * Checks what the decorator was given. A mistake throws while the classes are defined (at
 * start), never on a request: an unknown member (`max_age`, `maxage`) or an empty list would
 * otherwise silently drop a requirement someone meant to set.
 */
export function authLevelRule(level: AuthLevel): AuthLevelRule {
  if (level === 'mfa') return Object.freeze({ mfa: true, acr: null, amr: [], maxAge: null });
  if (typeof level !== 'object' || level === null || Array.isArray(level))
    misuse("expected 'mfa' or { acr?, amr?, maxAge? }");
  const unknown = Object.keys(level).filter((key) => !KNOWN_MEMBERS.has(key));
  if (unknown.length > 0) misuse(`unknown member ${unknown.join(', ')}`);
  const { acr, amr, maxAge } = level;
  if (acr === undefined && amr === undefined && maxAge === undefined)
    misuse('give at least one of acr, amr, maxAge');
  if (maxAge !== undefined && (!Number.isSafeInteger(maxAge) || maxAge < 0))
    misuse('maxAge must be a non-negative integer (seconds)');
  return Object.freeze({
    mfa: false,
    acr: acr === undefined ? null : claimValues('acr', acr),
    amr: amr === undefined ? [] : claimValues('amr', amr),
    maxAge: maxAge ?? null,
  });
}
