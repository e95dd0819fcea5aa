// Roles and admin API tokens from the CLI: `user create --role`, `user role`, `user lock|unlock`,
// `admin token create|list|revoke`, the demo user's developer role.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { type Context, createContext } from '../../src/context.ts';
import { inspectStore, tmpDir } from '../helpers/env.ts';
import { opalBatch } from '../helpers/opal-cli.ts';

const runner = opalBatch();
after(() => runner.close());
const dir = tmpDir('opal-cli-admin-');
after(() => dir.remove());
const env = { OPAL_DATA_DIR: dir.path };

async function json<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const r = await runner.run([...args, '--json'], env);
  assert.equal(r.code, 0, `opal ${args.join(' ')} → ${r.code}\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

const inspect = <T>(f: (ctx: Context) => Promise<T>): Promise<T> => inspectStore(env, f);

describe('opal user roles and admin tokens', () => {
  it('user create --role admin gives a developer record; user role changes it', async () => {
    const root = await json<{ userId: string; role: string }>([
      'user',
      'create',
      '--account',
      'root',
      '--password',
      'root-pass',
      '--role',
      'admin',
    ]);
    assert.equal(root.role, 'admin');
    assert.ok(await inspect((ctx) => ctx.services.apps.developerOfUser(root.userId)));
    const plain = await json<{ userId: string; role: string }>(['user', 'create', '--account', 'plain', '--password', 'plain-pass']);
    assert.equal(plain.role, 'user');
    assert.equal(await inspect((ctx) => ctx.services.apps.developerOfUser(plain.userId)), undefined);
    const dev = await json<{ role: string; developerId: string }>(['user', 'role', 'plain', 'developer']);
    assert.equal(dev.role, 'developer');
    assert.match(dev.developerId, /^\d{12}$/);
    const human = await runner.run(['user', 'role', 'plain', 'user'], env);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /is now user/);
    const bad = await runner.run(['user', 'role', 'plain', 'root', '--json'], env);
    assert.equal(bad.code, 2);
    assert.match(JSON.parse(bad.stdout).error, /role must be one of user, developer, admin/);
    const badCreate = await runner.run(['user', 'create', '--account', 'x1', '--password', 'xxxxxx', '--role', 'god'], env);
    assert.equal(badCreate.code, 2);
  });

  it('user lock refuses sign-in until unlock', async () => {
    await json(['user', 'create', '--account', 'locky', '--password', 'locky-pass']);
    assert.equal((await json<{ locked: boolean }>(['user', 'lock', 'locky'])).locked, true);
    assert.equal(await inspect((ctx) => ctx.services.users.authenticate('locky', 'locky-pass')), undefined);
    assert.equal((await json<{ locked: boolean }>(['user', 'unlock', 'locky'])).locked, false);
    assert.ok(await inspect((ctx) => ctx.services.users.authenticate('locky', 'locky-pass')));
  });

  it('admin token create shows the token once; list never shows it; revoke removes it', async () => {
    await json(['user', 'create', '--account', 'tokdev', '--password', 'tokdev-pass', '--role', 'developer']);
    const t = await json<{ tokenId: string; token: string; role: string }>([
      'admin',
      'token',
      'create',
      '--user',
      'tokdev',
      '--name',
      'ci',
    ]);
    assert.match(t.token, /^opal_at_[A-Za-z0-9_-]{40}$/);
    assert.equal(t.role, 'developer');
    assert.equal((await inspect((ctx) => ctx.services.adminTokens.authenticate(t.token)))?.user.account, 'tokdev');
    const list = await runner.run(['admin', 'token', 'list', '--json'], env);
    assert.ok(!list.stdout.includes(t.token));
    assert.deepEqual(
      (JSON.parse(list.stdout) as Array<{ tokenId: string; name: string }>).map((r) => [r.tokenId, r.name]),
      [[t.tokenId, 'ci']],
    );
    await json(['admin', 'token', 'revoke', t.tokenId]);
    assert.equal(await inspect((ctx) => ctx.services.adminTokens.authenticate(t.token)), undefined);
    assert.equal((await runner.run(['admin', 'token', 'revoke', t.tokenId], env)).code, 3);
    // A plain user gets no token.
    await json(['user', 'create', '--account', 'tokuser', '--password', 'tokuser-pass']);
    assert.equal((await runner.run(['admin', 'token', 'create', '--user', 'tokuser'], env)).code, 2);
  });

  it('the demo user is a developer acting for the demo app', async () => {
    const dir2 = tmpDir('opal-cli-demo-');
    try {
      const r = await runner.run(['seed', '--demo', '--json'], { OPAL_DATA_DIR: dir2.path });
      assert.equal(r.code, 0, r.stderr);
      const demo = JSON.parse(r.stdout) as { userId: string; clientId: string };
      const ctx = await createContext(loadConfig({ OPAL_DATA_DIR: dir2.path, OPAL_LOG_LEVEL: 'silent' }), { full: false });
      try {
        assert.equal((await ctx.services.users.require(demo.userId)).role, 'developer');
        const dev = await ctx.services.apps.developerOfUser(demo.userId);
        assert.equal(dev?.name, 'demo');
        assert.equal((await ctx.services.apps.require(demo.clientId)).developerId, dev?.id);
      } finally {
        await ctx.close();
      }
    } finally {
      dir2.remove();
    }
  });
});
