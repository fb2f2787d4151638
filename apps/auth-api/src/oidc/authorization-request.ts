import type { OAuthClientEntity } from '../database/entities';
import { parseScope } from '../clients/scope';
import { AuthorizePageError, AuthorizeRedirectError } from './authorize-errors';
import { matchesRegisteredUri } from './redirect-uri';

/** A validated authorization request (OpenID Connect Core §3.1.2.1, RFC 7636). */
export interface AuthorizationRequest {
  client: OAuthClientEntity;
  redirectUri: string;
  state?: string;
  scopes: string[];
  nonce?: string;
  codeChallenge: string;
  prompt: ReadonlySet<string>;
  /** Seconds; undefined: any authentication age. */
  maxAge?: number;
  loginHint?: string;
  idTokenHint?: string;
  /**
   * Requested `acr` values, in order of preference (OpenID Connect Core §3.1.2.1); a voluntary
   * request: values auth-api does not know are ignored.
   */
  acrValues: string[];
  /** The parameters as received (the known ones), carried by the hosted pages' forms. */
  params: Record<string, string>;
  /** Set when the request was pushed (RFC 9126): consumed when the code is issued. */
  requestUri?: string;
  /**
   * RFC 9449 §10: the thumbprint of the client's DPoP key. The code is bound to it, and only a
   * token request with a proof by that key redeems it.
   */
  dpopJkt?: string;
}

/** The parameters the hosted pages carry from step to step; any other is ignored. */
export const AUTHORIZATION_PARAMS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'prompt',
  'max_age',
  'login_hint',
  'id_token_hint',
  'response_mode',
  'acr_values',
  'dpop_jkt',
] as const;

const LIMITS: Record<string, number> = { id_token_hint: 8192, state: 2048, nonce: 512 };
/** RFC 7636 §4.2: BASE64URL(SHA-256(verifier)) is 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** RFC 7638 thumbprint with SHA-256, base64url: 43 characters. */
const JWK_THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;
const PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);

type Raw = Record<string, unknown> | undefined | null;

/** One value, or throws `fail` when the parameter is repeated, not a string or too long. */
function single(raw: Raw, name: string, fail: (message: string) => Error): string | undefined {
  const value = raw && typeof raw === 'object' ? raw[name] : undefined;
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw fail(`${name} must appear once`);
  if (value.length > (LIMITS[name] ?? 2000)) throw fail(`${name} is too long`);
  return value;
}

/** The client and the redirect URI: every error before this point is an error page. */
export async function resolveClientPart(
  raw: Raw,
  findClient: (clientId: string) => Promise<OAuthClientEntity | null>,
): Promise<{ client: OAuthClientEntity; redirectUri: string }> {
  const page = (message: string) => new AuthorizePageError(message);
  const clientId = single(raw, 'client_id', page);
  if (!clientId) throw page('client_id is missing');
  const client = await findClient(clientId);
  if (!client || !client.grantTypes.includes('authorization_code'))
    throw page('unknown client, or not one that uses the authorization code flow');
  const redirectUri = single(raw, 'redirect_uri', page);
  if (!redirectUri) throw page('redirect_uri is missing');
  if (!matchesRegisteredUri(client.redirectUris, redirectUri, client.applicationType))
    throw page('redirect_uri is not registered for this client');
  return { client, redirectUri };
}

/** The rest of the request; errors are redirected (the client and redirect URI are known good). */
export function parseAuthorizationRequest(
  raw: Raw,
  client: OAuthClientEntity,
  redirectUri: string,
): AuthorizationRequest {
  const invalid = (message: string) => new AuthorizeRedirectError('invalid_request', message);
  const params: Record<string, string> = {};
  for (const name of AUTHORIZATION_PARAMS) {
    const value = single(raw, name, invalid);
    if (value !== undefined) params[name] = value;
  }
  if (single(raw, 'request', invalid) !== undefined)
    throw new AuthorizeRedirectError('request_not_supported', 'request objects are not supported');
  if (params.response_type !== 'code')
    throw new AuthorizeRedirectError('unsupported_response_type', 'response_type must be code');
  if (params.response_mode !== undefined && params.response_mode !== 'query')
    throw invalid('response_mode must be query');
  if (!params.code_challenge) throw invalid('PKCE is required: send code_challenge (S256)');
  if (params.code_challenge_method !== 'S256')
    throw invalid('code_challenge_method must be S256 (plain is refused)');
  if (!S256_CHALLENGE.test(params.code_challenge))
    throw invalid('code_challenge must be 43 base64url characters (S256)');
  const scopes = parseScope(params.scope ?? '');
  if (!scopes || scopes.length === 0)
    throw new AuthorizeRedirectError('invalid_scope', 'scope is required');
  const refused = scopes.filter((scope) => !client.scopes.includes(scope));
  if (refused.length > 0)
    throw new AuthorizeRedirectError('invalid_scope', `scope not allowed: ${refused.join(' ')}`);
  const prompt = new Set((params.prompt ?? '').split(' ').filter(Boolean));
  if ([...prompt].some((value) => !PROMPTS.has(value))) throw invalid('unknown prompt value');
  if (prompt.has('none') && prompt.size > 1) throw invalid('prompt=none cannot be combined');
  if (params.dpop_jkt !== undefined && !JWK_THUMBPRINT.test(params.dpop_jkt))
    throw invalid('dpop_jkt must be an RFC 7638 SHA-256 thumbprint (43 base64url characters)');
  let maxAge: number | undefined;
  if (params.max_age !== undefined) {
    if (!/^\d{1,9}$/.test(params.max_age)) throw invalid('max_age must be a non-negative integer');
    maxAge = Number(params.max_age);
  }
  return {
    client,
    redirectUri,
    state: params.state,
    scopes,
    nonce: params.nonce,
    codeChallenge: params.code_challenge,
    prompt,
    maxAge,
    loginHint: params.login_hint,
    acrValues: (params.acr_values ?? '').split(' ').filter((value) => value.length > 0),
    idTokenHint: params.id_token_hint,
    dpopJkt: params.dpop_jkt,
    params,
  };
}
