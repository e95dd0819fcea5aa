// The request metrics: each answered request is one histogram observation, and the request
// counter is the histogram's `_count` series, the same labels and values, when /metrics is read.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMetrics } from '../../src/http/metrics.ts';

/** The samples of `name` in Prometheus text, `{labels} value` per line. */
function samples(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`))
    .map((l) => l.slice(name.length))
    .sort();
}

describe('request metrics', () => {
  test("opal_http_requests_total equals the duration histogram's counts, label for label", async () => {
    const m = createMetrics();
    for (let i = 0; i < 3; i++) m.observeRequest('account', 'GET', '/user/profile', 200, 0.002);
    m.observeRequest('account', 'GET', '/user/profile', 401, 0.001);
    m.observeRequest('fds', 'PUT', '/:bucket/*', 200, 0.03);
    const text = await m.registry.metrics();
    const counts = samples(text, 'opal_http_request_duration_seconds_count');
    assert.deepEqual(samples(text, 'opal_http_requests_total'), counts);
    assert.deepEqual(counts, [
      '{site="account",method="GET",route="/user/profile",status="200"} 3',
      '{site="account",method="GET",route="/user/profile",status="401"} 1',
      '{site="fds",method="PUT",route="/:bucket/*",status="200"} 1',
    ]);
    assert.match(text, /# TYPE opal_http_requests_total counter/);
  });

  test('before any request: the counter is declared, with no samples', async () => {
    const text = await createMetrics().registry.metrics();
    assert.match(text, /# HELP opal_http_requests_total HTTP requests by site, method, route pattern and status/);
    assert.match(text, /# TYPE opal_http_requests_total counter/);
    assert.deepEqual(samples(text, 'opal_http_requests_total'), []);
  });

  test('two reads at once, and reads after more requests, count each request once', async () => {
    const m = createMetrics();
    m.observeRequest('account', 'GET', '/healthz', 200, 0.001);
    const [a, b] = await Promise.all([m.registry.metrics(), m.registry.metrics()]);
    for (const t of [a, b])
      assert.deepEqual(samples(t, 'opal_http_requests_total'), ['{site="account",method="GET",route="/healthz",status="200"} 1']);
    m.observeRequest('account', 'GET', '/healthz', 200, 0.001);
    assert.deepEqual(samples(await m.registry.metrics(), 'opal_http_requests_total'), [
      '{site="account",method="GET",route="/healthz",status="200"} 2',
    ]);
  });
});
