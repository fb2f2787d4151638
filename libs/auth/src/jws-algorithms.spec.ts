import {
  createSecretKey,
  generateKeyPairSync,
  type RSAPSSKeyPairKeyObjectOptions,
  sign,
} from 'node:crypto';

import { AUDIENCE, b64url, FakeClock, ISSUER } from '../test/verifier-harness';
import { algorithmsForKey, JWS_ALGORITHMS, publicJwkMembers, toPublicKey } from './jws-algorithms';
import { resolveAuthOptions } from './resolved-auth-options';
import { StaticKeySource } from './static-key-source';
import { TokenVerifier } from './token-verifier';
import { VerifiedTokenCache } from './verified-token.cache';

/** @types/node leaves `saltLength` out of the KeyObject overload; Node takes it (bytes). */
function rsaPssKeyPair(
  params: { hashAlgorithm?: string; mgf1HashAlgorithm?: string; saltLength?: number } = {},
) {
  return generateKeyPairSync('rsa-pss', {
    modulusLength: 2048,
    ...params,
  } as RSAPSSKeyPairKeyObjectOptions);
}

const PS256_PARAMS = { hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256', saltLength: 32 };
const publicKeyOf = (pair: { publicKey: import('node:crypto').KeyObject }) => pair.publicKey;

describe(algorithmsForKey.name, () => {
  it.each([
    ['P-256', publicKeyOf(generateKeyPairSync('ec', { namedCurve: 'P-256' })), ['ES256']],
    ['P-384', publicKeyOf(generateKeyPairSync('ec', { namedCurve: 'P-384' })), ['ES384']],
    ['secp256k1', publicKeyOf(generateKeyPairSync('ec', { namedCurve: 'secp256k1' })), []],
    [
      'RSA 2048',
      publicKeyOf(generateKeyPairSync('rsa', { modulusLength: 2048 })),
      ['RS256', 'PS256'],
    ],
    ['RSA 1024', publicKeyOf(generateKeyPairSync('rsa', { modulusLength: 1024 })), []],
    [
      'RSA-PSS 2048',
      publicKeyOf(generateKeyPairSync('rsa-pss', { modulusLength: 2048 })),
      ['PS256'],
    ],
    ['Ed25519', publicKeyOf(generateKeyPairSync('ed25519')), ['EdDSA']],
    ['Ed448', publicKeyOf(generateKeyPairSync('ed448')), []],
  ])('gives a %s key %p', (_, key, expected) => {
    expect(algorithmsForKey(key)).toEqual(expected);
  });

  it.each([
    ['SHA-512', { hashAlgorithm: 'sha512', mgf1HashAlgorithm: 'sha512', saltLength: 64 }],
    [
      'a 64-byte minimum salt',
      { hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256', saltLength: 64 },
    ],
    ['MGF1 with SHA-512', { hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha512', saltLength: 32 }],
  ])('gives nothing to an RSA-PSS key restricted to %s, which cannot verify PS256', (_, params) => {
    expect(algorithmsForKey(rsaPssKeyPair(params).publicKey)).toEqual([]);
  });

  it('gives PS256 to an RSA-PSS key restricted to the PS256 parameters', () => {
    const { publicKey } = rsaPssKeyPair(PS256_PARAMS);
    expect(algorithmsForKey(publicKey)).toEqual(['PS256']);
  });
});

describe('RSA-PSS static keys', () => {
  function verifierFor(pem: string): TokenVerifier {
    const clock = new FakeClock();
    const options = resolveAuthOptions({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['PS256'],
      publicKeys: [{ kid: 'pss', key: pem }],
      clock,
    });
    const source = new StaticKeySource([{ kid: 'pss', key: pem }], options.algorithms);
    return new TokenVerifier(options, source, new VerifiedTokenCache(10, source, clock));
  }

  it('refuses at start a key that would make every PS256 token throw instead of fail', () => {
    const { publicKey } = rsaPssKeyPair({ hashAlgorithm: 'sha512', saltLength: 64 });
    expect(() => verifierFor(publicKey.export({ format: 'pem', type: 'spki' }).toString())).toThrow(
      'key pss cannot verify any allowed algorithm',
    );
  });

  it('verifies PS256 tokens with a key restricted to the PS256 parameters', async () => {
    const { publicKey, privateKey } = rsaPssKeyPair(PS256_PARAMS);
    const verifier = verifierFor(publicKey.export({ format: 'pem', type: 'spki' }).toString());
    const now = Math.floor(Date.now() / 1000);
    const input = `${b64url({ alg: 'PS256', typ: 'at+jwt', kid: 'pss' })}.${b64url({ iss: ISSUER, aud: AUDIENCE, sub: 'u1', iat: now, exp: now + 60 })}`;
    const { digest, padding, saltLength } = JWS_ALGORITHMS.PS256;
    const signature = sign(digest, Buffer.from(input), { key: privateKey, padding, saltLength });
    await expect(
      verifier.verify(`${input}.${signature.toString('base64url')}`),
    ).resolves.toMatchObject({ sub: 'u1' });
  });
});

describe(toPublicKey.name, () => {
  it('reduces a private key to its public half', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(toPublicKey(privateKey).type).toBe('public');
    expect(toPublicKey(privateKey.export({ format: 'jwk' })).type).toBe('public');
  });

  it('refuses symmetric keys, as KeyObject or as JWK', () => {
    expect(() => toPublicKey(createSecretKey(Buffer.from('secret')))).toThrow('symmetric');
    expect(() => toPublicKey({ kty: 'oct', k: 'c2VjcmV0' })).toThrow('symmetric');
  });
});

describe(publicJwkMembers.name, () => {
  it('drops private and unknown members', () => {
    const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      format: 'jwk',
    });
    expect(Object.keys(publicJwkMembers({ ...jwk, kid: 'k', alg: 'RS256' })).sort()).toEqual([
      'e',
      'kty',
      'n',
    ]);
  });
});
