import {
  codeOf,
  createVerifier,
  tamperPayload,
  type VerifierHarness,
} from '../test/verifier-harness';
import { TokenVerifier } from './token-verifier';

/**
 * TokenVerifier remembers header segments that passed the header rules, by their exact text, so
 * that one issuer's tokens (which share a header per key) skip decoding it. Nothing else about a
 * token may be taken on trust because its header was seen before.
 */
describe(`${TokenVerifier.name}: remembered headers`, () => {
  let h: VerifierHarness;
  const refuse = (token: string) => codeOf(h.verifier.verify(token));
  const rememberedCount = () => h.verifier['checkedHeaders'].size;
  /** The same bytes spelled differently: the unused low bits of a segment's last character set. */
  const respell = (segment: string) => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(segment[segment.length - 1]);
    return segment.slice(0, -1) + alphabet[last | 1];
  };

  beforeEach(() => {
    // Cache off: every call below is a full verification.
    h = createVerifier({ verifiedTokenCache: false });
  });

  it('holds a token with a remembered header to every other rule', async () => {
    await expect(h.verifier.verify(h.sign({ sub: 'alice' }))).resolves.toMatchObject({
      sub: 'alice',
    });
    expect(rememberedCount()).toBe(1);

    const good = h.sign({ sub: 'bob' });
    const [header, payload, signature] = good.split('.');
    expect(await refuse(tamperPayload(good, (claims) => (claims.sub = 'admin')))).toBe(
      'ERR_SIGNATURE_INVALID',
    );
    expect(await refuse(`${header}.${payload}.${respell(signature)}`)).toBe('ERR_TOKEN_MALFORMED');
    expect(await refuse(`${header}.${payload}!.${signature}`)).toBe('ERR_TOKEN_MALFORMED');
    expect(await refuse(`${header}.${payload}`)).toBe('ERR_TOKEN_MALFORMED');
    expect(await refuse(h.sign({ exp: h.clock.seconds - 3600 }))).toBe('ERR_TOKEN_EXPIRED');
    expect(await refuse(h.sign({ iss: 'http://evil.test' }))).toBe('ERR_ISSUER_INVALID');
    await expect(h.verifier.verify(good)).resolves.toMatchObject({ sub: 'bob' });
  });

  it('refuses another spelling of a remembered header', async () => {
    const good = h.sign();
    await h.verifier.verify(good);
    const [header, ...rest] = good.split('.');
    const respelled = [respell(header), ...rest].join('.');
    expect(respelled).not.toBe(good);
    expect(await refuse(respelled)).toBe('ERR_TOKEN_MALFORMED');
  });

  it('refuses a refused header every time, and never remembers it', async () => {
    for (let i = 0; i < 3; i++) {
      expect(await refuse(h.sign({}, { header: { typ: 'JWT' } }))).toBe('ERR_TYP_INVALID');
      expect(await refuse(h.sign({}, { header: { jwk: { kty: 'EC' } } }))).toBe(
        'ERR_HEADER_FORBIDDEN',
      );
      expect(await refuse(h.sign({}, { header: { crit: ['exp'] } }))).toBe('ERR_CRIT_UNSUPPORTED');
    }
    expect(rememberedCount()).toBe(0);
  });

  it('keeps applying the header rules when clients send more headers than it remembers', async () => {
    const first = h.sign({}, { header: { n: 0 } });
    for (let n = 0; n < 100; n++) {
      await expect(
        h.verifier.verify(h.sign({ sub: `u${n}` }, { header: { n } })),
      ).resolves.toMatchObject({
        sub: `u${n}`,
      });
      expect(rememberedCount()).toBeLessThanOrEqual(32);
    }
    expect(await refuse(h.sign({}, { header: { typ: 'JWT', n: 1 } }))).toBe('ERR_TYP_INVALID');
    expect(await refuse(h.sign({}, { header: { kid: 'unknown-kid' } }))).toBe('ERR_KID_UNKNOWN');
    await expect(h.verifier.verify(first)).resolves.toMatchObject({ sub: 'test-user' });
  });

  it('checks a long header every time instead of remembering it', async () => {
    const padding = 'p'.repeat(600);
    const token = h.sign({}, { header: { padding } });
    for (let i = 0; i < 3; i++)
      await expect(h.verifier.verify(token)).resolves.toMatchObject({ sub: 'test-user' });
    expect(rememberedCount()).toBe(0);
    expect(await refuse(h.sign({}, { header: { padding, alg: 'HS256' } }))).toBe(
      'ERR_ALG_NOT_ALLOWED',
    );
  });
});
