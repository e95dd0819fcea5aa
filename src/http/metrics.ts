// Prometheus metrics for one process: default Node metrics plus request counts and durations.
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  /** Counts one answered request and observes its duration (seconds). */
  observeRequest(site: string, method: string, route: string, status: number, seconds: number): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'opal_' });
  const labelNames = ['site', 'method', 'route', 'status'] as const;
  const DURATION = 'opal_http_request_duration_seconds';
  const requestDuration = new Histogram({
    name: DURATION,
    help: 'HTTP request duration by site, method, route pattern and status',
    labelNames,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [registry],
  });
  // Each request is observed once, in the histogram; the counter is its `_count` series, copied
  // when /metrics is read. (observeRequest was 3 % of a `/user/profile` request; about half of that
  // was the counter's own update.)
  new Counter({
    name: 'opal_http_requests_total',
    help: 'HTTP requests by site, method, route pattern and status',
    labelNames,
    registers: [registry],
    async collect() {
      const { values } = await requestDuration.get();
      this.reset(); // from here on synchronous: two reads of /metrics at once cannot interleave
      for (const v of values) if (v.metricName === `${DURATION}_count`) this.inc(v.labels, v.value);
    },
  });
  return {
    registry,
    observeRequest(site, method, route, status, seconds) {
      requestDuration.observe({ site, method, route, status: String(status) }, seconds);
    },
  };
}
