import type { AuthErrorCode } from './auth.errors';

/** Outcome of one verification, as counted in `jwt_auth_verifications_total`. */
export type VerificationOutcome = 'verified' | 'cached' | 'rejected';

interface CounterChild {
  inc(): void;
}
interface PromCounter {
  labels(...values: string[]): CounterChild;
}

/** Name of the Prometheus counter the library maintains when prom-client is installed. */
export const VERIFICATIONS_METRIC = 'jwt_auth_verifications_total';

/**
 * Counts verifications by outcome and, for refusals, by error code, in prom-client's default
 * registry: every app that uses the library gets the figures on its `/metrics` without writing
 * any code. prom-client is an optional peer dependency; without it this does nothing.
 * Label children are created once per label set, so counting costs one increment per request.
 */
export class AuthMetrics {
  private readonly counter: PromCounter | null;
  private readonly children = new Map<string, CounterChild>();

  constructor() {
    this.counter = AuthMetrics.createCounter();
  }

  private static createCounter(): PromCounter | null {
    try {
      // Optional peer: resolved at run time so that apps without prom-client still work.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const prom = require('prom-client') as {
        register: { getSingleMetric(name: string): unknown };
        Counter: new (config: { name: string; help: string; labelNames: string[] }) => PromCounter;
      };
      const existing = prom.register.getSingleMetric(VERIFICATIONS_METRIC) as
        PromCounter | undefined;
      return (
        existing ??
        new prom.Counter({
          name: VERIFICATIONS_METRIC,
          help: 'Access-token verifications by outcome (verified, cached, rejected) and error code',
          labelNames: ['outcome', 'code'],
        })
      );
    } catch {
      return null;
    }
  }

  record(outcome: VerificationOutcome, code: AuthErrorCode | '' = ''): void {
    if (!this.counter) return;
    const key = `${outcome}:${code}`;
    let child = this.children.get(key);
    if (!child) {
      child = this.counter.labels(outcome, code);
      this.children.set(key, child);
    }
    child.inc();
  }
}
