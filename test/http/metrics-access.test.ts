// /metrics is not public (issue 11, finding 7): without OPAL_METRICS_TOKEN only clients on this
// machine read it; with it, a Bearer token is required, from anywhere. Both origins.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import type { Context } from '../../src/context.ts';
import { createMetrics } from '../../src/http/metrics.ts';
import { createSiteServer, type SiteName } from '../../src/http/site-server.ts';

const TOKEN = 'metrics-token-0123456789';
const REMOTE = { 'x-forwarded-for': '203.0.113.7' }; // through the trusted loopback proxy

async function withSite(name: SiteName, env: Record<string, string>, f: (url: string) => Promise<void>): Promise<void> {
  // Only the configuration is read by the plumbing under test.
  const config = loadConfig({ OPAL_LOG_LEVEL: 'silent', ...env });
  const app: FastifyInstance = createSiteServer({
    site: name,
    ctx: { config } as Context,
    metrics: createMetrics(),
    ready: () => true,
    logger: false,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const addr = app.server.address();
    await f(`http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/metrics`);
  } finally {
    await app.close();
  }
}

for (const name of ['account', 'fds'] as const) {
  describe(`/metrics on the ${name} origin`, () => {
    it('without a token: local clients only, 404 for others', async () => {
      await withSite(name, {}, async (url) => {
        assert.equal((await fetch(url, { headers: REMOTE })).status, 404);
        const local = await fetch(url);
        assert.equal(local.status, 200);
        assert.match(await local.text(), /opal_process_resident_memory_bytes/);
      });
    });

    it('with OPAL_METRICS_TOKEN: the Bearer token is required, from anywhere', async () => {
      await withSite(name, { OPAL_METRICS_TOKEN: TOKEN }, async (url) => {
        const none = await fetch(url);
        assert.equal(none.status, 401);
        assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
        assert.equal((await fetch(url, { headers: { authorization: `Bearer ${TOKEN}x` } })).status, 401);
        const ok = await fetch(url, { headers: { ...REMOTE, authorization: `Bearer ${TOKEN}` } });
        assert.equal(ok.status, 200);
        assert.match(await ok.text(), /opal_process_resident_memory_bytes/);
      });
    });
  });
}
