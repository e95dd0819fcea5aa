// X-Forwarded-* headers are believed only from the peers OPAL_TRUST_PROXY names (default: loopback).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import type { Context } from '../../src/context.ts';
import { createMetrics } from '../../src/http/metrics.ts';
import { createSiteServer } from '../../src/http/site-server.ts';

async function seen(trustProxy: string | undefined): Promise<{ ip: string; protocol: string }> {
  const config = loadConfig(
    trustProxy === undefined ? { OPAL_LOG_LEVEL: 'silent' } : { OPAL_LOG_LEVEL: 'silent', OPAL_TRUST_PROXY: trustProxy },
  );
  // Only the configuration is read by the plumbing under test.
  const app = createSiteServer({ site: 'fds', ctx: { config } as Context, metrics: createMetrics(), ready: () => true, logger: false });
  app.get('/whoami', async (req) => ({ ip: req.ip, protocol: req.protocol }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const r = await fetch(`http://127.0.0.1:${port}/whoami`, {
      headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' },
    });
    return (await r.json()) as { ip: string; protocol: string };
  } finally {
    await app.close();
  }
}

describe('trusted proxies', () => {
  it('trusts a loopback proxy by default', async () => {
    assert.deepEqual(await seen(undefined), { ip: '203.0.113.7', protocol: 'https' });
  });

  it('ignores forwarded headers from peers outside the trusted list', async () => {
    assert.deepEqual(await seen('10.0.0.0/8'), { ip: '127.0.0.1', protocol: 'http' });
    assert.deepEqual(await seen('false'), { ip: '127.0.0.1', protocol: 'http' });
  });

  it('accepts true and address lists', async () => {
    assert.deepEqual(await seen('true'), { ip: '203.0.113.7', protocol: 'https' });
    assert.deepEqual(await seen('10.0.0.0/8, 127.0.0.1'), { ip: '203.0.113.7', protocol: 'https' });
  });
});
