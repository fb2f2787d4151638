import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import { DEBIAN_PYTHON, debianPythonHas } from '../debian-python';
import type { TestAuthApi } from '../harness';

/**
 * TOTP codes from implementations that are not ours: Debian's `oathtool` (C, liboath) and
 * `python3-pyotp`. `.ci/run` installs both and sets TEST_REQUIRE_ORACLES=1, so in CI a missing
 * oracle fails instead of skipping.
 */
const OATHTOOL = '/usr/bin/oathtool';

export function oraclesUnavailable(): string | null {
  let reason: string | null = null;
  if (!existsSync(OATHTOOL)) reason = 'no oathtool (apt-get install oathtool)';
  else if (!debianPythonHas('pyotp')) reason = 'no pyotp (apt-get install python3-pyotp)';
  if (reason && process.env.TEST_REQUIRE_ORACLES === '1')
    throw new Error(`TOTP oracle suite: ${reason}, and TEST_REQUIRE_ORACLES=1`);
  return reason;
}

/** The code oathtool computes for a base32 secret at `unixMs`. */
export function oathtoolCode(secret: string, unixMs: number): string {
  const at = `@${Math.floor(unixMs / 1000)}`;
  return execFileSync(OATHTOOL, ['--totp', '--base32', secret, '--now', at], {
    encoding: 'utf8',
  }).trim();
}

/** The code pyotp computes from the provisioning URI itself (so the URI is checked too). */
export function pyotpCode(otpauthUri: string, unixMs: number): string {
  const script = 'import sys, pyotp; print(pyotp.parse_uri(sys.argv[1]).at(int(sys.argv[2])))';
  return execFileSync(
    DEBIAN_PYTHON,
    ['-c', script, otpauthUri, String(Math.floor(unixMs / 1000))],
    { encoding: 'utf8' },
  ).trim();
}

/** Sets up TOTP for the signed-in user; returns the secret, the URI and the recovery codes. */
export async function enrolTotp(api: TestAuthApi, accessToken: string) {
  const begun = await api.http().post('/auth/mfa/totp').auth(accessToken, { type: 'bearer' });
  expect(begun.status).toBe(201);
  const { secret, otpauth_uri: uri } = begun.body as { secret: string; otpauth_uri: string };
  const confirmed = await api
    .http()
    .post('/auth/mfa/totp/confirm')
    .auth(accessToken, { type: 'bearer' })
    .send({ code: oathtoolCode(secret, api.clock.now()) });
  expect(confirmed.status).toBe(200);
  // The next code must come from a later step: the confirmation spent this one.
  api.clock.advance(30_000);
  return { secret, uri, recoveryCodes: confirmed.body.recovery_codes as string[] };
}
