// The production bundle (scripts/build.mjs → dist/, run by `npm ci` and used by bin/opal.js while
// it is fresh): built into a scratch directory, started as `opal serve`, and checked to answer
// /healthz fast and to find the page templates it reads at run time (login, checkPassword).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tmpDir } from '../helpers/env.ts';
import { type OpalProcess, spawnOpal, waitForOk } from '../helpers/opal-cli.ts';

const ROOT = new URL('../..', import.meta.url).pathname;

describe('production bundle', () => {
  const out = join(ROOT, '.tmp', `bundle-test-${process.pid}`);
  const data = tmpDir('opal-bundle-');
  let p: OpalProcess;
  let account: string;
  let demo: { clientId: string; userId: string };
  let healthy: Promise<number>;

  before(async () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    // Port 0: the OS picks a free port; each origin logs its URL as it listens, in either order
    // (both answer /healthz), and the "listening" event then names which is which.
    p = spawnOpal(['serve', '--json'], { OPAL_DATA_DIR: data.path, OPAL_PORT: '0', OPAL_FDS_PORT: '0' }, join(out, 'opal.mjs'));
    const first = (await p.waitFor(/"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/, 30_000, 'stdout')).match[1] ?? '';
    healthy = waitForOk(`${first}/healthz`, 30_000);
    healthy.catch(() => undefined);
    const line = await p.waitFor(/"event":"listening"/, 30_000, 'stdout');
    const event = JSON.parse(line.line) as {
      urls: Record<string, string> & { account: string };
      demo: { clientId: string; userId: string };
    };
    assert.ok(Object.values(event.urls).includes(first), `${first} is one of ${JSON.stringify(event.urls)}`);
    account = event.urls.account;
    demo = event.demo;
  });
  after(async () => {
    p?.kill();
    await p?.exited;
    data.remove();
    rmSync(out, { recursive: true, force: true });
  });

  it('builds one module with its templates beside it', () => {
    for (const f of ['opal.mjs', 'templates/login.eta', 'templates/check-password.eta']) assert.ok(existsSync(join(out, f)), f);
  });

  it('loads nodemailer, jose and yaml on first use, not with the server', () => {
    // A static import would load them, and Node's modules they use, at start-up (about 4 MiB of an
    // idle server; bench/README.md, "Memory: the allocator, SQLite's cache").
    const code = readFileSync(join(out, 'opal.mjs'), 'utf8');
    for (const pkg of ['nodemailer', 'jose', 'yaml']) {
      assert.doesNotMatch(code, new RegExp(`from\\s*"${pkg}"`), `${pkg} is imported statically`);
      assert.match(code, new RegExp(`import\\("${pkg}"\\)`), `${pkg} is not imported on demand`);
    }
  });

  it('serves /healthz, and the demo seed, from the bundle', async (t) => {
    const ok = await healthy;
    t.diagnostic(`spawn → /healthz 200: ${(ok - p.spawnedAt).toFixed(0)} ms`);
    assert.match(demo.clientId, /^\d{19}$/);
  });

  it('renders the login page and the checkPassword page from their templates', async () => {
    const login = await fetch(`${account}/login`);
    assert.equal(login.status, 200);
    assert.match(await login.text(), /name="password"/);
    const q = new URLSearchParams({ clientId: demo.clientId, xmUserId: demo.userId, callback: 'http://127.0.0.1:3000/xm' });
    const check = await fetch(`${account}/checkPassword?${q}`);
    assert.equal(check.status, 200);
    assert.match(await check.text(), /name="decision" value="confirm"/);
  });
});
