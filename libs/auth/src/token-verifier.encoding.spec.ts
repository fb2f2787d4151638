import * as jose from 'jose';

import { b64url, codeOf, createVerifier, type VerifierHarness } from '../test/verifier-harness';
import { TokenVerifier } from './token-verifier';

describe(`${TokenVerifier.name} encoding and size`, () => {
  let h: VerifierHarness;
  const header = () => ({ alg: 'ES256', typ: 'at+jwt', kid: h.keys.signingKey.kid });
  const refuse = (token: string) => codeOf(h.verifier.verify(token));

  beforeEach(() => {
    h = createVerifier();
  });

  const valid = () => h.sign().split('.');
  it.each<[string, (parts: string[]) => string]>([
    ['two parts', ([a, b]) => `${a}.${b}`],
    ['four parts', ([a, b, c]) => `${a}.${b}.${c}.${c}`],
    ['an empty header', ([, b, c]) => `.${b}.${c}`],
    ['an empty payload', ([a, , c]) => `${a}..${c}`],
    ['an empty signature', ([a, b]) => `${a}.${b}.`],
    ['only dots', () => '..'],
    ['the empty string', () => ''],
    ['standard base64 characters', ([a, b, c]) => `${a}.${b}.${c.slice(0, -2)}+/`],
    ['base64 padding', ([a, b, c]) => `${a}.${b}.${c}==`],
    ['whitespace', ([a, b, c]) => `${a}.${b}.${c} `],
    ['a header that is not JSON', ([, b, c]) => `${b64url('{"alg":')}.${b}.${c}`],
    ['a header that is a JSON array', ([, b, c]) => `${b64url('[]')}.${b}.${c}`],
    ['a header that is JSON null', ([, b, c]) => `${b64url('null')}.${b}.${c}`],
    ['a header that is a JSON number', ([, b, c]) => `${b64url('42')}.${b}.${c}`],
    ['a header that is a JSON string', ([, b, c]) => `${b64url('"ES256"')}.${b}.${c}`],
  ])('refuses a token with %s as malformed', async (_, build) => {
    expect(await refuse(build(valid()))).toBe('ERR_TOKEN_MALFORMED');
  });

  it('refuses other spellings of the same bytes (non-zero unused bits in the last character)', async () => {
    const [a, b, c] = valid();
    // An ES256 signature is 64 bytes: its last character carries 2 bits of data and 4 unused ones.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const start = alphabet.indexOf(c.at(-1)!);
    const aliases = [...alphabet.slice(start + 1, start + 16)].map(
      (last) => `${a}.${b}.${c.slice(0, -1)}${last}`,
    );
    expect(aliases).toHaveLength(15);
    for (const alias of aliases)
      expect(Buffer.from(alias.split('.')[2], 'base64url')).toEqual(Buffer.from(c, 'base64url'));
    for (const alias of aliases) expect(await refuse(alias)).toBe('ERR_TOKEN_MALFORMED');
    expect(await refuse(`${a}.${b}.${c}AAA`)).toBe('ERR_TOKEN_MALFORMED');
  });

  it('refuses a non-string token as malformed', async () => {
    expect(await refuse(undefined as unknown as string)).toBe('ERR_TOKEN_MALFORMED');
  });

  it.each([
    ['not JSON', 'not json'],
    ['a JSON array', '["sub"]'],
    ['JSON null', 'null'],
  ])('refuses a correctly signed payload that is %s', async (_, payload) => {
    const token = await new jose.CompactSign(new TextEncoder().encode(payload))
      .setProtectedHeader(header())
      .sign(h.keys.signingKey.privateKey);
    expect(await refuse(token)).toBe('ERR_TOKEN_MALFORMED');
  });

  describe('size', () => {
    it('refuses a token over maxTokenBytes (default 8192) without looking up a key', async () => {
      let pad = 5000;
      while (h.sign({ pad: 'x'.repeat(pad + 1) }).length <= 8192) pad += 1;
      const fits = h.sign({ pad: 'x'.repeat(pad) });
      const over = h.sign({ pad: 'x'.repeat(pad + 1) });
      expect(await refuse(over)).toBe('ERR_TOKEN_TOO_LARGE');
      expect(await refuse('a'.repeat(10_000))).toBe('ERR_TOKEN_TOO_LARGE');
      expect(h.source.getKeyCalls).toBe(0);
      expect(fits.length).toBeGreaterThan(8180);
      await expect(h.verifier.verify(fits)).resolves.toBeDefined();
    });

    it('honours a smaller maxTokenBytes', async () => {
      h = createVerifier({ maxTokenBytes: 100 });
      expect(await refuse(h.sign())).toBe('ERR_TOKEN_TOO_LARGE');
    });
  });
});
