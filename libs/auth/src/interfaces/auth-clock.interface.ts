/** Source of the current time, injectable so that expiry can be tested without waiting. */
export interface AuthClock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The real clock. */
export const systemClock: AuthClock = { now: () => Date.now() };
