import { execFileSync } from 'node:child_process';

/** Debian's python3, where apt installs the independent oracles (pyotp, jwcrypto, Authlib). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/** Whether Debian's python3 imports every one of `modules`. */
export function debianPythonHas(...modules: string[]): boolean {
  try {
    execFileSync(DEBIAN_PYTHON, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the Debian package `packageName` gives Debian's python3 `modules`. `.ci/run` installs
 * the oracles and sets TEST_REQUIRE_ORACLES=1: there a missing one fails the suite, never skips it.
 */
export function requireDebianPython(packageName: string, ...modules: string[]): boolean {
  const available = debianPythonHas(...modules);
  if (!available && process.env.TEST_REQUIRE_ORACLES === '1')
    throw new Error(`${packageName} is required (TEST_REQUIRE_ORACLES=1)`);
  return available;
}
