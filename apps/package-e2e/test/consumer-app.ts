import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { isolatedEnv } from './consumer-project';

// What the package suites share: the issuer they pretend to be (its key, its JWKS, its tokens)
// and the consumer app as a process announcing itself with one JSON line.

export const ISSUER = 'https://issuer.example.test';
export const AUDIENCE = 'orders-api';
const KID = 'package-e2e-1';

export const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
export const strangerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An RFC 9068 access token signed ES256 with `key`, under the JWKS's kid. */
export function accessToken(
  claims: Record<string, unknown>,
  key: KeyObject = signingKey.privateKey,
): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'ES256', typ: 'at+jwt', kid: KID };
  const payload = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
    client_id: 'web',
    scope: '',
    roles: ['user'],
    ...claims,
  };
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

export interface Ready {
  port: number;
  moduleSystem: string;
  resolved: Record<string, string>;
  testingExports: string[];
}

export interface RunningApp extends Ready {
  url: string;
  stop(): Promise<number | null>;
}

/** Starts `node <file>` in the temp app and waits for its one-line JSON "ready" report. */
export function startApp(appDir: string, file: string, jwksUri: string): Promise<RunningApp> {
  const child: ChildProcess = spawn(process.execPath, [file], {
    cwd: appDir,
    env: isolatedEnv({
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_JWKS_URI: jwksUri,
      NODE_ENV: 'production',
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not report ready in 30 s\n${stdout}\n${stderr}`));
    }, 30_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code} before it was ready\n${stdout}\n${stderr}`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{"ready":true'));
      if (!line) return;
      clearTimeout(timer);
      const ready = JSON.parse(line) as Ready;
      resolve({
        ...ready,
        url: `http://127.0.0.1:${ready.port}`,
        stop: async () => {
          child.kill('SIGTERM');
          const code = await exited;
          if (code !== 0) process.stderr.write(`${file} stderr:\n${stderr}\n`);
          return code;
        },
      });
    });
  });
}

export async function get(url: string, token?: string) {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    wwwAuthenticate: response.headers.get('www-authenticate'),
  };
}

export interface JwksServer {
  uri: string;
  /** How many times the JWKS was fetched so far. */
  requests(): number;
  close(): Promise<void>;
}

/** Serves the signing key's JWKS on 127.0.0.1, counting fetches. */
export async function startJwksServer(): Promise<JwksServer> {
  let requests = 0;
  const server = createServer((_, response) => {
    requests += 1;
    const jwk = signingKey.publicKey.export({ format: 'jwk' });
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ keys: [{ ...jwk, kid: KID, alg: 'ES256', use: 'sig' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    requests: () => requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
