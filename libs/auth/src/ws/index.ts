// `@jwt-token/auth/ws`: loads `ws`'s Nest adapter, and nothing of socket.io's.
export { AuthWsAdapter } from '../websockets/auth-ws.adapter';
export type { SocketAuthOptions } from '../websockets/socket-authenticator';
