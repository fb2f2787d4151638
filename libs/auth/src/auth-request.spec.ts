import type { ExecutionContext } from '@nestjs/common';

import { authRequestOf } from './auth-request';

function context(type: string, args: unknown[]): ExecutionContext {
  return {
    getType: () => type,
    getArgByIndex: (index: number) => args[index],
    switchToHttp: () => ({ getRequest: () => args[0] }),
  } as unknown as ExecutionContext;
}

describe(authRequestOf.name, () => {
  const req = { headers: { authorization: 'Bearer a' } };

  it('gives the HTTP request on http', () => {
    expect(authRequestOf(context('http', [req, {}]))).toBe(req);
  });

  it("gives Apollo's context.req in a resolver, never the parent object or the arguments", () => {
    const parent = { user: { sub: 'planted' }, headers: { authorization: 'Bearer planted' } };
    const args = { user: { sub: 'planted' } };
    expect(authRequestOf(context('graphql', [parent, args, { req }, {}]))).toBe(req);
  });

  it("gives Mercurius's context.reply.request in a resolver", () => {
    expect(authRequestOf(context('graphql', [undefined, {}, { reply: { request: req } }]))).toBe(
      req,
    );
  });

  it('gives a fresh empty request for a GraphQL context without one (no token: refused)', () => {
    const parent = { user: { sub: 'planted' } };
    const first = authRequestOf(context('graphql', [parent, {}, {}, {}]));
    expect(first).toEqual({});
    expect(authRequestOf(context('graphql', [parent, {}, undefined, {}]))).not.toBe(first);
  });

  it('reads no token for a subscription the library cannot close at expiry', () => {
    const info = { operation: { operation: 'subscription' } };
    expect(authRequestOf(context('graphql', [{}, {}, { req }, info]))).toEqual({});
  });
});
