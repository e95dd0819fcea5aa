// Slow clients cannot hold connections forever (issue 11, finding 6b): real sockets against both
// origins' servers. A request whose body trickles in past the request timeout, or whose headers
// never finish, is answered 408 and its connection closed; past OPAL_MAX_CONNECTIONS new
// connections are closed at once.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import type { Context } from '../../src/context.ts';
import { createMetrics } from '../../src/http/metrics.ts';
import { createSiteServer, type SiteName } from '../../src/http/site-server.ts';

const LIMITS = {
  OPAL_LOG_LEVEL: 'silent',
  OPAL_HEADERS_TIMEOUT_MS: '400',
  OPAL_REQUEST_TIMEOUT_MS: '800',
  OPAL_FDS_REQUEST_TIMEOUT_MS: '800',
  OPAL_MAX_CONNECTIONS: '3',
};

async function site(name: SiteName): Promise<{ app: FastifyInstance; port: number }> {
  // Only the configuration is read by the plumbing under test.
  const config = loadConfig(LIMITS);
  const app = createSiteServer({ site: name, ctx: { config } as Context, metrics: createMetrics(), ready: () => true, logger: false });
  app.post('/sink', async (req) => ({ got: String(req.body ?? '').length }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  return { app, port: typeof addr === 'object' && addr ? addr.port : 0 };
}

/** Every socket a test opened: destroyed before the server closes, which would wait for them. */
const sockets: Socket[] = [];
async function closeSite(app: FastifyInstance): Promise<void> {
  for (const s of sockets.splice(0)) s.destroy();
  await app.close();
}

/** An open socket, what the server sent on it, and whether the server closed it. */
async function open(port: number): Promise<{ s: Socket; received: () => string; closed: Promise<number> }> {
  const s = connect(port, '127.0.0.1');
  sockets.push(s);
  await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
  let data = '';
  s.setEncoding('utf8').on('data', (d: string) => {
    data += d;
  });
  s.on('error', () => undefined);
  const started = Date.now();
  const closed = new Promise<number>((resolve) => s.once('close', () => resolve(Date.now() - started)));
  return { s, received: () => data, closed };
}

/** Resolves with the time the server took to close, or fails after `ms`. */
async function closedWithin(closed: Promise<number>, ms: number): Promise<number> {
  const r = await Promise.race([closed, sleep(ms).then(() => -1)]);
  assert.notEqual(r, -1, `the connection was still open after ${ms} ms`);
  return r;
}

for (const name of ['account', 'fds'] as const) {
  describe(`connection limits on the ${name} origin`, () => {
    /** Sends `head`, then `chunk` every 100 ms until the server closes: what it answered. */
    async function trickle(head: string, chunk: string): Promise<string> {
      const { app, port } = await site(name);
      try {
        const c = await open(port);
        c.s.write(head);
        const drip = setInterval(() => c.s.writable && c.s.write(chunk), 100);
        try {
          await closedWithin(c.closed, 5000);
        } finally {
          clearInterval(drip);
        }
        return c.received();
      } finally {
        await closeSite(app);
      }
    }

    it('a body sent a byte at a time is cut off at the request timeout (408)', async () => {
      const head = 'POST /sink HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n';
      assert.match(await trickle(head, 'a'), /^HTTP\/1\.1 408/);
    });

    it('headers that never end are cut off at the headers timeout', async () => {
      assert.match(await trickle('GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n'), /^HTTP\/1\.1 408/);
    });

    it('past OPAL_MAX_CONNECTIONS a new connection is closed at once; the open ones still work', async () => {
      const { app, port } = await site(name);
      try {
        const held = await Promise.all([open(port), open(port), open(port)]);
        const extra = await open(port);
        await closedWithin(extra.closed, 2000);
        assert.equal(extra.received(), '');
        const first = held[0];
        assert.ok(first);
        first.s.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        await closedWithin(first.closed, 2000);
        assert.match(first.received(), /^HTTP\/1\.1 200/);
      } finally {
        await closeSite(app);
      }
    });
  });
}
