// 2. Signing micro-benchmark: the library's TokenService (through a minimal Nest application
// context, as an issuer runs it) against raw node:crypto ES256 sign of an equivalent token (the
// ceiling); @nestjs/jwt JwtService.sign with the same options, fast-jwt and jose for context.
//
//   node bench/sign.mjs [--quick]
import { randomUUID, sign as cryptoSign } from 'node:crypto';

import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { AuthModule, TokenService } from '@jwt-token/auth';
import { InMemoryKeyStore } from '@jwt-token/auth/testing';

import { formatTable, isMain, log, optionalRequire, parseOptions, row } from './lib/common.mjs';
import { measure } from './lib/micro.mjs';
import { libraryVerifier } from './verify.mjs';

const ISSUER = 'http://127.0.0.1:3000';
const AUDIENCE = 'resource-api';
const TTL = 900;

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function run(options = parseOptions()) {
  const keys = new InMemoryKeyStore('ES256');
  const { kid, privateKey } = keys.signingKey;
  const app = await NestFactory.createApplicationContext(
    AuthModule.forRoot({
      issuer: ISSUER,
      audience: AUDIENCE,
      keyStore: keys,
      accessTokenTtlSeconds: TTL,
      globalGuards: false,
    }),
    { logger: false },
  );
  try {
    const tokens = app.get(TokenService);
    // 2b: JwtService as most apps call it, with the key and options on every call.
    const jwtService = new JwtService({});
    const inputs = Array.from({ length: 1000 }, (_, i) => ({
      sub: `user-${i}`,
      clientId: 'web',
      roles: ['user'],
      scope: '',
      sessionId: randomUUID(),
    }));
    const n = inputs.length;
    const header = { alg: 'ES256', typ: 'at+jwt', kid };
    const claimsOf = (input) => {
      const iat = Math.floor(Date.now() / 1000);
      return {
        iss: ISSUER,
        sub: input.sub,
        aud: AUDIENCE,
        exp: iat + TTL,
        iat,
        jti: randomUUID(),
        client_id: input.clientId,
        scope: input.scope,
        roles: input.roles,
        sid: input.sessionId,
      };
    };
    // The ceiling: the same claims (a fresh jti each time), encoded, one crypto.sign.
    const raw = (input) => {
      const signingInput = `${b64(header)}.${b64(claimsOf(input))}`;
      const signature = cryptoSign('sha256', Buffer.from(signingInput), {
        key: privateKey,
        dsaEncoding: 'ieee-p1363',
      });
      return `${signingInput}.${signature.toString('base64url')}`;
    };
    const jwtOptions = {
      privateKey,
      algorithm: 'ES256',
      keyid: kid,
      header: { alg: 'ES256', typ: 'at+jwt', kid },
    };

    const contenders = {
      raw: { fn: (i) => raw(inputs[i % n]) },
      'TokenService.sign': { fn: (i) => tokens.sign(inputs[i % n]), async: true },
      'JwtService.sign': { fn: (i) => jwtService.sign(claimsOf(inputs[i % n]), jwtOptions) },
    };
    const fastJwt = optionalRequire('fast-jwt');
    if (fastJwt) {
      const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' });
      const fastSign = fastJwt.createSigner({
        key: privatePem,
        algorithm: 'ES256',
        kid,
        header: { typ: 'at+jwt' },
      });
      contenders['fast-jwt'] = { fn: (i) => fastSign(claimsOf(inputs[i % n])) };
    }
    const jose = await import('jose').catch(() => null);
    if (jose) {
      contenders['jose SignJWT'] = {
        fn: (i) =>
          new jose.SignJWT(claimsOf(inputs[i % n])).setProtectedHeader(header).sign(privateKey),
        async: true,
      };
    }

    // Every signer must produce a token the library accepts.
    const verifier = libraryVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      kid,
      publicJwk: keys.toJwks().keys[0],
      cacheEntries: 0,
    });
    for (const [name, { fn }] of Object.entries(contenders)) {
      let token = await fn(0);
      if (typeof token !== 'string') token = token.token;
      await verifier.verify(token).catch((error) => {
        throw new Error(`${name} made a token the verifier refuses: ${error.message}`);
      });
    }

    log(
      `sign: ${Object.keys(contenders).length} contenders, ${options.microRounds} rounds of ${options.microRoundMs} ms`,
    );
    const results = await measure(contenders, {
      rounds: options.microRounds,
      roundMs: options.microRoundMs,
    });
    const vsRaw = (id, name, key, target) =>
      results[key] &&
      row({
        id,
        group: 'sign',
        name,
        value: results[key].median,
        unit: '/s',
        refName: 'raw crypto.sign ES256',
        refValue: results.raw.median,
        target,
        rounds: results[key].rounds,
        refRounds: results.raw.rounds,
        paired: true,
      });
    const rows = [
      vsRaw('2a', 'TokenService.sign (Nest context)', 'TokenService.sign', {
        op: '>=',
        value: 0.7,
      }),
      vsRaw('2b', '@nestjs/jwt JwtService.sign, same options', 'JwtService.sign', null),
      vsRaw('2c', 'fast-jwt createSigner', 'fast-jwt', null),
      vsRaw('2d', 'jose SignJWT', 'jose SignJWT', null),
    ].filter(Boolean);
    return { rows, details: { results } };
  } finally {
    await app.close();
  }
}

if (isMain(import.meta.url)) {
  const { rows } = await run(parseOptions());
  console.log(formatTable(rows));
}
