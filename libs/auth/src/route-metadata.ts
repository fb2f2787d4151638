import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

type RouteTarget = object;

/**
 * One decorator's value for a route, as `Reflector.getAllAndOverride(key, [handler, controller])`
 * gives it (the handler's value wins over the controller's), looked up once per route and then
 * remembered. Decorators write their metadata when the classes are defined, so it cannot change
 * while the app serves; every guard asks on every request, and three guards' worth of
 * `reflect-metadata` lookups was 5% of a guarded request's instructions (measured in `bench/`).
 *
 * Keyed by handler, then controller: a handler inherited by a subclass controller is one function
 * on two controllers, whose class-level decorators may differ.
 */
export class RouteMetadata<T> {
  private readonly byHandler = new WeakMap<RouteTarget, WeakMap<RouteTarget, T | undefined>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly key: string,
  ) {}

  of(context: ExecutionContext): T | undefined {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byController = this.byHandler.get(handler);
    if (!byController) {
      byController = new WeakMap();
      this.byHandler.set(handler, byController);
    }
    if (byController.has(controller)) return byController.get(controller);
    const value = this.reflector.getAllAndOverride<T | undefined>(this.key, [handler, controller]);
    byController.set(controller, value);
    return value;
  }
}
