import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { AUTH_LEVEL_KEY } from './auth.constants';
import { RequireAuthLevel } from './auth-level.decorator';
import type { AuthLevel, AuthLevelRule } from './auth-level-rule';
import { RouteMetadata } from './route-metadata';

@RequireAuthLevel('mfa')
class PaymentsController {
  list(): void {}

  @RequireAuthLevel({ acr: ['gold'], maxAge: 60 })
  payout(): void {}
}

class ProfileController {
  show(): void {}

  @RequireAuthLevel({ amr: ['hwk', 'mfa'] })
  rotateKeys(): void {}
}

function route(controller: object, handler: object): ExecutionContext {
  return { getHandler: () => handler, getClass: () => controller } as unknown as ExecutionContext;
}

describe('RequireAuthLevel', () => {
  const level = () => new RouteMetadata<AuthLevelRule>(new Reflector(), AUTH_LEVEL_KEY);

  it('stores the shorthand as an mfa rule on the class', () => {
    expect(level().of(route(PaymentsController, PaymentsController.prototype.list))).toEqual({
      mfa: true,
      acr: null,
      amr: [],
      maxAge: null,
    });
  });

  it("lets a handler's requirement replace its controller's, not add to it", () => {
    expect(level().of(route(PaymentsController, PaymentsController.prototype.payout))).toEqual({
      mfa: false,
      acr: ['gold'],
      amr: [],
      maxAge: 60,
    });
  });

  it('stores a handler-only requirement, and nothing on an undecorated route', () => {
    const metadata = level();
    expect(metadata.of(route(ProfileController, ProfileController.prototype.rotateKeys))).toEqual({
      mfa: false,
      acr: null,
      amr: ['hwk', 'mfa'],
      maxAge: null,
    });
    expect(metadata.of(route(ProfileController, ProfileController.prototype.show))).toBeUndefined();
  });

  it('freezes the rule and copies the lists, so a later change of the argument changes nothing', () => {
    const amr = ['otp'];
    class Late {
      @RequireAuthLevel({ amr })
      act(): void {}
    }
    amr.push('extra');
    const rule = level().of(route(Late, Late.prototype.act));
    expect(rule?.amr).toEqual(['otp']);
    expect(Object.isFrozen(rule)).toBe(true);
    expect(Object.isFrozen(rule?.amr)).toBe(true);
  });

  it('accepts maxAge 0 (authenticated this very second) and URI acr values', () => {
    expect(() => RequireAuthLevel({ maxAge: 0 })).not.toThrow();
    expect(() => RequireAuthLevel({ acr: ['urn:mace:incommon:iap:silver'] })).not.toThrow();
  });

  it.each<[string, unknown, string]>([
    ['an unknown shorthand', 'otp', "expected 'mfa'"],
    ['null', null, "expected 'mfa'"],
    ['a list', ['mfa'], "expected 'mfa'"],
    ['an empty requirement', {}, 'at least one'],
    ['a misspelt member, which would drop the requirement', { max_age: 300 }, 'max_age'],
    ['an empty acr list, which nothing could meet', { acr: [] }, 'acr must not be empty'],
    ['an empty amr list, which would require nothing', { amr: [] }, 'amr must not be empty'],
    ['acr given as a string', { acr: '2' }, 'acr must be a list'],
    ['a non-string amr value', { amr: [1] }, 'amr must hold'],
    ['a value with a space', { acr: ['level 2'] }, 'acr must hold'],
    ['a value with a quote', { amr: ['a"b'] }, 'amr must hold'],
    ['a negative maxAge', { maxAge: -1 }, 'maxAge'],
    ['a fractional maxAge', { maxAge: 1.5 }, 'maxAge'],
    ['an infinite maxAge', { maxAge: Number.POSITIVE_INFINITY }, 'maxAge'],
    ['maxAge as a string', { maxAge: '300' }, 'maxAge'],
  ])('throws at definition time for %s', (_, argument, message) => {
    expect(() => RequireAuthLevel(argument as AuthLevel)).toThrow(
      `@jwt-token/auth: invalid @RequireAuthLevel: `,
    );
    expect(() => RequireAuthLevel(argument as AuthLevel)).toThrow(message);
  });
});
