import type { JwksClientOptions } from './interfaces/auth-module-options.interface';
import type { IssuerConfig } from './interfaces/issuer-config.interface';
import type { JwtAlgorithm } from './interfaces/jwt-algorithm';
import { fail } from './resolved-key-source';

/**
 * What every preset takes besides its provider's own settings: the tuning that differs between
 * deployments, never the rules that make a token of that provider an access token.
 */
export interface IssuerPresetOptions {
  /** Replaces the provider's key URL (a proxy, a test server). Keys are still this issuer's only. */
  jwksUri?: string;
  /** Replaces the preset's algorithm allowlist (e.g. `['ES256']` for a provider set up with EC keys). */
  algorithms?: JwtAlgorithm[];
  /** Tuning of the key fetches. */
  jwks?: JwksClientOptions;
  /** Leeway for `exp`, `nbf`, `iat`, in seconds. Default: the module's. */
  clockToleranceSeconds?: number;
  /** More claims that must be present with given values (added to the preset's). */
  requiredClaims?: IssuerConfig['requiredClaims'];
  /** Last say over the principal (see {@link IssuerConfig.mapPrincipal}). */
  mapPrincipal?: IssuerConfig['mapPrincipal'];
}

/** The preset's config with the caller's tuning applied; `keys` says which key option to override. */
export function applyPresetOptions(
  config: IssuerConfig,
  options: IssuerPresetOptions,
  keys: 'jwksUri' | 'x509Uri' = 'jwksUri',
): IssuerConfig {
  const result: IssuerConfig = { ...config };
  if (options.jwksUri !== undefined) result[keys] = options.jwksUri;
  if (options.algorithms !== undefined) result.algorithms = options.algorithms;
  if (options.jwks !== undefined) result.jwks = options.jwks;
  if (options.clockToleranceSeconds !== undefined)
    result.clockToleranceSeconds = options.clockToleranceSeconds;
  if (options.requiredClaims !== undefined)
    result.requiredClaims = { ...config.requiredClaims, ...options.requiredClaims };
  if (options.mapPrincipal !== undefined) result.mapPrincipal = options.mapPrincipal;
  return result;
}

/** A DNS name as a preset expects it (`tenant.eu.auth0.com`): no scheme, path or port tricks. */
export function presetHost(preset: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^(?=.{1,253}$)[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(value))
    fail(`${preset}: ${name} must be a host name such as example.com, got ${String(value)}`);
  return value.toLowerCase();
}

/** An identifier that becomes part of an issuer URL (realm, pool id, project id). */
export function presetSegment(preset: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9._~-]{1,128}$/.test(value))
    fail(`${preset}: ${name} is not a valid identifier: ${String(value)}`);
  return value;
}

/** An http(s) base URL without a trailing slash. */
export function presetBaseUrl(preset: string, name: string, value: unknown): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    fail(`${preset}: ${name} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    fail(`${preset}: ${name} must be http(s)`);
  if (url.search || url.hash) fail(`${preset}: ${name} must not have a query or fragment`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
