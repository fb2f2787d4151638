import { Injectable } from '@nestjs/common';

import { sharedCounter } from '@jwt-token/service-kit';

/** auth-api's own Prometheus counters (served at /metrics when METRICS_ENABLED=true). */
@Injectable()
export class AuthApiMetrics {
  private readonly logins = sharedCounter(
    'auth_logins_total',
    'Password logins by result (success, failure, locked)',
    ['result'],
  );
  private readonly tokens = sharedCounter(
    'auth_tokens_issued_total',
    'Access tokens issued by grant',
    ['grant'],
  );
  private readonly reuse = sharedCounter(
    'auth_refresh_reuse_detected_total',
    'Refresh tokens replayed after the reuse interval (session revoked)',
  );
  private readonly revoked = sharedCounter(
    'auth_sessions_revoked_total',
    'Sessions revoked by reason',
    ['reason'],
  );
  private readonly rotations = sharedCounter('auth_key_rotations_total', 'Signing key rotations');

  login(result: 'success' | 'failure' | 'locked'): void {
    this.logins.labels(result).inc();
  }

  tokenIssued(
    grant:
      | 'password'
      | 'refresh_token'
      | 'client_credentials'
      | 'authorization_code'
      | 'passkey'
      | 'mfa',
  ): void {
    this.tokens.labels(grant).inc();
  }

  refreshReuseDetected(): void {
    this.reuse.inc();
  }

  sessionsRevoked(reason: string, count: number): void {
    if (count > 0) this.revoked.labels(reason).inc(count);
  }

  keyRotated(): void {
    this.rotations.inc();
  }
}
