import { bearerDispatchHook, type DispatchedPacket } from './bearer-dispatch.hook';

describe(bearerDispatchHook.name, () => {
  it('adds the bearer to the packet metadata, keeping other metadata and the payload', () => {
    const packet = { pattern: 'p', data: { a: 1 }, metadata: { traceId: 't' } };
    bearerDispatchHook('tok')(packet);
    expect(packet).toEqual({
      pattern: 'p',
      data: { a: 1 },
      metadata: { traceId: 't', authorization: 'Bearer tok' },
    });
  });

  it('asks a token function for every packet', () => {
    let current = 'one';
    const hook = bearerDispatchHook(() => current);
    const first: DispatchedPacket = { pattern: 'p', data: 1 };
    hook(first);
    current = 'two';
    const second: DispatchedPacket = { pattern: 'p', data: 1 };
    hook(second);
    expect([first.metadata?.authorization, second.metadata?.authorization]).toEqual([
      'Bearer one',
      'Bearer two',
    ]);
  });
});
