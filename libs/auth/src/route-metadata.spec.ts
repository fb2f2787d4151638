import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { ROLES_KEY } from './auth.constants';
import { AuthError } from './auth.errors';
import type { AuthPrincipal } from './interfaces/auth-principal.interface';
import { resolveAuthOptions } from './resolved-auth-options';
import { RoleHierarchy } from './role-hierarchy';
import { Roles } from './roles.decorator';
import { RolesGuard } from './roles.guard';
import { RouteMetadata } from './route-metadata';
import { InMemoryKeyStore } from './testing';

@Roles('user')
class ArticlesController {
  list(): void {}

  @Roles('admin')
  remove(): void {}
}

/** Inherits both handlers; its own class-level @Roles replaces the parent's for `list`. */
@Roles('editor')
class EditorArticlesController extends ArticlesController {}

class UndecoratedController {
  open(): void {}
}

function route(
  controller: object,
  handler: object,
  user?: Partial<AuthPrincipal>,
): ExecutionContext {
  const request = { user };
  return {
    getHandler: () => handler,
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

describe(RouteMetadata.name, () => {
  it("gives the handler's value over the controller's, as Reflector.getAllAndOverride does", () => {
    const roles = new RouteMetadata<string[]>(new Reflector(), ROLES_KEY);
    const { list, remove } = ArticlesController.prototype;
    expect(roles.of(route(ArticlesController, list))).toEqual(['user']);
    expect(roles.of(route(ArticlesController, remove))).toEqual(['admin']);
    expect(
      roles.of(route(UndecoratedController, UndecoratedController.prototype.open)),
    ).toBeUndefined();
  });

  it('tells apart one inherited handler on two controllers with different class-level metadata', () => {
    const roles = new RouteMetadata<string[]>(new Reflector(), ROLES_KEY);
    const { list, remove } = ArticlesController.prototype;
    // The same function objects on both controllers: asked in either order, each keeps its own.
    expect(roles.of(route(EditorArticlesController, list))).toEqual(['editor']);
    expect(roles.of(route(ArticlesController, list))).toEqual(['user']);
    expect(roles.of(route(EditorArticlesController, list))).toEqual(['editor']);
    expect(roles.of(route(EditorArticlesController, remove))).toEqual(['admin']);
  });

  it('asks the reflector once per route, undecorated routes included', () => {
    const reflector = new Reflector();
    const lookup = jest.spyOn(reflector, 'getAllAndOverride');
    const roles = new RouteMetadata<string[]>(reflector, ROLES_KEY);
    const { list } = ArticlesController.prototype;
    const { open } = UndecoratedController.prototype;
    for (let i = 0; i < 5; i++) {
      expect(roles.of(route(ArticlesController, list))).toEqual(['user']);
      expect(roles.of(route(UndecoratedController, open))).toBeUndefined();
    }
    expect(lookup).toHaveBeenCalledTimes(2);
  });
});

describe(`${RolesGuard.name} with remembered route metadata`, () => {
  const hierarchy = new RoleHierarchy(
    resolveAuthOptions({ issuer: 'http://i', audience: 'a', keyStore: new InMemoryKeyStore() }),
  );

  it("decides an inherited handler by each controller's own @Roles, request after request", () => {
    const guard = new RolesGuard(new Reflector(), hierarchy);
    const { list } = ArticlesController.prototype;
    const user = { roles: ['user'] };
    for (let i = 0; i < 3; i++) {
      expect(guard.canActivate(route(ArticlesController, list, user))).toBe(true);
      expect(() => guard.canActivate(route(EditorArticlesController, list, user))).toThrow(
        AuthError,
      );
      expect(guard.canActivate(route(EditorArticlesController, list, { roles: ['editor'] }))).toBe(
        true,
      );
    }
  });
});
