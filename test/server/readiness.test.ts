// /readyz tells a load balancer the truth: 503 from the moment a server is told to stop (SIGTERM)
// until its process exits, and 503 naming the store while the database or the cache cannot be
// reached, 200 again once it is back. Real child server, real PostgreSQL and Redis behind a TCP
// proxy the test cuts.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startChild } from '../helpers/child-server.ts';
import { PG_URL, REDIS_URL, startTestServer, type TestServer, tmpDir } from '../helpers/env.ts';
import { createPgSchema, type PgSchema } from '../helpers/pg-schema.ts';
import { redisTestPrefix, removeRedisKeys } from '../helpers/redis.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

interface Answer {
  status: number;
  headers: string;
  body: string;
}

/**
 * A GET /readyz whose request head is sent but for its final blank line: the server has a request
 * in progress on the connection (so closing idle connections does not drop it) and answers when
 * `finish` sends the rest.
 */
async function heldProbe(base: string): Promise<{ finish(): Promise<Answer> }> {
  const u = new URL(base);
  const socket = connect(Number(u.port), u.hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let raw = '';
  socket.setEncoding('utf8').on('data', (d: string) => {
    raw += d;
  });
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(`GET /readyz HTTP/1.1\r\nHost: ${u.host}\r\n`);
  return {
    async finish() {
      socket.write('\r\n');
      await ended;
      const [head = '', body = ''] = raw.split('\r\n\r\n');
      return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head.toLowerCase(), body };
    },
  };
}

/** Whether a new TCP connection to `base` is refused (the listener is closed). */
function refused(base: string): Promise<boolean> {
  const u = new URL(base);
  return new Promise((resolve) => {
    const s = connect(Number(u.port), u.hostname);
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

describe('/readyz during shutdown (child server)', () => {
  test('503 from SIGTERM until the process exits', async () => {
    const dir = tmpDir('opal-readyz-');
    const child = await startChild(undefined, { dataDir: dir.path, env: { OPAL_SITES: 'account', OPAL_SHUTDOWN_GRACE_MS: '30000' } });
    try {
      const base = child.accountUrl ?? '';
      const before = await fetch(`${base}/readyz`, { headers: { connection: 'close' } });
      assert.equal(before.status, 200);
      await before.arrayBuffer();
      const probes = await Promise.all([heldProbe(base), heldProbe(base), heldProbe(base)]);
      // The child must have read each probe's head before SIGTERM: a connection whose bytes it has
      // not parsed yet is idle to it, and closing idle connections is part of a shutdown (seen on
      // a loaded machine: the second probe's connection was dropped and the process exited early).
      await sleep(500);
      child.proc.child.kill('SIGTERM');
      // The shutdown has begun once new connections are refused.
      const deadline = Date.now() + 10_000;
      while (!(await refused(base))) {
        assert.ok(Date.now() < deadline, `still accepting connections after SIGTERM\n${child.stderr()}`);
        await sleep(20);
      }
      // Each probe held open across the shutdown is answered 503, and the process waits for the
      // last of them before it exits.
      for (const [i, probe] of probes.entries()) {
        if (i > 0) await sleep(300);
        assert.equal(child.proc.child.exitCode, null, 'still running while a request is in progress');
        const a = await probe.finish();
        assert.equal(a.status, 503, `probe ${i}: ${a.headers}\n${a.body}`);
        assert.match(a.headers, /\r\nconnection: close/);
      }
      assert.deepEqual(await child.proc.exited, { code: 0, signal: null });
    } finally {
      await child.kill();
      dir.remove();
    }
  });
});

/** Starts a server whose store `which` is reached through a proxy; returns the server and proxy. */
function storeOutage(which: 'database' | 'cache', storeUrl: string | undefined) {
  return () => {
    let proxy: TcpProxy;
    let t: TestServer;
    let schema: PgSchema | undefined;
    let prefix: string | undefined;
    before(async () => {
      const u = new URL(storeUrl ?? '');
      proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port) });
      if (which === 'database') {
        schema = await createPgSchema(storeUrl ?? '');
        t = await startTestServer({ env: { OPAL_DATABASE_URL: proxy.rewrite(schema.url) } });
      } else {
        prefix = redisTestPrefix();
        t = await startTestServer({ env: { OPAL_REDIS_URL: proxy.rewrite(storeUrl ?? ''), OPAL_REDIS_PREFIX: prefix } });
      }
    });
    after(async () => {
      proxy.restore(); // a failed assertion may have left it cut, and closing needs the store
      await t.close();
      await proxy.close();
      await schema?.drop();
      if (prefix) await removeRedisKeys(REDIS_URL ?? '', prefix);
    });

    const readyz = async () => {
      const r = await fetch(`${t.accountUrl}/readyz`, { headers: { connection: 'close' } });
      return { status: r.status, body: (await r.json()) as { status: string; checks: Record<string, string> } };
    };

    test(`503 naming the ${which} while it cannot be reached, 200 once it is back`, async () => {
      assert.deepEqual(await readyz(), { status: 200, body: { status: 'ok', checks: { database: 'ok', cache: 'ok', blobs: 'ok' } } });
      proxy.cut();
      const down = await readyz();
      assert.equal(down.status, 503, JSON.stringify(down.body));
      assert.equal(down.body.status, 'degraded');
      assert.notEqual(down.body.checks[which], 'ok');
      for (const other of ['database', 'cache', 'blobs'].filter((k) => k !== which)) assert.equal(down.body.checks[other], 'ok', other);
      proxy.restore();
      const deadline = Date.now() + 15_000;
      let back = await readyz();
      while (back.status !== 200 && Date.now() < deadline) {
        await sleep(200);
        back = await readyz();
      }
      assert.equal(back.status, 200, JSON.stringify(back.body));
    });
  };
}

describe('/readyz while PostgreSQL is unreachable', { skip: !PG_URL && 'set OPAL_TEST_DATABASE_URL' }, storeOutage('database', PG_URL));
describe('/readyz while Redis is unreachable', { skip: !REDIS_URL && 'set OPAL_TEST_REDIS_URL' }, storeOutage('cache', REDIS_URL));
