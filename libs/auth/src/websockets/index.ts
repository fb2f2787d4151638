export { AuthIoAdapter } from './auth-io.adapter';
export { AuthWsAdapter } from './auth-ws.adapter';
export type { SocketAuthOptions } from './socket-authenticator';
