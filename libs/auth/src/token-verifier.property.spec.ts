import fc from 'fast-check';

import { createVerifier } from '../test/verifier-harness';
import { AuthError } from './auth.errors';
import { TokenVerifier } from './token-verifier';

const BASE64URL_AND_MORE = [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ %\u00e9\u0000',
];

/** Resolves with the error a refused token produced; fails the property if the token verified. */
async function refusal(verify: () => Promise<unknown>): Promise<unknown> {
  try {
    await verify();
  } catch (error) {
    return error;
  }
  throw new Error('token verified');
}

describe(`${TokenVerifier.name} properties`, () => {
  const h = createVerifier();
  const valid = h.sign({ sub: 'u1', roles: ['user'], scope: 'a b' });

  it('refuses arbitrary strings, only ever with an AuthError', async () => {
    const junk = fc.oneof(
      fc.string({ maxLength: 400 }),
      fc.string({ unit: fc.constantFrom(...BASE64URL_AND_MORE), maxLength: 400 }),
      fc
        .array(fc.base64String({ maxLength: 120 }), { minLength: 1, maxLength: 5 })
        .map((parts) => parts.join('.')),
    );
    await fc.assert(
      fc.asyncProperty(junk, async (token) => {
        expect(await refusal(() => h.verifier.verify(token))).toBeInstanceOf(AuthError);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses every single-character change of a valid token, only ever with an AuthError', async () => {
    await expect(h.verifier.verify(valid)).resolves.toBeDefined();
    const mutation = fc
      .record({
        index: fc.nat({ max: valid.length - 1 }),
        char: fc.constantFrom(...BASE64URL_AND_MORE),
      })
      .filter(({ index, char }) => valid[index] !== char);
    await fc.assert(
      fc.asyncProperty(mutation, async ({ index, char }) => {
        const mutated = `${valid.slice(0, index)}${char}${valid.slice(index + 1)}`;
        expect(await refusal(() => h.verifier.verify(mutated))).toBeInstanceOf(AuthError);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses every single-character change at the end of a segment, where spellings can collide', async () => {
    const ends = [...valid.matchAll(/[^.](?=\.|$)/g)].map((m) => m.index);
    const mutation = fc
      .record({ index: fc.constantFrom(...ends), char: fc.constantFrom(...BASE64URL_AND_MORE) })
      .filter(({ index, char }) => valid[index] !== char);
    await fc.assert(
      fc.asyncProperty(mutation, async ({ index, char }) => {
        const mutated = `${valid.slice(0, index)}${char}${valid.slice(index + 1)}`;
        expect(await refusal(() => h.verifier.verify(mutated))).toBeInstanceOf(AuthError);
      }),
      { numRuns: 300 },
    );
  });
});
