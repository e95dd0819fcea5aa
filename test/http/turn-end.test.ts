// Answers held to the end of the event loop's turn (src/http/turn-end.ts), alone and in the
// onSend hook every answer of a site server passes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import type { Context } from '../../src/context.ts';
import { createMetrics } from '../../src/http/metrics.ts';
import { createSiteServer } from '../../src/http/site-server.ts';
import { turnEnd } from '../../src/http/turn-end.ts';

describe('turnEnd', () => {
  it("resolves after the turn's callbacks and microtasks, one promise for the turn, waiters in order", async () => {
    const ran: string[] = [];
    const first = turnEnd();
    assert.equal(turnEnd(), first, 'one promise for everything that waits in this turn');
    void first.then(() => ran.push('a'));
    void turnEnd().then(() => ran.push('b'));
    await Promise.resolve();
    ran.push('microtask');
    await new Promise<void>((resolve) => process.nextTick(resolve));
    ran.push('next tick');
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.deepEqual(ran, ['microtask', 'next tick', 'a', 'b']);
  });

  it("what begins to wait while the turn's waiters run waits for the next turn, and is not lost", async () => {
    const ran: string[] = [];
    const first = turnEnd();
    void first.then(() => {
      ran.push('first');
      const next = turnEnd();
      assert.notEqual(next, first);
      void next.then(() => ran.push('second'));
    });
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.deepEqual(ran, ['first']);
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.deepEqual(ran, ['first', 'second']);
  });
});

/** An account-origin app (only its configuration is read) with one extra route, listening. */
async function withApp(route: (app: FastifyInstance) => void, ready: () => boolean, f: (base: string) => Promise<void>): Promise<void> {
  const config = loadConfig({ OPAL_LOG_LEVEL: 'silent' });
  const app = createSiteServer({ site: 'account', ctx: { config } as Context, metrics: createMetrics(), ready, logger: false });
  route(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const addr = app.server.address();
    await f(`http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`);
  } finally {
    await app.close();
  }
}

describe('answers held to the end of the turn, through a site server', () => {
  it('a write that fails when it goes out is an error answer, and the server goes on', async () => {
    await withApp(
      (app) =>
        app.get('/bad-header', async (_req, reply) => {
          reply.header('x-bad', 'line\r\nbreak');
          return 'never sent';
        }),
      () => true,
      async (base) => {
        const r = await fetch(`${base}/bad-header`);
        assert.equal(r.status, 500);
        await r.arrayBuffer();
        assert.equal((await fetch(`${base}/healthz`)).status, 200);
      },
    );
  });

  it('an answer that goes out after shutdown began closes its connection', async () => {
    let ready = true;
    await withApp(
      (app) =>
        app.get('/late', async () => {
          // Shutdown begins after the answer is ready and before it goes out: this immediate
          // runs before the turn's held answers are released.
          setImmediate(() => {
            ready = false;
          });
          return 'ok';
        }),
      () => ready,
      async (base) => {
        const r = await fetch(`${base}/late`);
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('connection'), 'close');
        await r.text();
      },
    );
  });
});
