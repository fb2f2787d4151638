import { type KeyObject, sign } from 'node:crypto';

import type { JwtAlgorithm } from '../interfaces/jwt-algorithm';
import { JWS_ALGORITHMS } from '../jws-algorithms';

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * A compact JWS of exactly this header and payload (nothing added or checked), signed with the
 * private key as `alg` requires: what the testing helpers and the library's own tests mint tokens
 * with, hostile ones included.
 */
export function signJws(
  privateKey: KeyObject,
  alg: JwtAlgorithm,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): string {
  const input = `${encode(header)}.${encode(payload)}`;
  const params = JWS_ALGORITHMS[alg];
  const signature = sign(params.digest, Buffer.from(input), {
    key: privateKey,
    dsaEncoding: params.dsaEncoding,
    padding: params.padding,
    saltLength: params.saltLength,
  });
  return `${input}.${signature.toString('base64url')}`;
}
