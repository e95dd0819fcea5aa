// The `opal` CLI on a temporary SQLite data directory and, with OPAL_TEST_DATABASE_URL, on a fresh
// PostgreSQL schema: every data command with --json and human output, exit codes and error
// messages, and --help on every command.
// Most command lines run through the batch runner of test/helpers/opal-cli.ts (the real CLI code,
// many command lines in one process: a Node + TypeScript start-up per command would make this
// suite take minutes); a few run as real `node bin/opal.js` processes to cover the launcher and
// real exit codes.
import assert from 'node:assert/strict';
import { after, describe, it, type TestContext } from 'node:test';
import type { Context } from '../../src/context.ts';
import { MIGRATIONS } from '../../src/store/db/migrations/index.ts';
import { dbBackends, inspectStore, PG_URL, tmpDir } from '../helpers/env.ts';
import { opalBatch, opal as opalProcess } from '../helpers/opal-cli.ts';
import { createPgSchema, type PgSchema } from '../helpers/pg-schema.ts';

const runner = opalBatch();
/** Runs one command line through the batch runner. */
const opal = (args: string[], env: Record<string, string>) => runner.run(args, env);
after(() => runner.close());

/** Runs with --json, expects exit 0 and returns the parsed output. */
async function json<T = Record<string, unknown>>(args: string[], env: Record<string, string>): Promise<T> {
  const r = await opal([...args, '--json'], env);
  assert.equal(r.code, 0, `opal ${args.join(' ')} → ${r.code}\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** The first users of the suite, as `user create` makes them (alice with every field). */
const ALICE = [
  '--account',
  'alice',
  '--password',
  'alice-pass',
  '--nickname',
  'Alice',
  '--phone',
  '13800000001',
  '--email',
  'alice@example.com',
];
const BOB = ['--account', 'bob', '--password', 'bob-pass'];
const MY_APP = [
  'app',
  'create',
  '--name',
  'My App',
  '--redirect-uri',
  'https://a.example/cb;https://b.example/cb',
  '--scopes',
  '1,2,3,4,6,16000',
];

for (const backend of dbBackends()) {
  describe(`opal CLI on ${backend}`, () => {
    /**
     * A store of the test's own (an empty data directory and, on PostgreSQL, a fresh schema; removed
     * when the test ends), with a context on it to check what the CLI did: no test depends on what
     * another left behind.
     */
    async function freshStore(
      t: TestContext,
    ): Promise<{ env: Record<string, string>; inspect: <T>(f: (ctx: Context) => Promise<T>) => Promise<T> }> {
      const dir = tmpDir('opal-cli-');
      const env: Record<string, string> = { OPAL_DATA_DIR: dir.path };
      let schema: PgSchema | undefined;
      if (backend === 'postgres') {
        schema = await createPgSchema(PG_URL ?? '');
        env.OPAL_DATABASE_URL = schema.url;
      }
      t.after(async () => {
        await schema?.drop();
        dir.remove();
      });
      const inspect = <T>(f: (ctx: Context) => Promise<T>): Promise<T> => inspectStore(env, f);
      return { env, inspect };
    }

    /** Creates alice and bob; returns their userIds. */
    async function aliceAndBob(env: Record<string, string>): Promise<{ alice: string; bob: string }> {
      const alice = await json<{ userId: string }>(['user', 'create', ...ALICE], env);
      const bob = await json<{ userId: string }>(['user', 'create', ...BOB], env);
      return { alice: alice.userId, bob: bob.userId };
    }

    it('migrate applies every migration once', async (t) => {
      const { env } = await freshStore(t);
      const first = await json<{ dialect: string; applied: string[] }>(['migrate'], env);
      assert.equal(first.dialect, backend);
      assert.deepEqual(first.applied.sort(), MIGRATIONS.map(([n]) => n).sort());
      const again = await opal(['migrate'], env);
      assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);
      assert.equal(again.stdout, `${backend}: applied 0 migration(s)\n`);
    });

    it('user create prints the userId (--json) or a sentence', async (t) => {
      const { env } = await freshStore(t);
      // A real process: the launcher, the loader and the exit code.
      const created = await opalProcess(['user', 'create', ...ALICE, '--json'], env);
      assert.equal(created.code, 0, created.stderr);
      const alice = JSON.parse(created.stdout) as { userId: string; account: string; nickname: string; phone: string; email: string };
      assert.match(alice.userId, /^[1-9]\d{9}$/);
      assert.equal(alice.account, 'alice');
      assert.equal(alice.nickname, 'Alice');
      assert.equal(alice.phone, '13800000001');
      assert.equal(alice.email, 'alice@example.com');
      assert.ok(!JSON.stringify(alice).includes('alice-pass'));
      const bob = await opal(['user', 'create', ...BOB], env);
      assert.equal(bob.code, 0, bob.stderr);
      const m = /^created user (\d+) \(bob\)\n$/.exec(bob.stdout);
      assert.ok(m?.[1], bob.stdout);
    });

    it('user create refuses a duplicate (exit 4) and bad input (exit 2), with a JSON error shape', async (t) => {
      const { env } = await freshStore(t);
      await aliceAndBob(env);
      const dup = await opal(['user', 'create', '--account', 'alice', '--password', 'other-pass', '--json'], env);
      assert.equal(dup.code, 4, `${dup.stdout}\n${dup.stderr}`);
      assert.deepEqual(JSON.parse(dup.stdout), { error: 'an account with login "alice" exists', code: 4 });
      const bad = await opal(['user', 'create', '--account', 'bad name', '--password', '1'], env);
      assert.equal(bad.code, 2, bad.stderr);
      assert.equal(bad.stdout, '');
      assert.match(bad.stderr, /^opal: account must be .*; password must be 6-256 characters$/m);
      const missing = await opal(['user', 'create', '--account', 'x'], env);
      assert.equal(missing.code, 2, `${missing.stdout}\n${missing.stderr}`);
      assert.match(missing.stderr, /required option '--password <password>' not specified/);
    });

    it('user list, show, update and passwd', async (t) => {
      const { env, inspect } = await freshStore(t);
      const ids = await aliceAndBob(env);
      const list = await json<Array<{ userId: string; account: string }>>(['user', 'list'], env);
      assert.deepEqual(
        list.map((u) => u.account),
        ['alice', 'bob'],
      );
      const show = await opal(['user', 'show', 'alice@example.com'], env);
      assert.equal(show.code, 0, `${show.stdout}\n${show.stderr}`);
      assert.match(show.stdout, new RegExp(`^userId: ${ids.alice}\naccount: alice\n`));
      const updated = await json<{ nickname: string; email: string; locale: string }>(
        ['user', 'update', 'alice', '--nickname', 'Alice L.', '--email', '', '--locale', 'zh-CN'],
        env,
      );
      assert.equal(updated.nickname, 'Alice L.');
      assert.equal(updated.email, '');
      assert.equal(updated.locale, 'zh-CN');
      // Sign-ins opened with the old password: a page session and an FDS serviceToken.
      const signIns = async () =>
        inspect(async (ctx) => {
          const sessions = await ctx.db.kysely.selectFrom('web_sessions').select('user_id').where('user_id', '=', ids.alice).execute();
          const live = (await ctx.services.storageTokens.list({ user: ids.alice })).filter((tk) => tk.state === 'live');
          return { sessions: sessions.length, tokens: live.length };
        });
      const signIn = () =>
        inspect(async (ctx) => {
          const now = Date.now();
          await ctx.db.kysely
            .insertInto('web_sessions')
            .values({ session_hash: `h${now}${Math.random()}`, user_id: ids.alice, created_at: now, expires_at: now + 60_000 })
            .execute();
          await ctx.services.storageTokens.issueServiceToken(ids.alice, '127.0.0.1');
        });
      await signIn();
      assert.deepEqual(await signIns(), { sessions: 1, tokens: 1 });
      assert.deepEqual(await json(['user', 'passwd', ids.alice, '--password', 'new-alice-pass'], env), {
        userId: ids.alice,
        passwordChanged: true,
        sessionsEnded: true,
        storageTokensRevoked: 1,
        refreshTokensRevoked: 0,
      });
      assert.deepEqual(await signIns(), { sessions: 0, tokens: 0 });
      await signIn();
      assert.deepEqual(await json(['user', 'sessions', 'revoke', 'alice'], env), {
        userId: ids.alice,
        sessionsEnded: true,
        storageTokensRevoked: 1,
      });
      assert.deepEqual(await signIns(), { sessions: 0, tokens: 0 });
      await inspect(async (ctx) => {
        assert.equal((await ctx.services.users.authenticate('alice', 'new-alice-pass'))?.userId, ids.alice);
        assert.equal(await ctx.services.users.authenticate('alice', 'alice-pass'), undefined);
        assert.equal((await ctx.services.audit.list({ type: 'user.password_set' }))[0]?.subject, ids.alice);
      });
      const none = await opal(['user', 'show', 'nobody', '--json'], env);
      assert.equal(none.code, 3, `${none.stdout}\n${none.stderr}`);
      assert.deepEqual(JSON.parse(none.stdout), { error: 'no user "nobody" (give a userId, account, email or phone)', code: 3 });
    });

    it('app create prints a 19-digit clientId and the secret once', async (t) => {
      const { env, inspect } = await freshStore(t);
      const app = await json<{ clientId: string; clientSecret: string; scopes: number[]; redirectUris: string; name: string }>(MY_APP, env);
      assert.equal(typeof app.clientId, 'string');
      assert.match(app.clientId, /^2882303761517\d{6}$/);
      assert.ok(app.clientSecret.length >= 20);
      assert.deepEqual(app.scopes, [1, 2, 3, 4, 6, 16000]);
      assert.equal(app.redirectUris, 'https://a.example/cb;https://b.example/cb');
      assert.equal(app.name, 'My App');
      await inspect(async (ctx) => {
        assert.equal(await ctx.services.apps.verifySecret(app.clientId, app.clientSecret), true);
      });
      const bad = await opal(['app', 'create', '--name', 'x', '--redirect-uri', 'https://a.example/', '--scopes', '1,zero', '--json'], env);
      assert.equal(bad.code, 2, `${bad.stdout}\n${bad.stderr}`);
      assert.deepEqual(JSON.parse(bad.stdout), { error: 'scope "zero" is not a positive integer', code: 2 });
    });

    it('app list, show, scopes, rotate-secret and delete', async (t) => {
      const { env, inspect } = await freshStore(t);
      const { clientId } = await json<{ clientId: string }>(MY_APP, env);
      const list = await opal(['app', 'list'], env);
      assert.equal(list.code, 0, `${list.stdout}\n${list.stderr}`);
      assert.match(list.stdout, /^clientId\s+name\s+developerId\s+scopes\s+redirectUris\n/);
      assert.match(
        list.stdout,
        new RegExp(`${clientId}\\s+My App\\s+\\d{12}\\s+1,2,3,4,6,16000\\s+https://a\\.example/cb;https://b\\.example/cb`),
      );
      const shown = await json<{ clientId: string; flags: object }>(['app', 'show', clientId], env);
      assert.equal(shown.clientId, clientId);
      assert.deepEqual(shown.flags, {});
      assert.ok(!('clientSecret' in shown));
      assert.equal((await opal(['app', 'scopes', clientId], env)).stdout, '1,2,3,4,6,16000\n');
      assert.deepEqual(await json(['app', 'scopes', clientId, '1,3'], env), { clientId, scopes: [1, 3] });
      const rotated = await json<{ clientId: string; clientSecret: string }>(['app', 'rotate-secret', clientId], env);
      await inspect(async (ctx) => {
        assert.equal(await ctx.services.apps.verifySecret(clientId, rotated.clientSecret), true);
        assert.deepEqual((await ctx.services.apps.require(clientId)).scopes, [1, 3]);
      });
      assert.deepEqual(await json(['app', 'delete', clientId], env), { clientId, deleted: true });
      const gone = await opal(['app', 'show', clientId], env);
      assert.equal(gone.code, 3, gone.stderr);
      assert.match(gone.stderr, new RegExp(`^opal: no app ${clientId}$`, 'm'));
    });

    it('app fds-key shows the key app create printed; rotate-fds-key keeps the id and replaces the secret', async (t) => {
      const { env, inspect } = await freshStore(t);
      const app = await json<{ clientId: string; developerId: string; accessKeyId: string; accessSecret: string }>(MY_APP, env);
      const key = { clientId: app.clientId, developerId: app.developerId, accessKeyId: app.accessKeyId, accessSecret: app.accessSecret };
      assert.deepEqual(await json(['app', 'fds-key', app.clientId], env), key);
      const rotated = await json<typeof key>(['app', 'rotate-fds-key', app.clientId], env);
      assert.equal(rotated.accessKeyId, key.accessKeyId);
      assert.notEqual(rotated.accessSecret, key.accessSecret);
      assert.deepEqual(await json(['app', 'fds-key', app.clientId], env), rotated);
      await inspect(async (ctx) => {
        assert.equal((await ctx.services.audit.list({ type: 'app.fds_key_rotated' }))[0]?.client_id, app.clientId);
      });
      const none = await opal(['app', 'fds-key', '2882303761517000000', '--json'], env);
      assert.equal(none.code, 3, `${none.stdout}\n${none.stderr}`);
    });

    it('friend add, list and remove', async (t) => {
      const { env } = await freshStore(t);
      const ids = await aliceAndBob(env);
      assert.deepEqual(await json(['friend', 'add', 'alice', 'bob'], env), { userId: ids.alice, friendId: ids.bob, friends: true });
      assert.deepEqual(await json(['friend', 'list', 'bob'], env), { userId: ids.bob, friends: [ids.alice] });
      const human = await opal(['friend', 'remove', 'bob', 'alice'], env);
      assert.equal(human.code, 0, `${human.stdout}\n${human.stderr}`);
      assert.equal(human.stdout, `${ids.bob} and ${ids.alice} are no longer friends\n`);
      assert.equal((await opal(['friend', 'list', 'alice'], env)).stdout, '(none)\n');
      const again = await opal(['friend', 'remove', 'bob', 'alice', '--json'], env);
      assert.equal(again.code, 3, `${again.stdout}\n${again.stderr}`);
      assert.equal(JSON.parse(again.stdout).code, 3);
    });

    it('user delete', async (t) => {
      const { env } = await freshStore(t);
      const ids = await aliceAndBob(env);
      assert.deepEqual(await json(['user', 'delete', 'bob'], env), { userId: ids.bob, deleted: true });
      const list = await json<Array<{ account: string }>>(['user', 'list'], env);
      assert.deepEqual(
        list.map((u) => u.account),
        ['alice'],
      );
    });

    it('seed --demo creates the demo developer, app and users', async (t) => {
      const { env, inspect } = await freshStore(t);
      const seed = await json<{ clientId: string; clientSecret: string; account: string; password: string; userId: string }>(
        ['seed', '--demo'],
        env,
      );
      assert.match(seed.clientId, /^2882303761517\d{6}$/);
      assert.equal(seed.account, 'demo');
      await inspect(async (ctx) => {
        assert.equal((await ctx.services.users.authenticate('demo', seed.password))?.userId, seed.userId);
        assert.deepEqual((await ctx.services.friends.list(seed.userId)).length, 1);
        assert.equal(await ctx.services.apps.verifySecret(seed.clientId, seed.clientSecret), true);
      });
      const nothing = await opal(['seed'], env);
      assert.equal(nothing.code, 2, nothing.stderr);
      assert.match(nothing.stderr, /^opal: nothing to seed: pass --demo or --file FILE$/m);
    });
  });
}

describe('opal CLI help and usage', () => {
  const commands = [
    [],
    ['serve'],
    ['migrate'],
    ['seed'],
    ['user'],
    ['user', 'create'],
    ['user', 'list'],
    ['user', 'show'],
    ['user', 'update'],
    ['user', 'passwd'],
    ['user', 'sessions'],
    ['user', 'sessions', 'revoke'],
    ['user', 'delete'],
    ['user', 'role'],
    ['user', 'lock'],
    ['user', 'unlock'],
    ['export'],
    ['import'],
    ['admin'],
    ['admin', 'token'],
    ...['create', 'list', 'revoke'].map((c) => ['admin', 'token', c]),
    ['app'],
    ['app', 'create'],
    ['app', 'list'],
    ['app', 'show'],
    ['app', 'update'],
    ['app', 'rotate-secret'],
    ['app', 'scopes'],
    ['app', 'delete'],
    ['app', 'fds-key'],
    ['app', 'rotate-fds-key'],
    ['friend'],
    ['friend', 'add'],
    ['friend', 'remove'],
    ['friend', 'list'],
    ['grant'],
    ['grant', 'list'],
    ['grant', 'revoke'],
    ['token'],
    ['token', 'inspect'],
    ['token', 'revoke'],
    ['pass'],
    ['pass', 'plan'],
    ['pass', 'plan', 'create'],
    ['pass', 'plan', 'list'],
    ['pass', 'issue'],
    ['pass', 'list'],
    ['pass', 'revoke'],
    ['fds'],
    ...['mb', 'rb', 'ls', 'put', 'get', 'rm', 'presign'].map((c) => ['fds', c]),
    ['fds', 'rekey'],
    ['fds', 'token'],
    ...['list', 'revoke', 'purge', 'bind', 'unbind', 'bindings'].map((c) => ['fds', 'token', c]),
  ];
  it('every command answers --help with exit code 0', async () => {
    const failures: string[] = [];
    for (const c of commands) {
      const r = await opal([...c, '--help'], {});
      const usage = `Usage: opal${c.length ? ` ${c.join(' ')}` : ''}`;
      if (r.code !== 0 || !r.stdout.startsWith(usage)) failures.push(`${c.join(' ')}: ${r.code} ${r.stdout.slice(0, 80)} ${r.stderr}`);
    }
    assert.deepEqual(failures, []);
    const real = await opalProcess(['--help'], {});
    assert.equal(real.code, 0, `${real.stdout}\n${real.stderr}`);
    for (const name of ['serve', 'migrate', 'seed', 'user', 'app', 'friend']) assert.match(real.stdout, new RegExp(`\\n  ${name}\\b`));
  });

  it('`npx opal` runs the CLI (package.json declares the opal bin)', async () => {
    const { code, stdout } = await opalProcess(['--help'], {}, { npx: true });
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: opal \[options\] \[command\]/);
  });

  it('unknown commands and options are usage errors (exit 2)', async () => {
    const [cmd, opt] = [await opal(['frobnicate'], {}), await opalProcess(['user', 'list', '--bogus'], {})];
    assert.equal(cmd.code, 2, `${cmd.stdout}\n${cmd.stderr}`);
    assert.match(cmd.stderr, /unknown command 'frobnicate'/);
    assert.equal(opt.code, 2, `${opt.stdout}\n${opt.stderr}`);
    assert.match(opt.stderr, /unknown option '--bogus'/);
  });

  it('usage errors have the JSON error shape with --json', async () => {
    const r = await opal(['user', 'create', '--account', 'x', '--json'], {});
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { error: "required option '--password <password>' not specified", code: 2 });
  });

  it('invalid configuration is reported with exit code 2', async () => {
    const r = await opalProcess(['user', 'list', '--json'], { OPAL_DATABASE_URL: 'mysql://x', OPAL_REDIS_URL: 'http://x' });
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
    const err = JSON.parse(r.stdout) as { error: string; code: number };
    assert.equal(err.code, 2);
    assert.match(err.error, /OPAL_DATABASE_URL: expected a postgres: or postgresql: URL/);
    assert.match(err.error, /OPAL_REDIS_URL: expected a redis: or rediss: URL/);
  });
});
