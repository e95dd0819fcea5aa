// Log formats of `opal serve` as a real process: JSON lines on a pipe, pretty colored lines with
// one line per request on a terminal (a pseudo-terminal from util-linux `script`) or with
// OPAL_LOG_FORMAT=pretty, JSON again with OPAL_LOG_FORMAT=json on a terminal; and the start-up
// banner reaches the terminal whole while requests are being logged.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpDir } from '../helpers/env.ts';
import { cleanEnv, opal, spawnOpal } from '../helpers/opal-cli.ts';

const BIN = new URL('../../bin/opal.js', import.meta.url).pathname;
const SCRIPT = '/usr/bin/script';
const ESC = String.fromCharCode(27);
/** An ANSI color sequence; ANSI_ALL for replaceAll. */
const ANSI = new RegExp(`${ESC}\\[[0-9;]*m`);
const ANSI_ALL = new RegExp(ANSI.source, 'g');
const ANY_PORT = { OPAL_PORT: '0', OPAL_FDS_PORT: '0', OPAL_HOST: '127.0.0.1' };

/** `opal serve` on a pseudo-terminal: everything it writes (stdout and stderr, as a terminal shows it). */
function serveOnTerminal(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(SCRIPT, ['-q', '-e', '-c', `${process.execPath} ${BIN} serve`, '/dev/null'], {
    env: cleanEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  return { child, output: () => out.replaceAll('\r', '') };
}

async function until<T>(f: () => T | undefined, ms = 30_000, what = 'condition'): Promise<T> {
  const end = performance.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('close', r));
  child.kill('SIGTERM');
  await done;
}

describe('log format', () => {
  const dirs: Array<{ remove(): void }> = [];
  const data = () => {
    const d = tmpDir('opal-logs-');
    dirs.push(d);
    return d.path;
  };
  after(() => {
    for (const d of dirs) d.remove();
  });

  it('built bundle exists (npm run build)', async () => {
    assert.ok(existsSync(BIN));
    const r = await opal(['--version']);
    assert.equal(r.code, 0, r.stderr);
  });

  it('on a pipe (auto): one JSON object per line, two lines per request', async () => {
    const p = spawnOpal(['serve'], { ...ANY_PORT, OPAL_DATA_DIR: data(), OPAL_DEMO: 'false' });
    try {
      const url = (await p.waitFor(/"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/, 30_000, 'stdout')).match[1];
      await (await fetch(`${url}/healthz`)).arrayBuffer();
      await p.waitFor(/"msg":"request completed"/, 10_000, 'stdout');
      for (const line of p.stdout) JSON.parse(line);
      assert.ok(p.stdout.some((l) => l.includes('"msg":"incoming request"') && l.includes('"url":"/healthz"')));
    } finally {
      await p.stop();
    }
  });

  it('OPAL_LOG_FORMAT=pretty on a pipe: one plain line per request, no JSON', async () => {
    const p = spawnOpal(['serve'], { ...ANY_PORT, OPAL_DATA_DIR: data(), OPAL_DEMO: 'false', OPAL_LOG_FORMAT: 'pretty', NO_COLOR: '1' });
    try {
      const url = (await p.waitFor(/INFO: Server listening at (http:\/\/127\.0\.0\.1:\d+)$/, 30_000, 'stdout')).match[1];
      await (await fetch(`${url}/healthz?x=1`)).arrayBuffer();
      await (await fetch(`${url}/no-such-page`)).arrayBuffer();
      await p.waitFor(/WARN: GET \/no-such-page 404 [\d.]+ ms$/, 10_000, 'stdout');
      const healthz = p.stdout.filter((l) => l.includes('/healthz'));
      assert.equal(healthz.length, 1, healthz.join('\n'));
      assert.match(healthz[0] ?? '', /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/healthz\?x=1 200 [\d.]+ ms$/);
      assert.ok(!p.stdout.some((l) => l.startsWith('{')), p.stdout.join('\n'));
      assert.ok(!p.stdout.some((l) => /incoming request|request completed/.test(l)));
    } finally {
      await p.stop();
    }
  });

  it('on a terminal (auto): colored lines, and the banner is never split by request lines', {
    skip: !existsSync(SCRIPT) && `${SCRIPT} not found`,
  }, async () => {
    const t = serveOnTerminal({ ...ANY_PORT, OPAL_DATA_DIR: data(), TERM: 'xterm' });
    let hammering = true;
    let sent = 0;
    try {
      const url = await until(
        () => /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(t.output().replace(ANSI_ALL, ''))?.[1],
        30_000,
        'listening',
      );
      // Requests from the moment the account origin listens until the banner has been written.
      const hammer = (async () => {
        while (hammering) {
          await (await fetch(`${url}/healthz`)).arrayBuffer();
          sent++;
        }
      })();
      await until(() => (/ {2}try: +http/.test(t.output()) ? true : undefined), 30_000, 'banner');
      await sleep(100);
      hammering = false;
      await hammer;
      const out = t.output();
      assert.match(out, ANSI, 'colored');
      const lines = out.replace(ANSI_ALL, '').split('\n');
      assert.ok(!lines.some((l) => l.startsWith('{')), out);
      const start = lines.indexOf('Opal is running.');
      const end = lines.findIndex((l) => /^ {2}try: /.test(l));
      assert.ok(start >= 0 && end > start, out);
      const banner = lines.slice(start, end + 1);
      assert.deepEqual(
        banner.filter((l) => !/^(Opal is running\.|Demo data created \(shown once\):| {2}[a-zA-Z ]+: +\S)/.test(l)),
        [],
        'only banner lines between its first and last line',
      );
      await until(
        () =>
          (t
            .output()
            .replace(ANSI_ALL, '')
            .match(/INFO: GET \/healthz 200 [\d.]+ ms/g)?.length ?? 0) >= sent || undefined,
        10_000,
        'request lines',
      );
      assert.ok(sent > 0);
    } finally {
      hammering = false;
      await stop(t.child);
    }
  });

  it('OPAL_LOG_FORMAT=json on a terminal: JSON lines', { skip: !existsSync(SCRIPT) && `${SCRIPT} not found` }, async () => {
    const t = serveOnTerminal({ ...ANY_PORT, OPAL_DATA_DIR: data(), OPAL_DEMO: 'false', OPAL_LOG_FORMAT: 'json', TERM: 'xterm' });
    try {
      const url = await until(() => /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(t.output())?.[1], 30_000, 'listening');
      await (await fetch(`${url}/healthz`)).arrayBuffer();
      await until(() => (t.output().includes('"msg":"request completed"') ? true : undefined), 10_000, 'request line');
      for (const line of t.output().split('\n')) if (line.startsWith('{')) JSON.parse(line);
      assert.doesNotMatch(t.output(), ANSI);
    } finally {
      await stop(t.child);
    }
  });
});
