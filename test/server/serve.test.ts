// `opal serve` as a real process: start-up, health, readiness, metrics, logs, security headers,
// single-site mode, demo seeding and graceful shutdown on SIGTERM.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PG_URL, tmpDir } from '../helpers/env.ts';
import { listeningPorts, type OpalProcess, opal, spawnOpal, waitForOk } from '../helpers/opal-cli.ts';
import { createPgSchema } from '../helpers/pg-schema.ts';

// Every listener binds port 0: the OS picks a free port and Opal reports it (a log line per
// listener, in the order of OPAL_SITES, then the URLs on stderr or in the --json event).
const LISTENING = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/;
const ORIGIN = (name: 'account origin' | 'FDS origin') => new RegExp(`^  ${name}:\\s+(http://\\S+)$`);
const ANY_PORT = { OPAL_PORT: '0', OPAL_FDS_PORT: '0' };

/** The URL a started `opal serve` printed for an origin. */
async function originUrl(p: OpalProcess, name: 'account origin' | 'FDS origin'): Promise<string> {
  return (await p.waitFor(ORIGIN(name), 30_000, 'stderr')).match[1] ?? '';
}

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch (e) {
    return /ECONNREFUSED/.test(String((e as { cause?: unknown }).cause ?? e));
  }
}

/** Parsed JSON log lines from stdout. */
function logs(p: OpalProcess): Array<Record<string, unknown>> {
  return p.stdout.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

describe('opal serve (embedded, first start)', () => {
  const dir = tmpDir('opal-serve-');
  let port: number;
  let p: OpalProcess;
  let account: string;
  let fds: string;
  let listening: { at: number };
  let healthy: Promise<number>;

  before(async () => {
    p = spawnOpal(['serve'], { OPAL_DATA_DIR: dir.path, ...ANY_PORT });
    // The first listener is the account origin: poll its /healthz from the moment it listens.
    const first = await p.waitFor(LISTENING, 30_000, 'stdout');
    listening = first;
    account = first.match[1] ?? '';
    healthy = waitForOk(`${account}/healthz`);
    healthy.catch(() => undefined);
    assert.equal(await originUrl(p, 'account origin'), account);
    fds = await originUrl(p, 'FDS origin');
    port = Number(new URL(account).port);
  });
  after(async () => {
    p.kill();
    await p.exited;
    dir.remove();
  });

  it('answers /healthz within a second of listening', async (t) => {
    const ok = await healthy;
    const sinceListening = ok - listening.at;
    t.diagnostic(
      `spawn → listening ${(listening.at - p.spawnedAt).toFixed(0)} ms; listening → /healthz 200 ${sinceListening.toFixed(0)} ms; spawn → /healthz 200 ${(ok - p.spawnedAt).toFixed(0)} ms`,
    );
    assert.ok(sinceListening < 1000, `healthz ${sinceListening} ms after listening`);
    await waitForOk(`${fds}/healthz`);
  });

  it('prints the URLs and the demo login on the first start', async () => {
    await p.waitFor(/^Opal is running\.$/, 20_000, 'stderr');
    await p.waitFor(/login:\s+demo \/ opal-demo/, 5000, 'stderr');
    const text = p.stderr.join('\n');
    assert.match(text, new RegExp(`account origin: ${account}`));
    assert.match(text, new RegExp(`FDS origin:\\s+${fds}`));
    assert.match(text, /app clientId:\s+2882303761517\d{6}/);
    assert.match(text, /app secret:\s+\S{20,}/);
    assert.match(text, new RegExp(`data:\\s+${dir.path}`));
  });

  it('is ready on both origins with every store checked', async () => {
    for (const base of [account, fds]) {
      const r = await fetch(`${base}/readyz`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('cache-control'), 'no-store');
      assert.deepEqual(await r.json(), { status: 'ok', checks: { database: 'ok', cache: 'ok', blobs: 'ok' } });
    }
  });

  it('serves Prometheus metrics with request counts', async () => {
    await (await fetch(`${account}/healthz`)).arrayBuffer();
    await (await fetch(`${fds}/readyz`)).arrayBuffer();
    const r = await fetch(`${account}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    assert.match(text, /# TYPE opal_http_requests_total counter/);
    assert.match(text, /opal_http_requests_total\{site="account",method="GET",route="\/healthz",status="200"\} [1-9]\d*/);
    assert.match(text, /opal_http_request_duration_seconds_bucket\{le="0\.005",site="account"/);
    assert.match(text, /opal_process_resident_memory_bytes \d+/);
    const f = await (await fetch(`${fds}/metrics`)).text();
    assert.match(f, /opal_http_requests_total\{site="fds",method="GET",route="\/readyz",status="200"\} [1-9]/);
  });

  it('echoes request ids and logs them as JSON', async () => {
    const r = await fetch(`${account}/healthz`, { headers: { 'x-request-id': 'req-abc-123' } });
    assert.equal(r.headers.get('x-request-id'), 'req-abc-123');
    // An unsafe id is replaced by a fresh one.
    const bad = await fetch(`${account}/healthz`, { headers: { 'x-request-id': 'bad id\twith"quotes' } });
    assert.match(bad.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const gen = await fetch(`${fds}/healthz`);
    assert.match(gen.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    for (let i = 0; i < 100 && !logs(p).some((l) => l.reqId === 'req-abc-123' && l.msg === 'request completed'); i++) await sleep(20);
    const lines = logs(p).filter((l) => l.reqId === 'req-abc-123');
    assert.deepEqual(
      lines.map((l) => l.msg),
      ['incoming request', 'request completed'],
    );
    assert.equal((lines[0]?.req as { url?: string } | undefined)?.url, '/healthz');
    assert.equal((lines[1]?.res as { statusCode?: number } | undefined)?.statusCode, 200);
  });

  it('never logs secrets from query strings or headers', async () => {
    const target = '/?token=SECRET123&client_secret=X&state=visible';
    for (const base of [account, fds]) {
      const r = await fetch(`${base}${target}`, {
        headers: { authorization: 'MAC id="SECRET123"', cookie: 'opal_session=SECRET123', 'x-request-id': `secret-${base.slice(-5)}` },
      });
      await r.arrayBuffer();
    }
    for (
      let i = 0;
      i < 100 && logs(p).filter((l) => String(l.reqId).startsWith('secret-') && l.msg === 'request completed').length < 2;
      i++
    ) {
      await sleep(20);
    }
    const mine = p.stdout.filter((l) => l.includes('"reqId":"secret-'));
    assert.ok(mine.length >= 4, mine.join('\n'));
    assert.ok(
      mine.some((l) => l.includes('/?token=[redacted]&client_secret=[redacted]&state=visible')),
      mine.join('\n'),
    );
    assert.ok(!p.stdout.some((l) => l.includes('SECRET123')), 'no log line carries the secret');
    assert.ok(!p.stderr.some((l) => l.includes('SECRET123')));
  });

  it('sends security headers', async () => {
    const r = await fetch(`${account}/`);
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /default-src 'self'/);
    assert.equal(r.headers.get('referrer-policy'), 'same-origin');
    // Every answer of the account origin carries the whole set, error answers and the open APIs too.
    const expected = {
      'content-security-policy':
        "default-src 'self';base-uri 'self';font-src 'self' https: data:;frame-ancestors 'none';img-src 'self' data: https: http:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline'",
      'cross-origin-resource-policy': 'cross-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'same-origin',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'DENY',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
    };
    for (const path of ['/', '/no-such-page', '/user/profile?clientId=1&token=x', '/healthz']) {
      const a = await fetch(`${account}${path}`);
      await a.arrayBuffer();
      for (const [name, value] of Object.entries(expected)) assert.equal(a.headers.get(name), value, `${path}: ${name}`);
      assert.equal(a.headers.get('x-powered-by'), null);
    }
    const f = await fetch(`${fds}/healthz`);
    assert.equal(f.headers.get('x-content-type-options'), 'nosniff');
  });

  it('on SIGTERM stops accepting, finishes an in-flight upload, and exits 0', async () => {
    // A request whose body is still arriving when SIGTERM comes in.
    const sock = connect(port, '127.0.0.1');
    await new Promise<void>((res, rej) => sock.once('connect', res).once('error', rej));
    let response = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      response += d;
    });
    const ended = new Promise<void>((res) => sock.once('close', () => res()));
    const body = JSON.stringify({ pad: 'x'.repeat(2000) });
    sock.write(
      `POST /upload-in-flight HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    sock.write(body.slice(0, 1000));
    await sleep(100);
    p.child.kill('SIGTERM');
    await p.waitFor(/"msg":"shutting down"/, 5000, 'stdout');
    // New connections are refused while the in-flight request is still open.
    for (let i = 0; i < 50 && !(await refused(`${account}/healthz`)); i++) await sleep(20);
    assert.ok(await refused(`${account}/healthz`), 'stopped accepting');
    assert.equal(response, '', 'no response before the body is complete');
    assert.equal(p.child.exitCode, null, 'still running while a request is in flight');
    await sleep(300);
    assert.equal(p.child.exitCode, null, 'still running until the body is complete');
    sock.write(body.slice(1000));
    await ended;
    assert.match(response, /^HTTP\/1\.1 404 Not Found\r\n/);
    assert.match(response, /connection: close/i);
    assert.match(response, /"statusCode":404\}$/);
    const { code, signal } = await p.exited;
    assert.equal(signal, null);
    assert.equal(code, 0);
  });

  it('does not seed again on a second start', async () => {
    const q = spawnOpal(['serve', '--only', 'account'], { OPAL_DATA_DIR: dir.path, ...ANY_PORT });
    try {
      await q.waitFor(/^Opal is running\.$/, 30_000, 'stderr');
      await sleep(100);
      assert.ok(!q.stderr.some((l) => /Demo data|login:/.test(l)), q.stderr.join('\n'));
      q.child.kill('SIGTERM');
      assert.equal((await q.exited).code, 0);
      const users = await opal(['user', 'list', '--json'], { OPAL_DATA_DIR: dir.path });
      assert.deepEqual((JSON.parse(users.stdout) as Array<{ account: string }>).map((u) => u.account).sort(), ['demo', 'demo-friend']);
    } finally {
      q.kill();
    }
  });
});

describe('opal serve --only, --no-demo and scale-out databases', () => {
  it('--only account and --only fds start one listener each', async () => {
    const dirs = [tmpDir('opal-only-'), tmpDir('opal-only-')];
    const [a, f] = [
      spawnOpal(['serve', '--only', 'account', '--no-demo'], { OPAL_DATA_DIR: dirs[0]?.path, ...ANY_PORT }),
      spawnOpal(['--json', 'serve', '--only', 'fds', '--no-demo'], { OPAL_DATA_DIR: dirs[1]?.path, ...ANY_PORT }),
    ];
    try {
      await a.waitFor(/^Opal is running\.$/, 30_000, 'stderr');
      const accountUrl = await originUrl(a, 'account origin');
      const ev = await f.waitFor(/"event":"listening"/, 30_000, 'stdout');
      const fdsUrl = (JSON.parse(ev.line) as { urls: { fds: string } }).urls.fds;
      assert.match(fdsUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.deepEqual(JSON.parse(ev.line), {
        event: 'listening',
        urls: { fds: fdsUrl },
        dataDir: dirs[1]?.path,
      });
      assert.equal((await fetch(`${accountUrl}/healthz`)).status, 200);
      assert.equal((await fetch(`${fdsUrl}/healthz`)).status, 200);
      // One listener each: the other site's port is never bound.
      assert.deepEqual(listeningPorts(a.child.pid ?? 0), [Number(new URL(accountUrl).port)]);
      assert.deepEqual(listeningPorts(f.child.pid ?? 0), [Number(new URL(fdsUrl).port)]);
      assert.ok(!a.stderr.join('\n').includes('FDS origin'));
      assert.ok(!a.stderr.some((l) => /Demo data|login:/.test(l)), '--no-demo');
      // One site without Redis: a warning that the cache is not shared with the other process.
      assert.ok(a.stdout.some((l) => l.includes('"level":40') && l.includes('set OPAL_REDIS_URL')));
      a.child.kill('SIGTERM');
      f.child.kill('SIGTERM');
      assert.equal((await a.exited).code, 0);
      assert.equal((await f.exited).code, 0);
    } finally {
      a.kill();
      f.kill();
      for (const d of dirs) d.remove();
    }
  });

  it('rejects an unknown --only site with exit code 2', async () => {
    const p = spawnOpal(['serve', '--only', 'web']);
    assert.equal((await p.exited).code, 2);
    assert.match(p.stderr.join('\n'), /OPAL_SITES: unknown site "web"/);
  });

  it('does not seed demo data on a PostgreSQL database', { skip: !PG_URL && 'OPAL_TEST_DATABASE_URL not set' }, async () => {
    const schema = await createPgSchema(PG_URL ?? '');
    const dir = tmpDir('opal-pg-serve-');
    const p = spawnOpal(['serve', '--only', 'account'], {
      OPAL_DATA_DIR: dir.path,
      ...ANY_PORT,
      OPAL_DATABASE_URL: schema.url,
    });
    try {
      await p.waitFor(/^Opal is running\.$/, 30_000, 'stderr');
      assert.ok(!p.stderr.some((l) => /Demo data|login:|data:/.test(l)), p.stderr.join('\n'));
      const r = await fetch(`${await originUrl(p, 'account origin')}/readyz`);
      assert.equal(r.status, 200);
      const [row] = await schema.query<{ n: string | number }>('SELECT count(*) AS n FROM $schema.users');
      assert.equal(Number(row?.n), 0);
      p.child.kill('SIGTERM');
      assert.equal((await p.exited).code, 0);
    } finally {
      p.kill();
      await schema.drop();
      dir.remove();
    }
  });
});
