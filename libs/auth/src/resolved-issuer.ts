import type {
  AccessTokenMarker,
  ClaimFormat,
  ClaimSource,
  IssuerConfig,
} from './interfaces/issuer-config.interface';
import type { JwtAlgorithm } from './interfaces/jwt-algorithm';
import { SUPPORTED_ALGORITHMS } from './interfaces/jwt-algorithm';
import {
  fail,
  nonNegativeInteger,
  resolveKeySource,
  type ResolvedKeySource,
} from './resolved-key-source';

/** A claim source after validation: a path of claim names and the shape of its value. */
export interface ResolvedClaimSource {
  readonly path: readonly string[];
  readonly format: ClaimFormat;
}

/** One trusted issuer after validation, with every default filled in. */
export interface ResolvedIssuer {
  /** Every exact `iss` this config accepts, each with its tenant (for a `{tenantid}` issuer). */
  issuers: ReadonlyMap<string, string | undefined>;
  tenantClaim: string;
  audiences: readonly string[];
  audienceClaim: 'aud' | 'client_id';
  algorithms: ReadonlySet<JwtAlgorithm>;
  keySource: ResolvedKeySource;
  clockToleranceSeconds: number;
  headerTypes: ReadonlySet<'at+jwt' | 'JWT' | 'none'>;
  accessTokenClaims: readonly AccessTokenMarker[];
  idTokensAsBearers: boolean;
  requireAuthTime: boolean;
  roles: readonly ResolvedClaimSource[];
  scope: readonly ResolvedClaimSource[];
  clientId: readonly (readonly string[])[];
  authorizedParties: ReadonlySet<string> | null;
  authorizedPartyClaim: string;
  requiredClaims: readonly (readonly [string, ReadonlySet<unknown> | null])[];
  mapPrincipal: IssuerConfig['mapPrincipal'] | null;
}

const TENANT_PLACEHOLDER = '{tenantid}';
const FORMATS: readonly ClaimFormat[] = [
  'array',
  'space-delimited',
  'object-keys',
  'array-or-space-delimited',
];
/** Tenant ids become part of an exact issuer URL: no characters that could change its meaning. */
const TENANT_ID = /^[A-Za-z0-9._-]{1,128}$/;

function expandIssuers(config: IssuerConfig, at: string): Map<string, string | undefined> {
  const spellings = Array.isArray(config.issuer) ? config.issuer : [config.issuer];
  if (spellings.length === 0 || spellings.some((s) => typeof s !== 'string' || s.length === 0))
    fail(`${at}issuer is required`);
  const templated = spellings.some((s) => s.includes(TENANT_PLACEHOLDER));
  const result = new Map<string, string | undefined>();
  if (!templated) {
    if (config.tenants !== undefined)
      fail(`${at}tenants needs an issuer with ${TENANT_PLACEHOLDER}`);
    for (const issuer of spellings) result.set(issuer, undefined);
    return result;
  }
  // Never a wildcard: each allowed tenant becomes its own exact issuer string.
  const tenants = config.tenants ?? [];
  if (tenants.length === 0) fail(`${at}an issuer with ${TENANT_PLACEHOLDER} needs tenants`);
  for (const tenant of tenants) {
    if (typeof tenant !== 'string' || !TENANT_ID.test(tenant))
      fail(`${at}tenants: ${String(tenant)} is not a tenant id`);
    for (const issuer of spellings)
      result.set(issuer.split(TENANT_PLACEHOLDER).join(tenant), tenant);
  }
  return result;
}

function claimSource(at: string, source: ClaimSource, fallback: ClaimFormat): ResolvedClaimSource {
  const { path, format = fallback } =
    typeof source === 'string' || Array.isArray(source)
      ? { path: source as string | readonly string[], format: fallback }
      : (source as { path: string | readonly string[]; format?: ClaimFormat });
  const segments = typeof path === 'string' ? [path] : [...path];
  if (segments.length === 0 || segments.some((s) => typeof s !== 'string' || s.length === 0))
    fail(`${at} has an empty claim path`);
  if (!FORMATS.includes(format)) fail(`${at} has an unknown format ${String(format)}`);
  return Object.freeze({ path: Object.freeze(segments), format });
}

function stringList(name: string, value: string | string[] | undefined): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((v) => typeof v !== 'string' || v.length === 0))
    fail(`${name} must be a non-empty string or list of strings`);
  return list as string[];
}

function algorithmSet(at: string, algorithms: JwtAlgorithm[] = ['ES256']): Set<JwtAlgorithm> {
  if (algorithms.length === 0) fail(`${at}algorithms must not be empty`);
  for (const alg of algorithms) {
    if (!SUPPORTED_ALGORITHMS.includes(alg))
      fail(`algorithm ${String(alg)} is not allowed (use ${SUPPORTED_ALGORITHMS.join(', ')})`);
  }
  return new Set(algorithms);
}

/** Validates one issuer config; `at` prefixes error messages, `names` the key-source options offered. */
export function resolveIssuer(
  config: IssuerConfig,
  at: string,
  names: readonly string[],
  defaultTolerance: number,
): ResolvedIssuer {
  if (!config || typeof config !== 'object')
    fail(`${at.slice(0, -1) || 'issuer'} is not an object`);
  const issuers = expandIssuers(config, at);
  const audiences = stringList(`${at}audience`, config.audience);
  const type = config.tokenType ?? {};
  const headerTypes = new Set<'at+jwt' | 'JWT' | 'none'>(type.headerTypes ?? ['at+jwt']);
  if (headerTypes.size === 0) fail(`${at}tokenType.headerTypes must not be empty`);
  for (const typ of headerTypes) {
    if (!['at+jwt', 'JWT', 'none'].includes(typ)) fail(`${at}tokenType: unknown typ ${typ}`);
  }
  const accessTokenClaims = type.accessTokenClaims ?? [];
  for (const marker of accessTokenClaims) {
    if (!marker || typeof marker.claim !== 'string' || marker.claim.length === 0)
      fail(`${at}tokenType.accessTokenClaims needs claim names`);
  }
  // RFC 9068 §2.1 makes `typ` what tells an access token from an ID token. Giving that up is
  // only allowed when the payload says it instead, or when the issuer's bearers are ID tokens.
  const onlyAtJwt = headerTypes.size === 1 && headerTypes.has('at+jwt');
  if (!onlyAtJwt && accessTokenClaims.length === 0 && type.idTokensAsBearers !== true)
    fail(
      `${at}tokenType: accepting typ JWT or none needs accessTokenClaims (or idTokensAsBearers)`,
    );
  const claims = config.claims ?? {};
  const parties = config.authorizedParties;
  if (parties !== undefined) stringList(`${at}authorizedParties`, parties);
  const required = Object.entries(config.requiredClaims ?? {}).map(([name, value]) => {
    if (value === true) return [name, null] as const;
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0) fail(`${at}requiredClaims.${name} lists no value`);
    return [name, new Set<unknown>(values)] as const;
  });
  if (config.mapPrincipal !== undefined && typeof config.mapPrincipal !== 'function')
    fail(`${at}mapPrincipal must be a function`);
  if (config.audienceClaim !== undefined && !['aud', 'client_id'].includes(config.audienceClaim))
    fail(`${at}audienceClaim must be aud or client_id`);
  return {
    issuers,
    tenantClaim: config.tenantClaim ?? 'tid',
    audiences,
    audienceClaim: config.audienceClaim ?? 'aud',
    algorithms: algorithmSet(at, config.algorithms),
    keySource: resolveKeySource(config, at, names, [...issuers.keys()]),
    clockToleranceSeconds: nonNegativeInteger(
      `${at}clockToleranceSeconds`,
      config.clockToleranceSeconds,
      defaultTolerance,
    ),
    headerTypes,
    accessTokenClaims,
    idTokensAsBearers: type.idTokensAsBearers === true,
    requireAuthTime: type.requireAuthTime === true,
    roles: (claims.roles ?? ['roles']).map((s) => claimSource(`${at}claims.roles`, s, 'array')),
    scope: (claims.scope ?? ['scope']).map((s) =>
      claimSource(`${at}claims.scope`, s, 'space-delimited'),
    ),
    clientId: (claims.clientId ?? ['client_id']).map(
      (p) => claimSource(`${at}claims.clientId`, p, 'array').path,
    ),
    authorizedParties: parties ? new Set(parties) : null,
    authorizedPartyClaim: config.authorizedPartyClaim ?? 'azp',
    requiredClaims: required,
    mapPrincipal: config.mapPrincipal ?? null,
  };
}
