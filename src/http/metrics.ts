// Prometheus metrics for one process: default Node metrics plus request counts and durations.
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  requestDuration: Histogram<'site' | 'method' | 'route' | 'status'>;
  requests: Counter<'site' | 'method' | 'route' | 'status'>;
  /** Counts one answered request and observes its duration (seconds). */
  observeRequest(site: string, method: string, route: string, status: number, seconds: number): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'opal_' });
  const labelNames = ['site', 'method', 'route', 'status'] as const;
  const requestDuration = new Histogram({
    name: 'opal_http_request_duration_seconds',
    help: 'HTTP request duration by site, method, route pattern and status',
    labelNames,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'opal_http_requests_total',
    help: 'HTTP requests by site, method, route pattern and status',
    labelNames,
    registers: [registry],
  });
  return {
    registry,
    requestDuration,
    requests,
    observeRequest(site, method, route, status, seconds) {
      const labels = { site, method, route, status: String(status) };
      requests.inc(labels);
      requestDuration.observe(labels, seconds);
    },
  };
}
