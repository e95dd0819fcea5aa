// Prometheus metrics for one process: default Node metrics plus request counts and durations.
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  requestDuration: Histogram<'site' | 'method' | 'route' | 'status'>;
  requests: Counter<'site' | 'method' | 'route' | 'status'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'opal_' });
  const labelNames = ['site', 'method', 'route', 'status'] as const;
  return {
    registry,
    requestDuration: new Histogram({
      name: 'opal_http_request_duration_seconds',
      help: 'HTTP request duration by site, method, route pattern and status',
      labelNames,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
      registers: [registry],
    }),
    requests: new Counter({
      name: 'opal_http_requests_total',
      help: 'HTTP requests by site, method, route pattern and status',
      labelNames,
      registers: [registry],
    }),
  };
}
