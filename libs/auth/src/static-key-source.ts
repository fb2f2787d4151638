import type { StaticPublicKey } from './interfaces/auth-module-options.interface';
import type { JwtAlgorithm } from './interfaces/jwt-algorithm';
import type { KeySource, VerificationKey } from './interfaces/key-source.interface';
import { createVerificationKey } from './verification-key.factory';

/** Verification keys given in the options, parsed once at start. */
export class StaticKeySource implements KeySource {
  private readonly keys = new Map<string, VerificationKey>();

  constructor(keys: readonly StaticPublicKey[], allowed: ReadonlySet<JwtAlgorithm>) {
    for (const { kid, key, alg } of keys) {
      if (typeof kid !== 'string' || kid.length === 0) {
        throw new Error('@jwt-token/auth: invalid options: every public key needs a kid');
      }
      const parsed = createVerificationKey(kid, key, allowed, alg);
      if (!parsed) {
        throw new Error(
          `@jwt-token/auth: invalid options: key ${kid} cannot verify any allowed algorithm`,
        );
      }
      this.keys.set(kid, parsed);
    }
  }

  async getKey(kid: string): Promise<VerificationKey | undefined> {
    return this.keys.get(kid);
  }

  peekKey(kid: string): VerificationKey | undefined {
    return this.keys.get(kid);
  }

  hasKey(kid: string): boolean {
    return this.keys.has(kid);
  }
}
