import { AuthError } from './auth.errors';
import type { AccessTokenClaims, AuthPrincipal } from './interfaces/auth-principal.interface';
import type { PrincipalOverrides } from './interfaces/issuer-config.interface';
import type { ResolvedClaimSource, ResolvedIssuer } from './resolved-issuer';

const NO_NAMES: readonly string[] = Object.freeze([]);

function invalid(message: string): never {
  throw new AuthError('ERR_CLAIM_INVALID', message);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The value at `path`, or `undefined` when any step is missing or not an object. Own properties
 * only: a path segment such as `constructor` or `__proto__` never reaches a prototype.
 */
export function readClaim(payload: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = payload;
  for (const segment of path) {
    if (!isPlainObject(value) || !Object.hasOwn(value, segment)) return undefined;
    value = value[segment];
  }
  return value;
}

function words(value: string): string[] {
  return value.split(' ').filter((s) => s.length > 0);
}

/** The names one source holds; a value of another shape than its format refuses the token. */
function namesAt(
  payload: Record<string, unknown>,
  source: ResolvedClaimSource,
  what: string,
): readonly string[] {
  const value = readClaim(payload, source.path);
  if (value === undefined) return NO_NAMES;
  switch (source.format) {
    case 'array':
      if (isStringArray(value)) return value;
      break;
    case 'space-delimited':
      if (typeof value === 'string') return words(value);
      break;
    case 'object-keys':
      if (isPlainObject(value)) return Object.keys(value);
      break;
    case 'array-or-space-delimited':
      if (isStringArray(value)) return value;
      if (typeof value === 'string') return words(value);
      break;
  }
  return invalid(`token ${what} invalid`);
}

function namesFrom(
  payload: Record<string, unknown>,
  sources: readonly ResolvedClaimSource[],
  what: string,
): readonly string[] {
  // One source, the usual case: its list as it is, no copy.
  if (sources.length === 1) return namesAt(payload, sources[0], what);
  const merged = new Set<string>();
  for (const source of sources) for (const name of namesAt(payload, source, what)) merged.add(name);
  return [...merged];
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

/** Where a token came from: the exact `iss`, and the tenant it names for a multi-tenant issuer. */
export interface IssuerOrigin {
  readonly issuer: string;
  readonly tenant?: string;
}

/** Fields of a principal read from the claims (issuer and tenant come from the {@link IssuerOrigin}). */
type OwnPrincipalFields = Omit<AuthPrincipal, 'issuer' | 'tenant'>;

/**
 * Turns a verified payload into the {@link AuthPrincipal}, by the issuer's claim mapping. Roles,
 * scopes and the client id are read where the mapping says; `sid` and `jti` keep their names.
 */
export class ClaimMapper {
  constructor(private readonly config: ResolvedIssuer) {}

  /**
   * Refuses a token whose roles the issuer left out of it: OIDC distributed claims
   * (`_claim_names`, which Entra ID uses for its groups overage) name claims we would have to
   * fetch elsewhere. Granting the token with only the roles present would under-report
   * memberships that other checks (deny lists, `@Roles` on a group) rely on: fail closed.
   */
  private checkOverage(payload: Record<string, unknown>): void {
    const names = payload._claim_names;
    if (names === undefined) return;
    if (!isPlainObject(names)) invalid('token _claim_names is invalid');
    for (const source of this.config.roles) {
      if (Object.hasOwn(names, source.path[0]))
        invalid(`token ${source.path[0]} are not in the token (claim overage)`);
    }
  }

  map(payload: Record<string, unknown>, origin: IssuerOrigin): AuthPrincipal {
    if (payload._claim_names !== undefined) this.checkOverage(payload);
    const roles = namesFrom(payload, this.config.roles, 'roles are');
    const scopes = namesFrom(payload, this.config.scope, 'scope is');
    let clientId: string | undefined;
    for (const path of this.config.clientId) {
      const value = readClaim(payload, path);
      if (value === undefined) continue;
      if (typeof value !== 'string') invalid(`token ${path.join('.')} is invalid`);
      clientId = value;
      break;
    }
    const { sid, jti } = payload;
    if (sid !== undefined && typeof sid !== 'string') invalid('token sid is invalid');
    if (jti !== undefined && typeof jti !== 'string') invalid('token jti is invalid');
    const claims = payload as AccessTokenClaims;
    const fields: OwnPrincipalFields = {
      sub: claims.sub,
      roles,
      scopes,
      clientId,
      sessionId: sid as string | undefined,
      tokenId: jti as string | undefined,
      expiresAt: claims.exp,
      claims,
    };
    const principal = this.build(origin, fields);
    const hook = this.config.mapPrincipal;
    return hook ? this.build(origin, { ...fields, ...checkOverrides(hook(principal)) }) : principal;
  }

  /**
   * A frozen principal with `issuer` (and `tenant`, for a multi-tenant issuer) as own properties,
   * so that `{...user}`, `JSON.stringify(user)` and equality checks see where it came from.
   */
  private build(origin: IssuerOrigin, fields: OwnPrincipalFields): AuthPrincipal {
    const principal: AuthPrincipal =
      origin.tenant === undefined
        ? { ...fields, issuer: origin.issuer }
        : { ...fields, issuer: origin.issuer, tenant: origin.tenant };
    return deepFreeze(principal);
  }
}

/** What a `mapPrincipal` hook returned, checked: it may narrow or rename, never smuggle in junk. */
function checkOverrides(overrides: PrincipalOverrides): PrincipalOverrides {
  if (!isPlainObject(overrides)) invalid('mapPrincipal did not return an object');
  const { sub, roles, scopes, clientId, sessionId } = overrides;
  const result: { -readonly [K in keyof PrincipalOverrides]: PrincipalOverrides[K] } = {};
  if (sub !== undefined) {
    if (typeof sub !== 'string' || sub.length === 0)
      invalid('mapPrincipal returned an invalid sub');
    result.sub = sub;
  }
  if (roles !== undefined) {
    if (!isStringArray(roles)) invalid('mapPrincipal returned invalid roles');
    result.roles = [...roles];
  }
  if (scopes !== undefined) {
    if (!isStringArray(scopes)) invalid('mapPrincipal returned invalid scopes');
    result.scopes = [...scopes];
  }
  for (const [name, value] of Object.entries({ clientId, sessionId })) {
    if (value !== undefined && typeof value !== 'string')
      invalid(`mapPrincipal returned an invalid ${name}`);
  }
  if (clientId !== undefined) result.clientId = clientId;
  if (sessionId !== undefined) result.sessionId = sessionId;
  return result;
}
