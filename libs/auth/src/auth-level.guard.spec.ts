import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { FakeClock } from '../test/verifier-harness';
import { AuthError } from './auth.errors';
import { RequireAuthLevel } from './auth-level.decorator';
import { AuthLevelGuard } from './auth-level.guard';
import type { AuthLevel } from './auth-level-rule';
import type { AuthModuleOptions } from './interfaces/auth-module-options.interface';
import type { AuthPrincipal } from './interfaces/auth-principal.interface';
import { resolveAuthOptions } from './resolved-auth-options';
import { InMemoryKeyStore } from './testing';

const ISSUER = 'http://auth.test';
/** A second trusted issuer that allows no clock skew at all. */
const STRICT_ISSUER = 'http://strict.test';
const keyStore = new InMemoryKeyStore();

/** A guard over one controller whose single route demands `level`. */
function setup(level: AuthLevel | null, options: Partial<AuthModuleOptions> = {}) {
  const clock = new FakeClock();
  const resolved = resolveAuthOptions({
    issuer: ISSUER,
    audience: 'api',
    keyStore,
    clock,
    clockToleranceSeconds: 5,
    issuers: [
      {
        issuer: STRICT_ISSUER,
        audience: 'api',
        publicKeys: [{ kid: 'k1', key: keyStore.toJwks().keys[0] }],
        clockToleranceSeconds: 0,
      },
    ],
    ...options,
  });
  class Controller {
    route(): void {}
  }
  if (level !== null) {
    const descriptor = Object.getOwnPropertyDescriptor(Controller.prototype, 'route')!;
    RequireAuthLevel(level)(Controller.prototype, 'route', descriptor);
  }
  const guard = new AuthLevelGuard(new Reflector(), resolved);
  /** Runs the guard for a principal whose token carries `claims`; the error when it refuses. */
  const decide = (claims: Record<string, unknown> | undefined, issuer = ISSUER) => {
    const request = {
      user: claims === undefined ? undefined : ({ sub: 'u1', issuer, claims } as AuthPrincipal),
    };
    const context = {
      getHandler: () => Controller.prototype.route,
      getClass: () => Controller,
      switchToHttp: () => ({ getRequest: () => request }),
    } as unknown as ExecutionContext;
    try {
      return guard.canActivate(context);
    } catch (error) {
      if (error instanceof AuthError) return error;
      throw error;
    }
  };
  return { clock, decide };
}

function refusal(outcome: boolean | AuthError): AuthError {
  expect(outcome).toBeInstanceOf(AuthError);
  const error = outcome as AuthError;
  expect(error.code).toBe('ERR_INSUFFICIENT_USER_AUTHENTICATION');
  return error;
}

describe(AuthLevelGuard.name, () => {
  it('lets an undecorated route through without reading anything, even with no principal', () => {
    expect(setup(null).decide(undefined)).toBe(true);
  });

  it('asks for a token when a decorated route has no principal', () => {
    expect(setup('mfa').decide(undefined)).toMatchObject({ code: 'ERR_TOKEN_MISSING' });
  });

  describe("'mfa'", () => {
    it.each<[string, Record<string, unknown>]>([
      ['auth-api and Okta (pwd, otp, mfa)', { amr: ['pwd', 'otp', 'mfa'] }],
      ['Auth0 (mfa)', { amr: ['mfa'] }],
      ['Entra ID (pwd, mfa)', { amr: ['pwd', 'mfa'] }],
      ['a hardware key (hwk, mfa)', { amr: ['hwk', 'mfa'] }],
      ['Keycloak level 2 (acr "2", no amr)', { acr: '2' }],
    ])('accepts %s', (_, claims) => {
      expect(setup('mfa').decide(claims)).toBe(true);
    });

    it.each<[string, Record<string, unknown>]>([
      ['a password-only token', { amr: ['pwd'] }],
      ['an otp without the mfa marker', { amr: ['pwd', 'otp'] }],
      ['Keycloak level 1', { acr: '1' }],
      ['Keycloak level 0', { acr: '0' }],
      ['a token without any authentication claim', {}],
      ['acr as a number 2, not the string', { acr: 2 }],
      ['a differently cased marker', { amr: ['MFA'] }],
    ])('refuses %s, and asks for acr_values from mfaAcrValues', (_, claims) => {
      const error = refusal(setup('mfa').decide(claims));
      expect(error.acrValues).toEqual(['2']);
      expect(error.maxAge).toBeUndefined();
    });

    it('uses the configured mfaAcrValues instead of the default', () => {
      const { decide } = setup('mfa', { mfaAcrValues: ['gold', 'platinum'] });
      expect(decide({ acr: 'platinum' })).toBe(true);
      expect(decide({ amr: ['mfa'] })).toBe(true);
      expect(refusal(decide({ acr: '2' })).acrValues).toEqual(['gold', 'platinum']);
    });

    it('decides on amr alone with mfaAcrValues: [], and then asks for no acr_values', () => {
      const { decide } = setup('mfa', { mfaAcrValues: [] });
      expect(decide({ amr: ['mfa'] })).toBe(true);
      expect(refusal(decide({ acr: '2' })).acrValues).toEqual([]);
    });
  });

  describe('acr: any one of', () => {
    const { decide } = setup({ acr: ['silver', 'gold'] });

    it('accepts each listed value', () => {
      expect(decide({ acr: 'silver' })).toBe(true);
      expect(decide({ acr: 'gold' })).toBe(true);
    });

    it('refuses another value, a missing acr, and amr mfa (only the shorthand reads amr)', () => {
      for (const claims of [{ acr: 'bronze' }, {}, { amr: ['mfa'] }]) {
        const error = refusal(decide(claims));
        expect(error.message).toBe('requires authentication context silver or gold');
        expect(error.acrValues).toEqual(['silver', 'gold']);
      }
    });
  });

  describe('amr: every one of', () => {
    const { decide } = setup({ amr: ['hwk', 'mfa'] });

    it('accepts a token holding all of them, in any order, with more besides', () => {
      expect(decide({ amr: ['mfa', 'pwd', 'hwk'] })).toBe(true);
    });

    it('refuses a token holding only some, and asks for no acr_values', () => {
      for (const claims of [{ amr: ['hwk'] }, { amr: ['mfa'] }, { amr: [] }, {}]) {
        const error = refusal(decide(claims));
        expect(error.message).toBe('requires authentication methods hwk and mfa');
        expect(error.acrValues).toEqual([]);
      }
    });
  });

  describe('maxAge', () => {
    it('accepts up to exactly maxAge seconds after auth_time, and refuses a moment later', () => {
      const { clock, decide } = setup({ maxAge: 300 });
      const claims = { auth_time: clock.seconds };
      clock.advance(300);
      expect(decide(claims)).toBe(true);
      clock.ms += 1;
      const error = refusal(decide(claims));
      expect(error.message).toBe('requires authentication within the last 300 seconds');
      expect(error.maxAge).toBe(300);
      expect(error.acrValues).toEqual([]);
    });

    it('gives no clock tolerance to the age itself', () => {
      const { clock, decide } = setup({ maxAge: 60 }, { clockToleranceSeconds: 30 });
      expect(refusal(decide({ auth_time: clock.seconds - 61 })).maxAge).toBe(60);
    });

    it('refuses a token without auth_time', () => {
      const error = refusal(setup({ maxAge: 300 }).decide({ amr: ['mfa'] }));
      expect(error.message).toBe('requires auth_time in the token');
      expect(error.maxAge).toBe(300);
    });

    it('with maxAge 0, accepts an authentication of this very second only', () => {
      const { clock, decide } = setup({ maxAge: 0 });
      expect(decide({ auth_time: clock.now() / 1000 })).toBe(true);
      expect(refusal(decide({ auth_time: clock.seconds - 1 })).maxAge).toBe(0);
    });
  });

  it('requires every member of a combined requirement, and challenges with all of it', () => {
    const { clock, decide } = setup({ acr: ['2'], amr: ['hwk'], maxAge: 120 });
    const fresh = clock.seconds;
    expect(decide({ acr: '2', amr: ['hwk', 'mfa'], auth_time: fresh })).toBe(true);
    for (const claims of [
      { acr: '1', amr: ['hwk'], auth_time: fresh },
      { acr: '2', amr: ['otp'], auth_time: fresh },
      { acr: '2', amr: ['hwk'], auth_time: fresh - 121 },
    ]) {
      const error = refusal(decide(claims));
      expect(error.acrValues).toEqual(['2']);
      expect(error.maxAge).toBe(120);
    }
  });

  describe('malformed claims never satisfy a requirement', () => {
    it.each<[string, Record<string, unknown>, string]>([
      ['amr as a string', { amr: 'mfa' }, 'amr'],
      ['amr holding a number', { amr: ['mfa', 1] }, 'amr'],
      ['amr as null', { amr: null }, 'amr'],
      ['amr as an object', { amr: { 0: 'mfa' } }, 'amr'],
      ['acr as a number, next to amr mfa', { acr: 2, amr: ['mfa'] }, 'acr'],
      ['acr as null, next to amr mfa', { acr: null, amr: ['mfa'] }, 'acr'],
      ['acr as a list', { acr: ['2'] }, 'acr'],
      ['auth_time as a string, next to amr mfa', { amr: ['mfa'], auth_time: '1' }, 'auth_time'],
      ['auth_time as NaN', { amr: ['mfa'], auth_time: Number.NaN }, 'auth_time'],
      ['auth_time as Infinity', { amr: ['mfa'], auth_time: Infinity }, 'auth_time'],
      ['auth_time as null', { amr: ['mfa'], auth_time: null }, 'auth_time'],
    ])('%s', (_, claims, name) => {
      expect(refusal(setup('mfa').decide(claims)).message).toBe(`token ${name} claim is malformed`);
    });

    it('refuses a principal without a claim set', () => {
      const { decide } = setup('mfa');
      expect(refusal(decide(null as unknown as Record<string, unknown>)).message).toBe(
        'token claims claim is malformed',
      );
    });

    it("refuses auth_time beyond now plus the issuer's clock tolerance, even without maxAge", () => {
      const { clock, decide } = setup('mfa');
      expect(decide({ amr: ['mfa'], auth_time: clock.seconds + 5 })).toBe(true);
      expect(refusal(decide({ amr: ['mfa'], auth_time: clock.seconds + 6 })).message).toBe(
        'token auth_time claim is malformed',
      );
    });

    it("uses the tolerance of the issuer that verified the token, not the module's", () => {
      const { clock, decide } = setup('mfa');
      expect(decide({ amr: ['mfa'], auth_time: clock.seconds }, STRICT_ISSUER)).toBe(true);
      expect(
        refusal(decide({ amr: ['mfa'], auth_time: clock.seconds + 1 }, STRICT_ISSUER)).message,
      ).toBe('token auth_time claim is malformed');
    });
  });
});
