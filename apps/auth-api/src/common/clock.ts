import { type AuthClock, systemClock } from '@jwt-token/auth';

/** Injection token of the app's clock: the same one the auth library reads, so tests can move time. */
export const CLOCK = Symbol('auth-api:clock');
export type Clock = AuthClock;
export { systemClock };
