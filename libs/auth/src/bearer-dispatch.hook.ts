/** What `ClientProxy.setOnDispatchHook` hands its hook: `@nestjs/microservices`' `ReadPacket`. */
export interface DispatchedPacket {
  pattern: unknown;
  data: unknown;
  metadata?: Record<string, string>;
}

/**
 * A `ClientProxy.setOnDispatchHook` hook that sends `Bearer <token>` as the packet metadata
 * `authorization` of every request and event, which the library's guards read on TCP and Redis
 * (`TcpContext.getMetadata()`, `RedisContext.getMetadata()`). `token` is asked for each packet,
 * so one client can follow a rotating service token. The payload is left as it is.
 *
 * @example
 * ```ts
 * const client = ClientProxyFactory.create({ transport: Transport.TCP, options: { port } });
 * client.setOnDispatchHook(bearerDispatchHook(() => tokens.current()));
 * await firstValueFrom(client.send('articles.list', {}));
 * ```
 */
export function bearerDispatchHook(
  token: string | (() => string),
): (packet: DispatchedPacket) => void {
  return (packet) => {
    const value = typeof token === 'function' ? token() : token;
    packet.metadata = { ...packet.metadata, authorization: `Bearer ${value}` };
  };
}
