import type { AuthModuleOptions, KeySource, VerificationKey } from '../src';
import { resolveAuthOptions, TokenVerifier, VerifiedTokenCache } from '../src';
import { createKeySource } from '../src/key-source.factory';
import { FakeClock } from './verifier-harness';

/** A key source whose keys a test adds and removes by `kid`, counting lookups. */
export class MapKeySource implements KeySource {
  readonly keys = new Map<string, VerificationKey>();
  lookups = 0;

  async getKey(kid: string): Promise<VerificationKey | undefined> {
    this.lookups += 1;
    return this.keys.get(kid);
  }

  peekKey(kid: string): VerificationKey | undefined {
    this.lookups += 1;
    return this.keys.get(kid);
  }

  hasKey(kid: string): boolean {
    return this.keys.has(kid);
  }
}

/** A TokenVerifier wired exactly as AuthModule wires it, from module options, on a fake clock. */
export function createModuleVerifier(
  options: AuthModuleOptions,
  clock = new FakeClock(),
): { verifier: TokenVerifier; cache: VerifiedTokenCache; clock: FakeClock } {
  const resolved = resolveAuthOptions({ clock, ...options });
  const primary = createKeySource(resolved.keySource, resolved.algorithms, resolved.clock);
  const cache = new VerifiedTokenCache(resolved.cacheMaxEntries, primary, resolved.clock);
  return { verifier: new TokenVerifier(resolved, primary, cache), cache, clock };
}
