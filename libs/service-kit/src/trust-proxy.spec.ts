import { Controller, Get, Module, Req } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ApiExceptionFilter } from './api-exception.filter';
import { ConfigError, EnvReader, readTrustProxy, type TrustProxy } from './env-reader';
import { createServiceApp } from './service-app';

const trustOf = (value: string | undefined) =>
  readTrustProxy(new EnvReader({ TRUST_PROXY: value }));

describe(readTrustProxy.name, () => {
  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['1', 1],
    ['10', 10],
    ['127.0.0.1', ['127.0.0.1']],
    ['10.0.0.0/8, 192.168.1.7 ,::1,fd00::/8', ['10.0.0.0/8', '192.168.1.7', '::1', 'fd00::/8']],
    ['loopback,uniquelocal', ['loopback', 'uniquelocal']],
  ])('reads %j as %j', (raw, expected) => {
    expect(trustOf(raw)).toEqual(expected);
  });

  it.each([
    ['true', /lets any client choose its own address/],
    ['0', /from 1 to 10/],
    ['11', /from 1 to 10/],
    ['10.0.0.0/33', /"10.0.0.0\/33" is not an IP address or CIDR range/],
    ['::1/129', /is not an IP address or CIDR range/],
    ['10.0.0.1/8/1', /is not an IP address or CIDR range/],
    ['proxy.internal', /"proxy.internal" is not an IP address/],
    ['10.0.0.1,,10.0.0.2', /"" is not an IP address/],
    ['*', /is not an IP address/],
  ])('refuses %j with a ConfigError naming TRUST_PROXY', (raw, message) => {
    expect(() => trustOf(raw)).toThrow(ConfigError);
    expect(() => trustOf(raw)).toThrow(/^TRUST_PROXY=/);
    expect(() => trustOf(raw)).toThrow(message);
  });
});

@Controller()
class WhoAmIController {
  @Get('ip')
  ip(@Req() request: FastifyRequest): { ip: string } {
    return { ip: request.ip };
  }
}

@Module({ controllers: [WhoAmIController], providers: [ApiExceptionFilter] })
class WhoAmIModule {}

/**
 * Over real sockets (Jest cannot load light-my-request's ESM `inject` here): every 127.x.y.z
 * address is the loopback on Linux, so a request can come from any "peer" it names.
 */
function getIp(port: number, peer: string, forwardedFor?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/ip',
        localAddress: peer,
        agent: false,
        headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve((JSON.parse(body) as { ip: string }).ip));
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const onLinux = process.platform === 'linux' ? describe : describe.skip;

onLinux('createServiceApp: the client address behind proxies (TRUST_PROXY)', () => {
  const apps: NestFastifyApplication[] = [];
  afterAll(() => Promise.all(apps.map((app) => app.close())));

  async function ipSeen(
    trustProxy: TrustProxy | undefined,
    peer: string,
    forwardedFor?: string,
  ): Promise<string> {
    const app = await createServiceApp(WhoAmIModule, {
      logger: false,
      ...(trustProxy === undefined ? {} : { trustProxy }),
    });
    apps.push(app);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    return getIp(port, peer, forwardedFor);
  }

  it('by default believes no header: a client cannot pick its address', async () => {
    expect(await ipSeen(undefined, '127.0.0.9', '203.0.113.7')).toBe('127.0.0.9');
    expect(await ipSeen(false, '127.0.0.1', '203.0.113.7')).toBe('127.0.0.1');
  });

  it('takes the address a listed proxy forwards, and only from that proxy', async () => {
    expect(await ipSeen(['127.0.0.1'], '127.0.0.1', '203.0.113.7')).toBe('203.0.113.7');
    expect(await ipSeen(['127.0.0.0/24'], '127.0.0.5', '203.0.113.7')).toBe('203.0.113.7');
    // Not one of ours: its header is the client's own claim.
    expect(await ipSeen(['127.0.0.1'], '127.0.0.9', '203.0.113.7')).toBe('127.0.0.9');
  });

  it('stops at the first untrusted hop: a client-written X-Forwarded-For prefix is not believed', async () => {
    // The client sent "X-Forwarded-For: 1.2.3.4"; our proxy appended the address it saw.
    expect(await ipSeen(['127.0.0.1'], '127.0.0.1', '1.2.3.4, 203.0.113.7')).toBe('203.0.113.7');
  });

  it('with a hop count, trusts exactly that many proxies in front', async () => {
    expect(await ipSeen(1, '127.0.0.1', '1.2.3.4, 203.0.113.7')).toBe('203.0.113.7');
    expect(await ipSeen(2, '127.0.0.1', '1.2.3.4, 203.0.113.7, 10.0.0.2')).toBe('203.0.113.7');
  });
});
