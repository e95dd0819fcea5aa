// Remote mode of the CLI against a real running Opal (`opal serve` in its own process): with
// --url/--token (or OPAL_URL/OPAL_ADMIN_TOKEN) `user create`, `user list`, `user lock`/`unlock`,
// `user show`, `user role` and `app list` go through the admin HTTP API, and the server's store
// shows the effect; a bad token, a developer's token, a command without an API equivalent and a
// half-given target are refused with clear messages and exit codes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tmpDir } from '../helpers/env.ts';
import { type Env, type OpalProcess, opal, opalBatch, spawnOpal, waitForOk } from '../helpers/opal-cli.ts';

describe('opal --url --token (remote mode)', () => {
  const runner = opalBatch();
  const dir = tmpDir('opal-cli-remote-');
  let server: OpalProcess;
  let url = '';
  let token = '';
  const local = { OPAL_DATA_DIR: dir.path };

  async function run(args: string[], env: Env = {}) {
    return runner.run(args, env);
  }
  async function json<T = Record<string, unknown>>(args: string[], env: Env = {}): Promise<T> {
    const r = await run([...args, '--json'], env);
    assert.equal(r.code, 0, `opal ${args.join(' ')} → ${r.code}\n${r.stdout}\n${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }
  const remote = () => ['--url', url, '--token', token];

  before(async () => {
    server = spawnOpal(['serve', '--json'], {
      ...local,
      OPAL_PORT: '0',
      OPAL_FDS_PORT: '0',
      OPAL_DEMO: 'false',
      OPAL_LOG_LEVEL: 'warn',
      OPAL_ADMIN_ACCOUNT: 'root',
      OPAL_ADMIN_PASSWORD: 'root-remote-pass',
    });
    const line = await server.waitFor(/"event":"listening"/, 60_000, 'stdout');
    url = (JSON.parse(line.line) as { urls: { account: string } }).urls.account;
    await waitForOk(`${url}/healthz`, 30_000);
    // The token is made on the server's host, in direct-database mode.
    token = (await json<{ token: string }>(['admin', 'token', 'create', '--user', 'root'], local)).token;
  });
  after(async () => {
    runner.close();
    await server?.stop();
    dir.remove();
  });

  it('creates, lists, shows, locks and unlocks users through the admin API', async () => {
    const created = await json<{ userId: string; role: string; developerId: string }>([
      'user',
      'create',
      '--account',
      'remote-ann',
      '--password',
      'remote-ann-pass',
      '--email',
      'ann@example.com',
      '--role',
      'developer',
      ...remote(),
    ]);
    assert.equal(created.role, 'developer');
    assert.match(created.developerId, /^\d+$/, 'the admin API answer (with developerId), not a local one');
    const human = await run(['user', 'create', '--account', 'remote-bob', '--password', 'remote-bob-pass', ...remote()]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^created user \d+ \(remote-bob\)/);
    const dup = await run(['user', 'create', '--account', 'remote-bob', '--password', 'remote-bob-pass', '--json', ...remote()]);
    assert.equal(dup.code, 4, 'conflict');
    assert.match(JSON.parse(dup.stdout).error, /answered 409/);

    const list = await json<Array<{ account: string }>>(['user', 'list', ...remote()]);
    assert.deepEqual(list.map((u) => u.account).sort(), ['remote-ann', 'remote-bob', 'root']);
    assert.equal((await json<unknown[]>(['user', 'list', '--limit', '2', ...remote()])).length, 2);

    // USER references resolve remotely as locally: account, e-mail, userId.
    const shown = await json<{ userId: string; developerId: string }>(['user', 'show', 'ann@example.com', ...remote()]);
    assert.equal(shown.userId, created.userId);
    const locked = await json<{ locked: boolean; userId: string }>(['user', 'lock', 'remote-ann', ...remote()]);
    assert.deepEqual([locked.userId, locked.locked], [created.userId, true]);
    // The server refuses the locked user's sign-in.
    const page = await fetch(`${url}/login`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const signIn = await fetch(`${url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, return_to: '/login', account: 'remote-ann', password: 'remote-ann-pass' }),
    });
    assert.match(signIn.headers.get('location') ?? '', /error=invalid/);
    // The lock is in the server's audit log, with the token's user as actor.
    const audit = await fetch(`${url}/api/admin/v1/audit?kind=user.locked&subject=${created.userId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(((await audit.json()) as { events: unknown[] }).events.length, 1);
    assert.equal((await json<{ locked: boolean }>(['user', 'unlock', created.userId, ...remote()])).locked, false);
    assert.equal((await json<{ role: string }>(['user', 'role', 'remote-bob', 'developer', ...remote()])).role, 'developer');
    const missing = await run(['user', 'lock', 'nobody-here', ...remote()]);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /no user "nobody-here" on http/);
    assert.deepEqual(await json(['app', 'list', ...remote()]), []);
    // An app made on the server's host is disabled remotely and enabled again locally.
    const made = await json<{ clientId: string }>(
      ['app', 'create', '--name', 'Remote app', '--redirect-uri', 'https://r.example/cb'],
      local,
    );
    const off = await json<{ clientId: string; disabled: boolean }>(['app', 'disable', made.clientId, ...remote()]);
    assert.deepEqual([off.clientId, off.disabled], [made.clientId, true]);
    const apps = await json<Array<{ clientId: string; disabled: boolean }>>(['app', 'list', ...remote()]);
    assert.deepEqual(
      apps.map((a) => [a.clientId, a.disabled]),
      [[made.clientId, true]],
    );
    assert.equal((await json<{ disabled: boolean }>(['app', 'enable', made.clientId], local)).disabled, false);
    assert.equal((await run(['app', 'disable', '999', ...remote()])).code, 3);
  });

  it('takes the target from OPAL_URL and OPAL_ADMIN_TOKEN, in a real process too', async () => {
    const r = await opal(['user', 'list', '--json'], { OPAL_URL: url, OPAL_ADMIN_TOKEN: token });
    assert.equal(r.code, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout) as Array<{ account: string }>).some((u) => u.account === 'root'));
  });

  it('refuses a bad token, a developer token, a half-given target and commands without an API equivalent', async () => {
    const bad = await run(['user', 'list', '--url', url, '--token', 'opal_at_not-a-real-token-0000000000000000']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /answered 401: send Authorization: Bearer/);
    const badJson = await run([
      'user',
      'create',
      '--account',
      'x-bad',
      '--password',
      'x-bad-pass',
      '--json',
      '--url',
      url,
      '--token',
      'nope',
    ]);
    assert.equal(badJson.code, 1);
    assert.match(JSON.parse(badJson.stdout).error, /answered 401/);
    const devToken = (await json<{ token: string }>(['admin', 'token', 'create', '--user', 'remote-bob'], local)).token;
    const forbidden = await run(['user', 'lock', 'root', '--url', url, '--token', devToken]);
    assert.equal(forbidden.code, 1);
    assert.match(forbidden.stderr, /answered 403: this needs the role admin/);

    for (const [name, args] of [
      ['serve', ['serve']],
      ['app create', ['app', 'create', '--name', 'x', '--redirect-uri', 'https://x.example/cb']],
      ['admin token list', ['admin', 'token', 'list']],
      ['user passwd', ['user', 'passwd', 'root', '--password', 'p']],
    ] as const) {
      const r = await run([...args, ...remote()]);
      assert.equal(r.code, 2, name);
      assert.match(r.stderr, new RegExp(`opal ${name} has no admin-API equivalent`));
    }
    const half = await run(['user', 'list', '--url', url]);
    assert.equal(half.code, 2);
    assert.match(half.stderr, /needs --token/);
    const avatar = await run([
      'user',
      'create',
      '--account',
      'x-av',
      '--password',
      'x-av-pass',
      '--avatar',
      'https://a.example/x.png',
      ...remote(),
    ]);
    assert.equal(avatar.code, 2);
    assert.match(avatar.stderr, /--avatar has no admin-API equivalent/);
    // Nothing of this reached the server's store.
    const list = await json<Array<{ account: string }>>(['user', 'list', ...remote()]);
    assert.ok(!list.some((u) => u.account.startsWith('x-')));
  });
});
