import { OAuthError } from '@jwt-token/service-kit';

/** A form body as the parser hands it over: values may repeat (arrays) or be missing. */
export type FormBody = Record<string, unknown> | undefined | null;

/**
 * Reads an optional single-valued parameter. RFC 6749 §3.2: a parameter must not appear twice,
 * and a value is a string; anything else is `invalid_request`.
 */
export function optionalParam(body: FormBody, name: string, maxLength = 4096): string | undefined {
  const value =
    body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string')
    throw new OAuthError('invalid_request', `${name} must appear once, as a string`);
  if (value.length > maxLength) throw new OAuthError('invalid_request', `${name} is too long`);
  return value;
}

export function requiredParam(body: FormBody, name: string, maxLength?: number): string {
  const value = optionalParam(body, name, maxLength);
  if (value === undefined) throw new OAuthError('invalid_request', `${name} is required`);
  return value;
}

/** RFC 6749 §3.2: requests to the OAuth endpoints are form-encoded; JSON and the rest are refused. */
export function assertFormEncoded(contentType: string | undefined): void {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded');
  }
}
