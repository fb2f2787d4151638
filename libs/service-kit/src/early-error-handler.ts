import type { FastifyAdapter } from '@nestjs/platform-fastify';

type ErrorHandler = Parameters<FastifyAdapter['setErrorHandler']>[0];

/**
 * Installs Fastify's root error handler before any route exists, and makes it call the one Nest
 * installs later (its exception layer, hence the global filters).
 *
 * Why: Fastify gives a route the error handler its context has when the route is built. Nest
 * registers its routes first and its error handler last, which works because Fastify builds the
 * routes at `ready()`. A plugin awaited in between (Mercurius, registered by `@nestjs/mercurius`
 * in `onModuleInit`) makes Fastify build the routes then, before Nest's handler exists, and
 * errors raised before a handler runs (malformed JSON, a body too large, an unsupported media
 * type) would reach Fastify's default handler instead of the contract's body.
 */
export function installEarlyErrorHandler(adapter: FastifyAdapter): void {
  let nestHandler: ErrorHandler | undefined;
  adapter.getInstance().setErrorHandler(function (error, request, reply) {
    if (!nestHandler) throw error;
    return nestHandler.call(this, error, request, reply);
  });
  adapter.setErrorHandler = (handler: ErrorHandler) => {
    nestHandler = handler;
    return adapter.getInstance();
  };
}
