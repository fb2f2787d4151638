import type { AddressInfo, Server } from 'node:net';

import type { INestApplication, INestMicroservice } from '@nestjs/common';
import {
  ClientProxyFactory,
  type ClientProxy,
  type MicroserviceOptions,
  NatsRecordBuilder,
  Transport,
} from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import * as nats from '@nats-io/transport-node';
import { firstValueFrom } from 'rxjs';

import { bearerDispatchHook } from '../../src';
import { AuthTestingModule, TestTokenFactory } from '../../src/testing';
import { ArticlesHandlers, ArticlesHttpController, pattern } from './articles.handlers';

/**
 * `headers()` of the NATS client: re-exported from `@nats-io/nats-core/internal`, a subpath export
 * the repository's `node10` module resolution cannot follow, so typed here.
 */
const natsHeaders = (nats as unknown as { headers(): { set(name: string, value: string): void } })
  .headers;

export type TransportName = 'tcp' | 'redis' | 'nats';

/** The transports to test: TCP always, a broker when its URL is set (`npm run test:transports`). */
export function transportsUnderTest(): TransportName[] {
  const names: TransportName[] = ['tcp'];
  if (process.env.TEST_REDIS_URL) names.push('redis');
  if (process.env.TEST_NATS_URL) names.push('nats');
  return names;
}

export interface MicroserviceTestApp {
  tokens: TestTokenFactory;
  /** `client.send(pattern(name), data)`, with `token` as a bearer in the transport's metadata. */
  send<T>(name: string, data: unknown, token?: string): Promise<T>;
  /** `client.emit(...)`, likewise. */
  emit(name: string, data: unknown, token?: string): Promise<void>;
  /** The HTTP server of a hybrid app. */
  httpServer?: Server;
  close(): Promise<void>;
}

function serverOptions(transport: TransportName): MicroserviceOptions {
  switch (transport) {
    case 'tcp':
      return { transport: Transport.TCP, options: { host: '127.0.0.1', port: 0 } };
    case 'redis': {
      const url = new URL(process.env.TEST_REDIS_URL ?? '');
      return {
        transport: Transport.REDIS,
        options: { host: url.hostname, port: Number(url.port) },
      };
    }
    case 'nats':
      return { transport: Transport.NATS, options: { servers: [process.env.TEST_NATS_URL ?? ''] } };
  }
}

/** The client's options: the server's, but on TCP the port the server was given. */
function clientOptions(transport: TransportName, server: Server | undefined) {
  const options = serverOptions(transport);
  if (transport !== 'tcp' || !server) return options;
  const { port } = server.address() as AddressInfo;
  return { transport: Transport.TCP, options: { host: '127.0.0.1', port } };
}

/**
 * The handlers behind AuthTestingModule on one transport, as a microservice or (hybrid) beside an
 * HTTP controller, and Nest's own ClientProxy to call them.
 */
export async function createMicroserviceTestApp(
  transport: TransportName,
  { hybrid }: { hybrid?: { inheritAppConfig: boolean } } = {},
): Promise<MicroserviceTestApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      AuthTestingModule.forRoot({ roleHierarchy: { admin: ['editor'], editor: ['user'] } }),
    ],
    controllers: hybrid ? [ArticlesHandlers, ArticlesHttpController] : [ArticlesHandlers],
  }).compile();
  let app: INestApplication | INestMicroservice;
  let microservice: INestMicroservice;
  let httpServer: Server | undefined;
  if (hybrid) {
    const httpApp = moduleRef.createNestApplication();
    microservice = httpApp.connectMicroservice<MicroserviceOptions>(
      serverOptions(transport),
      hybrid,
    );
    await httpApp.startAllMicroservices();
    await httpApp.listen(0, '127.0.0.1');
    httpServer = httpApp.getHttpServer() as Server;
    app = httpApp;
  } else {
    microservice = moduleRef.createNestMicroservice<MicroserviceOptions>(serverOptions(transport));
    await microservice.listen();
    app = microservice;
  }
  const tcpServer = transport === 'tcp' ? microservice.unwrap<Server>() : undefined;
  const clients = new Map<string, ClientProxy>();
  // NATS carries a bearer per message in its headers; TCP and Redis in the packet metadata, set
  // by a client's dispatch hook: one client per token there.
  const clientFor = (token: string | undefined): ClientProxy => {
    const key = transport === 'nats' ? '' : (token ?? '');
    const known = clients.get(key);
    if (known) return known;
    // The factory's union includes gRPC's proxy, which none of these transports builds.
    const client = ClientProxyFactory.create(
      clientOptions(transport, tcpServer) as never,
    ) as unknown as ClientProxy;
    if (token !== undefined && transport !== 'nats')
      client.setOnDispatchHook(bearerDispatchHook(token));
    clients.set(key, client);
    return client;
  };
  const payloadFor = (data: unknown, token: string | undefined): unknown => {
    if (transport !== 'nats' || token === undefined) return data;
    const headers = natsHeaders();
    headers.set('authorization', `Bearer ${token}`);
    return new NatsRecordBuilder(data).setHeaders(headers).build();
  };
  return {
    tokens: moduleRef.get(TestTokenFactory),
    httpServer,
    send: (name, data, token) =>
      firstValueFrom(clientFor(token).send(pattern(name), payloadFor(data, token))),
    emit: async (name, data, token) => {
      await firstValueFrom(clientFor(token).emit(pattern(name), payloadFor(data, token)), {
        defaultValue: undefined,
      });
    },
    close: async () => {
      await Promise.all([...clients.values()].map((client) => client.close()));
      await app.close();
    },
  };
}
