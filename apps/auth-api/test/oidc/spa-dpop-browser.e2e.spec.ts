import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { Page } from 'playwright-core';

import { basic, createClient } from '../oauth-harness';
import { browserUnavailable, launchChromium } from './chromium';
import { type Provider, startProvider } from './oidc-harness';

const unavailable = browserUnavailable();
if (unavailable) console.warn(`SPA DPoP browser suite: SKIPPED, ${unavailable}.`);
const describeInBrowser = unavailable ? describe.skip : describe;

interface Answer {
  status: number;
  nonce: string | null;
  body: Record<string, unknown>;
}

/**
 * A single-page app on another origin calls the token endpoint with a DPoP proof, in Chromium:
 * the browser, not a test double, enforces CORS. The `DPoP` request header must pass the
 * preflight, and the `DPoP-Nonce` of the answer must be readable by the app's script, or a
 * browser client could never use DPoP (nor learn the nonce) at auth-api.
 */
describeInBrowser('DPoP from a single-page app on another origin, in Chromium', () => {
  let provider: Provider;
  let spa: Server;
  let spaOrigin: string;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;

  beforeAll(async () => {
    provider = await startProvider({ DPOP_NONCE_REQUIRED: 'true' });
    spa = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>spa</title>'),
    );
    await new Promise<void>((resolve) => spa.listen(0, '127.0.0.1', resolve));
    spaOrigin = `http://127.0.0.1:${(spa.address() as AddressInfo).port}`;
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    await page.goto(`${spaOrigin}/`);
  });
  afterAll(async () => {
    await chromium?.close();
    await new Promise((resolve) => spa?.close(resolve));
    await provider?.api.close();
  });

  /** The app's own fetch, from its origin: what the browser lets its script see. */
  const tokenRequest = (headers: Record<string, string>, body: string) =>
    page.evaluate(
      async ({ url, headers, body }) => {
        try {
          const res = await fetch(url, { method: 'POST', headers, body });
          return {
            status: res.status,
            nonce: res.headers.get('dpop-nonce'),
            body: (await res.json()) as Record<string, unknown>,
          };
        } catch (error) {
          return { status: 0, nonce: null, body: { fetch: String(error) } };
        }
      },
      { url: `${provider.issuer}/oauth/token`, headers, body },
    ) as Promise<Answer>;

  it('gets use_dpop_nonce with a readable DPoP-Nonce, then a DPoP-bound token', async () => {
    const service = await createClient(provider.api, ['stats:read'], 'spa backend');
    const keys = await generateKeyPair('ES256');
    const jwk = await exportJWK(keys.publicKey);
    const proof = (nonce?: string) =>
      new SignJWT({
        htm: 'POST',
        htu: `${provider.issuer}/oauth/token`,
        jti: randomUUID(),
        iat: Math.floor(Date.now() / 1000),
        ...(nonce ? { nonce } : {}),
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
        .sign(keys.privateKey);
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basic(service.clientId, service.secret),
    };
    const body = 'grant_type=client_credentials&scope=stats%3Aread';

    const first = await tokenRequest({ ...headers, dpop: await proof() }, body);
    expect(first).toEqual({
      status: 400,
      nonce: expect.stringMatching(/^[\w.-]{16,}$/),
      body: expect.objectContaining({ error: 'use_dpop_nonce' }),
    });
    const second = await tokenRequest(
      { ...headers, dpop: await proof(first.nonce as string) },
      body,
    );
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ token_type: 'DPoP', scope: 'stats:read' });
  });
});
