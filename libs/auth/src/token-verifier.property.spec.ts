import fc from 'fast-check';

import { NEIGHBOUR_ISSUER, NEIGHBOUR_KEY, neighbourIssuers } from '../test/neighbour-issuers';
import { AUDIENCE, createVerifier, ISSUER } from '../test/verifier-harness';
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

describe.each([
  ['one issuer', {}],
  ['several issuers', { issuers: neighbourIssuers(AUDIENCE) }],
])(`${TokenVerifier.name} properties, %s`, (_, options) => {
  const h = createVerifier(options);
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

describe(`${TokenVerifier.name} properties across issuers`, () => {
  const h = createVerifier({ issuers: neighbourIssuers(AUDIENCE) });
  const ISSUERS = [ISSUER, NEIGHBOUR_ISSUER, 'http://127.0.0.1:9/realms/r', 'https://evil.test'];

  it("accepts a signature only under its own issuer's iss, whatever iss, typ and kid it claims", async () => {
    const signers = {
      trusted: (claims: Record<string, unknown>, header: Record<string, unknown>) =>
        h.sign(claims, { header }),
      neighbour: (claims: Record<string, unknown>, header: Record<string, unknown>) =>
        NEIGHBOUR_KEY.sign(
          { aud: AUDIENCE, sub: 'u1', iat: h.clock.seconds, exp: h.clock.seconds + 60, ...claims },
          header,
        ),
    };
    const owner = { trusted: ISSUER, neighbour: NEIGHBOUR_ISSUER };
    const cases = fc.record({
      signer: fc.constantFrom<'trusted' | 'neighbour'>('trusted', 'neighbour'),
      iss: fc.constantFrom(...ISSUERS),
      typ: fc.constantFrom('at+jwt', 'JWT', null),
      kid: fc.constantFrom<'own' | 'other'>('own', 'other'),
    });
    await fc.assert(
      fc.asyncProperty(cases, async ({ signer, iss, typ, kid }) => {
        const header: Record<string, unknown> = { typ };
        if (kid === 'other')
          header.kid = signer === 'trusted' ? NEIGHBOUR_KEY.kid : h.keys.signingKey.kid;
        const token = signers[signer]({ iss }, header);
        const shouldPass = iss === owner[signer] && typ === 'at+jwt' && kid === 'own';
        if (shouldPass) {
          expect((await h.verifier.verify(token)).issuer).toBe(iss);
        } else {
          expect(await refusal(() => h.verifier.verify(token))).toBeInstanceOf(AuthError);
        }
      }),
      { numRuns: 200 },
    );
  });
});
