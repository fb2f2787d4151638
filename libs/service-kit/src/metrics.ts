import { Controller, type DynamicModule, Get, Header, Module } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, register } from 'prom-client';

import { Public } from '@jwt-token/auth';

/** A counter in the default registry, created once even when several apps share the process (tests). */
export function sharedCounter<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): Counter<L> {
  return (
    (register.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames })
  );
}

function sharedHistogram(): Histogram<'method' | 'route' | 'status'> {
  const name = 'http_request_duration_seconds';
  return (
    (register.getSingleMetric(name) as Histogram<'method' | 'route' | 'status'> | undefined) ??
    new Histogram({
      name,
      help: 'HTTP request latency by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    })
  );
}

let defaultMetricsStarted = false;

/**
 * Observes every response's latency, labelled by the route PATTERN (`/users/:id`, never the
 * concrete URL, which would let a client create unbounded label values).
 */
export function observeHttpLatency(instance: FastifyInstance): void {
  if (!defaultMetricsStarted) {
    collectDefaultMetrics();
    defaultMetricsStarted = true;
  }
  const histogram = sharedHistogram();
  instance.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    histogram
      .labels(request.method, route, String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
    done();
  });
}

@Public()
@Controller('metrics')
class MetricsController {
  @Get()
  @Header('Content-Type', register.contentType)
  @Header('Cache-Control', 'no-store')
  metrics(): Promise<string> {
    return register.metrics();
  }
}

/**
 * `GET /metrics` in Prometheus text format, only when `enabled` (METRICS_ENABLED=true): figures
 * about an auth service are not for the public internet.
 */
@Module({})
export class MetricsModule {
  static forRoot(options: { enabled: boolean }): DynamicModule {
    return { module: MetricsModule, controllers: options.enabled ? [MetricsController] : [] };
  }
}
