import { claimValueProblem } from './auth-level-rule';
import type { AuthClock } from './interfaces/auth-clock.interface';
import { systemClock } from './interfaces/auth-clock.interface';
import { DpopProofVerifier } from './dpop/dpop-proof.verifier';
import type { ResolvedDpop } from './dpop/dpop-request';
import type {
  AuthDpopOptions,
  AuthModuleOptions,
} from './interfaces/auth-module-options.interface';
import type { IssuerConfig } from './interfaces/issuer-config.interface';
import type { JwtAlgorithm } from './interfaces/jwt-algorithm';
import type { RevocationChecker } from './interfaces/revocation-checker.interface';
import { resolveIssuer, type ResolvedIssuer } from './resolved-issuer';
import { fail, nonNegativeInteger, type ResolvedKeySource } from './resolved-key-source';

/** Options after validation, with every default filled in. */
export interface ResolvedAuthOptions {
  /** The first trusted issuer's `iss` (the module's own `issuer` when given): what `TokenService` signs. */
  issuer: string;
  /** The first trusted issuer's audiences, algorithms and key source. */
  audiences: readonly string[];
  algorithms: ReadonlySet<JwtAlgorithm>;
  keySource: ResolvedKeySource;
  /** Every trusted issuer, the first one the above describes. */
  issuers: readonly ResolvedIssuer[];
  clockToleranceSeconds: number;
  maxTokenBytes: number;
  roleHierarchy: Readonly<Record<string, readonly string[]>>;
  accessTokenTtlSeconds: number;
  cacheMaxEntries: number;
  revocationChecker: RevocationChecker | null;
  /** `acr` values that satisfy `@RequireAuthLevel('mfa')`. */
  mfaAcrValues: readonly string[];
  dpop: ResolvedDpop;
  realm: string;
  clock: AuthClock;
}

/** The key-source options of the module's own issuer, as its error message names them. */
const TOP_LEVEL_KEY_SOURCES = ['jwksUri', 'publicKeys', 'keyStore'];
/** The key-source options of an entry of `issuers`. */
const ISSUER_KEY_SOURCES = [
  'jwksUri',
  'discovery',
  'publicKeys',
  'x509Uri',
  'keyStore',
  'keySource',
];

/** The module's own single-issuer options, as an issuer config. */
function ownIssuer(options: AuthModuleOptions): IssuerConfig {
  if (typeof options.issuer !== 'string' || options.issuer.length === 0) fail('issuer is required');
  const audiences = Array.isArray(options.audience) ? options.audience : [options.audience];
  if (audiences.length === 0 || audiences.some((a) => typeof a !== 'string' || a.length === 0)) {
    fail('audience must be a non-empty string or list of strings');
  }
  return {
    issuer: options.issuer,
    audience: audiences as string[],
    algorithms: options.algorithms,
    jwksUri: options.jwksUri,
    jwks: options.jwks,
    publicKeys: options.publicKeys,
    keyStore: options.keyStore,
  };
}

/** Every trusted issuer: the module's own first (when `issuer` is given), then `issuers`. */
function resolveIssuers(options: AuthModuleOptions, tolerance: number): ResolvedIssuer[] {
  const resolved: ResolvedIssuer[] = [];
  const extra = options.issuers;
  if (extra !== undefined && (!Array.isArray(extra) || extra.length === 0))
    fail('issuers must be a non-empty list');
  if (!extra || options.issuer !== undefined)
    resolved.push(resolveIssuer(ownIssuer(options), '', TOP_LEVEL_KEY_SOURCES, tolerance));
  else if (options.jwksUri ?? options.publicKeys ?? options.keyStore)
    fail('a key source at the top level needs issuer and audience too');
  (extra ?? []).forEach((config, index) =>
    resolved.push(resolveIssuer(config, `issuers[${index}].`, ISSUER_KEY_SOURCES, tolerance)),
  );
  // Two configs claiming one `iss` would make the choice of keys and rules ambiguous.
  const seen = new Set<string>();
  for (const issuer of resolved.flatMap((r) => [...r.issuers.keys()])) {
    if (seen.has(issuer)) fail(`issuer ${issuer} is configured twice`);
    seen.add(issuer);
  }
  return resolved;
}

/** Rejects a hierarchy with unknown shapes or cycles, which would make role checks ambiguous. */
function validateHierarchy(hierarchy: Record<string, string[]>): void {
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (role: string, path: string[]): void => {
    if (done.has(role)) return;
    if (visiting.has(role)) fail(`roleHierarchy has a cycle: ${[...path, role].join(' -> ')}`);
    visiting.add(role);
    for (const child of Object.hasOwn(hierarchy, role) ? hierarchy[role] : [])
      visit(child, [...path, role]);
    visiting.delete(role);
    done.add(role);
  };
  for (const [role, children] of Object.entries(hierarchy)) {
    if (!Array.isArray(children) || children.some((c) => typeof c !== 'string')) {
      fail(`roleHierarchy.${role} must be a list of role names`);
    }
    visit(role, []);
  }
}

/** Default `mfaAcrValues`: level 2 as Keycloak's step-up flows and auth-api number them. */
const MFA_ACR_VALUES: readonly string[] = Object.freeze(['2']);

function resolveMfaAcrValues(value: unknown): readonly string[] {
  if (value === undefined) return MFA_ACR_VALUES;
  const problem = claimValueProblem(value, true);
  if (problem) fail(`mfaAcrValues ${problem}`);
  return Object.freeze([...(value as string[])]);
}

/** Validates user options once, at module start, so that a misconfiguration never reaches a request. */
export function resolveAuthOptions(options: AuthModuleOptions): ResolvedAuthOptions {
  if (!options || typeof options !== 'object') fail('options are required');
  const roleHierarchy = options.roleHierarchy ?? {};
  validateHierarchy(roleHierarchy);
  const cache = options.verifiedTokenCache;
  const clockToleranceSeconds = nonNegativeInteger(
    'clockToleranceSeconds',
    options.clockToleranceSeconds,
    5,
  );
  const issuers = resolveIssuers(options, clockToleranceSeconds);
  const primary = issuers[0];
  return {
    issuer: primary.issuers.keys().next().value as string,
    audiences: primary.audiences,
    algorithms: primary.algorithms,
    keySource: primary.keySource,
    issuers,
    clockToleranceSeconds,
    maxTokenBytes: nonNegativeInteger('maxTokenBytes', options.maxTokenBytes, 8192),
    roleHierarchy,
    accessTokenTtlSeconds: nonNegativeInteger(
      'accessTokenTtlSeconds',
      options.accessTokenTtlSeconds,
      900,
    ),
    cacheMaxEntries:
      cache === false
        ? 0
        : nonNegativeInteger('verifiedTokenCache.maxEntries', cache?.maxEntries, 10000),
    revocationChecker: options.revocationChecker ?? null,
    mfaAcrValues: resolveMfaAcrValues(options.mfaAcrValues),
    dpop: resolveDpop(options.dpop, clockToleranceSeconds, options.clock ?? systemClock),
    realm: options.realm ?? primary.audiences[0],
    clock: options.clock ?? systemClock,
  };
}

function resolveDpop(
  options: AuthDpopOptions = {},
  clockToleranceSeconds: number,
  clock: AuthClock,
): ResolvedDpop {
  let publicOrigin: string | null = null;
  if (options.publicUrl !== undefined) {
    try {
      publicOrigin = new URL(options.publicUrl).origin;
    } catch {
      fail('dpop.publicUrl must be an absolute URL');
    }
  }
  return {
    verifier: new DpopProofVerifier({
      algorithms: options.algorithms,
      maxAgeSeconds: options.maxAgeSeconds,
      clockToleranceSeconds,
      replayStore: options.replayStore,
      nonces: options.nonces,
      now: () => clock.now(),
    }),
    required: options.required ?? false,
    publicOrigin,
  };
}
