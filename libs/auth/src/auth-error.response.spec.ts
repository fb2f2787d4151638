import {
  describeAuthError,
  describeAuthErrorForGraphql,
  describeAuthErrorForRpc,
  describeAuthErrorForSocket,
} from './auth-error.response';
import { AuthError } from './auth.errors';

const stepUp = (message: string, acrValues?: string[], maxAge?: number) =>
  new AuthError('ERR_INSUFFICIENT_USER_AUTHENTICATION', message, [], { acrValues, maxAge });

describe(describeAuthError.name, () => {
  describe('ERR_INSUFFICIENT_USER_AUTHENTICATION (RFC 9470 §3)', () => {
    it('answers 401 insufficient_user_authentication with acr_values', () => {
      const described = describeAuthError(
        stepUp('requires multi-factor authentication', ['2']),
        'resource-api',
      );
      expect(described).toEqual({
        status: 401,
        body: {
          statusCode: 401,
          error: 'insufficient_user_authentication',
          message: 'requires multi-factor authentication',
        },
        wwwAuthenticate:
          'Bearer realm="resource-api", error="insufficient_user_authentication", error_description="requires multi-factor authentication", acr_values="2"',
      });
    });

    it('writes max_age as a bare integer, and several acr values space-separated', () => {
      const both = describeAuthError(stepUp('too old', ['gold', 'urn:x:silver'], 300), 'api');
      expect(both.wwwAuthenticate).toBe(
        'Bearer realm="api", error="insufficient_user_authentication", error_description="too old", acr_values="gold urn:x:silver", max_age=300',
      );
      const ageOnly = describeAuthError(stepUp('too old', undefined, 0), 'api');
      expect(ageOnly.wwwAuthenticate).toBe(
        'Bearer realm="api", error="insufficient_user_authentication", error_description="too old", max_age=0',
      );
    });

    it('names no requirement it does not have (an amr-only refusal)', () => {
      expect(describeAuthError(stepUp('requires hwk'), 'api').wwwAuthenticate).toBe(
        'Bearer realm="api", error="insufficient_user_authentication", error_description="requires hwk"',
      );
    });

    it('keeps a hand-built error from putting anything but an integer into max_age', () => {
      for (const maxAge of [-1, 1.5, Number.NaN, Infinity]) {
        expect(describeAuthError(stepUp('x', ['2'], maxAge), 'api').wwwAuthenticate).toBe(
          'Bearer realm="api", error="insufficient_user_authentication", error_description="x", acr_values="2"',
        );
      }
    });

    it('never lets a quote or backslash out of its quoted strings', () => {
      const header = describeAuthError(stepUp('a"b\\c', ['x"y']), 'r"e').wwwAuthenticate;
      expect(header).toBe(
        'Bearer realm="re", error="insufficient_user_authentication", error_description="abc", acr_values="xy"',
      );
    });
  });

  it('leaves every other answer as it was, with no step-up members', () => {
    const scope = new AuthError('ERR_INSUFFICIENT_SCOPE', 'requires scope a', ['a'], {
      acrValues: ['2'],
      maxAge: 5,
    });
    expect(describeAuthError(scope, 'api').wwwAuthenticate).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="requires scope a", scope="a"',
    );
    expect(describeAuthErrorForGraphql(scope)).toEqual({
      code: 'FORBIDDEN',
      error: 'ERR_INSUFFICIENT_SCOPE',
    });
    expect(describeAuthErrorForSocket(new AuthError('ERR_TOKEN_EXPIRED', 'expired'))).toEqual({
      status: 'error',
      code: 'ERR_TOKEN_EXPIRED',
      error: 'invalid_token',
      message: 'expired',
    });
  });
});

describe('a step-up refusal on the other transports', () => {
  const error = stepUp('requires multi-factor authentication', ['2', 'gold'], 300);

  it('is UNAUTHENTICATED on GraphQL, as the 401 it is on HTTP, with the requirement', () => {
    expect(describeAuthErrorForGraphql(error)).toEqual({
      code: 'UNAUTHENTICATED',
      error: 'ERR_INSUFFICIENT_USER_AUTHENTICATION',
      acr_values: '2 gold',
      max_age: 300,
    });
    expect(error.extensions).toEqual(describeAuthErrorForGraphql(error));
  });

  it('carries the code, the HTTP error and the requirement to a socket and an RPC caller', () => {
    const expected = {
      status: 'error',
      code: 'ERR_INSUFFICIENT_USER_AUTHENTICATION',
      error: 'insufficient_user_authentication',
      message: 'requires multi-factor authentication',
      acr_values: '2 gold',
      max_age: 300,
    };
    expect(describeAuthErrorForSocket(error)).toEqual(expected);
    expect(describeAuthErrorForRpc(error)).toEqual(expected);
  });
});

describe(AuthError.name, () => {
  it('still takes code, message and scopes alone, with no requirement', () => {
    const error = new AuthError('ERR_INSUFFICIENT_SCOPE', 'requires scope a', ['a']);
    expect(error.requiredScopes).toEqual(['a']);
    expect(error.acrValues).toEqual([]);
    expect(error.maxAge).toBeUndefined();
    expect(new AuthError('ERR_TOKEN_MISSING', 'no token').requiredScopes).toEqual([]);
  });
});
