// `@jwt-token/auth/socket.io`: loads socket.io's Nest adapter, and nothing of `ws`'s.
export { AuthIoAdapter } from '../websockets/auth-io.adapter';
export type { SocketAuthOptions } from '../websockets/socket-authenticator';
