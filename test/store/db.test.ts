// The same store suite on SQLite and (with OPAL_TEST_DATABASE_URL) on PostgreSQL: users, developers,
// apps, friends, audit events, settings and the migration set.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { ConfigError } from '../../src/config.ts';
import { createContext } from '../../src/context.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../../src/lib/errors.ts';
import { CLIENT_ID_PREFIX } from '../../src/services/apps.ts';
import { migrate } from '../../src/store/db/migrate.ts';
import { MIGRATIONS } from '../../src/store/db/migrations/index.ts';
import { createTestContext, dbBackends, type TestContext } from '../helpers/env.ts';

for (const backend of dbBackends()) {
  describe(`database store on ${backend}`, () => {
    let t: TestContext;
    before(async () => {
      t = await createTestContext({ backend });
    });
    after(async () => {
      await t?.close();
    });

    // The users and the app the tests below create; a test that needs one finds it, or creates it
    // when it runs alone.
    const ALICE = {
      account: 'alice',
      password: 'alice-pass',
      nickname: 'Alice 爱丽丝',
      phone: '+8613800000001',
      email: 'alice@example.com',
      locale: 'zh-CN',
    };
    const BOB = { account: 'bob', password: 'bob-pass' };
    const CAROL = { account: 'carol', password: 'carol-pass' };
    const DEMO_APP = {
      name: 'Demo',
      developer: 'acme',
      redirectUris: 'https://a.example/cb;https://b.example/cb',
      scopes: [1, 3, 16000],
      flags: { bearer: true },
    };
    const user = async (u: { account: string; password: string }) =>
      (await t.ctx.services.users.find(u.account)) ?? (await t.ctx.services.users.create(u));

    it('uses the configured dialect', () => {
      assert.equal(t.ctx.db.dialect, backend);
    });

    it('migrations are applied once and re-running them is a no-op', async () => {
      const rows = await t.ctx.db.kysely
        .selectFrom('kysely_migration' as never)
        .select('name' as never)
        .execute();
      // Kysely applies migrations in name order.
      assert.deepEqual((rows as Array<{ name: string }>).map((r) => r.name).sort(), MIGRATIONS.map(([name]) => name).sort());
      assert.deepEqual(await migrate(t.ctx.db), { applied: [] });
      assert.deepEqual(await migrate(t.ctx.db), { applied: [] });
    });

    it('settings: getOrInit keeps the first value', async () => {
      const s = t.ctx.services.settings;
      assert.equal(await s.get('k1'), undefined);
      assert.equal(await s.getOrInit('k1', 'first'), 'first');
      assert.equal(await s.getOrInit('k1', 'second'), 'first');
      assert.equal(await s.get('k1'), 'first');
      // The server secret was created on first open and is stable.
      assert.equal(await s.get('server_secret'), t.ctx.serverSecret);
      assert.ok(t.ctx.serverSecret.length >= 32);
    });

    it('refuses to open the store with a server secret other than the one it was set up with', async () => {
      const current = await sql<{ s: string }>`SELECT current_schema() AS s`.execute(t.ctx.db.kysely).catch(() => undefined);
      const pgSchema = backend === 'postgres' ? current?.rows[0]?.s : undefined;
      const holdingFirstConnection = async (fn: () => Promise<void>) => {
        if (backend !== 'sqlite') return fn();
        const rows = t.ctx.db.kysely.selectFrom('settings').select('key').stream()[Symbol.asyncIterator]();
        await rows.next();
        try {
          await fn();
        } finally {
          await rows.return?.();
        }
      };
      const reopen = (secret?: string) =>
        createContext({ ...t.config, serverSecret: secret }, { full: false, ...(pgSchema ? { pgSchema } : {}) });
      // A second connection to the same SQLite file in this process: while the first holds the
      // write lock across an await (its background checkpoint, or a transaction: every one takes
      // the write lock), a synchronous write of the second blocks the event loop until the busy
      // timeout (SQLITE_BUSY after 5 s, seen in CI). A read in progress on the first (a stream)
      // holds its connection without the write lock, so its checkpoint waits for the reopens.
      await holdingFirstConnection(async () => {
        // The same (generated) secret: fine.
        await (await reopen(t.ctx.serverSecret)).close();
        await (await reopen()).close();
        await assert.rejects(reopen('y'.repeat(40)), (e: Error) => {
          assert.ok(e instanceof ConfigError);
          assert.match(e.message, /OPAL_SERVER_SECRET: differs from the secret this database was set up with/);
          return true;
        });
      });
    });

    describe('users', () => {
      it('creates a user with a decimal-string id and finds it by id, account, email and phone', async () => {
        const u = await t.ctx.services.users.create(ALICE);
        assert.equal(typeof u.userId, 'string');
        assert.match(u.userId, /^[1-9]\d{9}$/);
        assert.equal(u.nickname, 'Alice 爱丽丝');
        assert.equal(u.avatarUrl, '');
        assert.equal(u.locale, 'zh-CN');
        for (const ref of [u.userId, 'alice', 'alice@example.com', '+8613800000001']) {
          assert.deepEqual(await t.ctx.services.users.find(ref), u, ref);
        }
        assert.equal(await t.ctx.services.users.find('nobody'), undefined);
        // Stored as an argon2id hash, never the password.
        const row = await t.ctx.db.kysely.selectFrom('users').selectAll().where('user_id', '=', u.userId).executeTakeFirstOrThrow();
        assert.match(row.password_hash, /^\$argon2id\$/);
        assert.ok(!row.password_hash.includes('alice-pass'));
        assert.equal(typeof row.created_at, 'number');
      });

      it('defaults the nickname to the account and rejects duplicate logins', async () => {
        await user(ALICE);
        const u = await t.ctx.services.users.create(BOB);
        assert.equal(u.nickname, 'bob');
        assert.equal(u.phone, '');
        await assert.rejects(t.ctx.services.users.create({ account: 'bob', password: 'x-pass-1' }), ConflictError);
        await assert.rejects(
          t.ctx.services.users.create({ account: 'bob2', password: 'x-pass-1', email: 'alice@example.com' }),
          ConflictError,
        );
      });

      it('rejects invalid input, listing every problem, and stores nothing', async () => {
        const before = (await t.ctx.services.users.list()).length;
        await assert.rejects(
          t.ctx.services.users.create({ account: 'bad name', password: '123', email: 'nope', phone: 'abc', locale: 'fr' }),
          (e: Error) => {
            assert.ok(e instanceof InvalidInputError);
            for (const w of ['account', 'password', 'email', 'phone', 'locale']) assert.match(e.message, new RegExp(w));
            return true;
          },
        );
        assert.equal((await t.ctx.services.users.list()).length, before);
      });

      it('authenticates by any login identifier and only with the right password', async () => {
        const users = t.ctx.services.users;
        await user(ALICE);
        assert.equal((await users.authenticate('alice', 'alice-pass'))?.account, 'alice');
        assert.equal((await users.authenticate('alice@example.com', 'alice-pass'))?.account, 'alice');
        assert.equal(await users.authenticate('alice', 'wrong-pass'), undefined);
        assert.equal(await users.authenticate('nobody', 'alice-pass'), undefined);
      });

      it('changes passwords and profiles', async () => {
        const users = t.ctx.services.users;
        await user(ALICE);
        const bob = await user(BOB);
        await users.setPassword(bob.userId, 'new-bob-pass');
        assert.equal(await users.verifyPassword(bob.userId, 'bob-pass'), false);
        assert.equal(await users.verifyPassword(bob.userId, 'new-bob-pass'), true);
        await assert.rejects(users.setPassword(bob.userId, '1'), InvalidInputError);
        await assert.rejects(users.setPassword('1234567890', 'whatever-1'), NotFoundError);
        const u = await users.update(bob.userId, { nickname: 'Bobby', email: 'bob@example.com', avatarUrl: 'https://img.example/b.png' });
        assert.equal(u.nickname, 'Bobby');
        assert.equal(u.email, 'bob@example.com');
        assert.equal(u.avatarUrl, 'https://img.example/b.png');
        const cleared = await users.update(bob.userId, { email: '', avatarUrl: '' });
        assert.equal(cleared.email, '');
        assert.equal(cleared.avatarUrl, '');
        await assert.rejects(users.update(bob.userId, { avatarUrl: 'javascript:alert(1)' }), InvalidInputError);
        // Another user's login cannot become this user's email or phone.
        await assert.rejects(users.update(bob.userId, { email: 'alice@example.com' }), ConflictError);
        await assert.rejects(users.update(bob.userId, { phone: '+8613800000001' }), ConflictError);
        // Keeping one's own email is fine.
        assert.equal((await users.update(bob.userId, { email: 'bob@example.com' })).email, 'bob@example.com');
        await assert.rejects(users.update('1234567890', { nickname: 'x' }), NotFoundError);
      });

      it('lists users in creation order with limit and offset', async () => {
        await user(ALICE);
        await user(BOB);
        const all = await t.ctx.services.users.list();
        assert.deepEqual(
          all.map((u) => u.account),
          ['alice', 'bob'],
        );
        assert.deepEqual(
          (await t.ctx.services.users.list(1, 1)).map((u) => u.account),
          ['bob'],
        );
      });
    });

    describe('developers and apps', () => {
      it('finds or creates developers by name', async () => {
        const apps = t.ctx.services.apps;
        const d1 = await apps.developer('acme');
        const d2 = await apps.developer('acme');
        assert.deepEqual(d1, d2);
        assert.match(d1.id, /^\d{12}$/);
        assert.deepEqual(await apps.getDeveloper(d1.id), d1);
        assert.ok((await apps.listDevelopers()).some((d) => d.name === 'acme'));
        await assert.rejects(apps.developer('bad name!'), InvalidInputError);
      });

      it('creates apps with 19-digit client ids and keyed-hash secrets', async () => {
        const apps = t.ctx.services.apps;
        const { app, clientSecret } = await apps.create(DEMO_APP);
        assert.match(app.clientId, new RegExp(`^${CLIENT_ID_PREFIX}\\d{6}$`));
        assert.equal(app.clientId.length, 19);
        assert.deepEqual(app.scopes, [1, 3, 16000]);
        assert.deepEqual(app.flags, { bearer: true });
        assert.equal(app.developerId, (await apps.developer('acme')).id);
        assert.deepEqual(await apps.get(app.clientId), app);
        const row = await t.ctx.db.kysely.selectFrom('apps').selectAll().where('client_id', '=', app.clientId).executeTakeFirstOrThrow();
        assert.match(row.secret_hash, /^[0-9a-f]{64}$/);
        assert.ok(!row.secret_hash.includes(clientSecret));
        assert.equal(await apps.verifySecret(app.clientId, clientSecret), true);
        assert.equal(await apps.verifySecret(app.clientId, `${clientSecret}x`), false);
        assert.equal(await apps.verifySecret('2882303761517000000', clientSecret), false);
      });

      it('validates app input', async () => {
        const apps = t.ctx.services.apps;
        await assert.rejects(apps.create({ name: '', redirectUris: 'https://a.example/' }), InvalidInputError);
        await assert.rejects(apps.create({ name: 'x', redirectUris: '' }), InvalidInputError);
        await assert.rejects(apps.create({ name: 'x', redirectUris: 'not a url' }), InvalidInputError);
        await assert.rejects(apps.create({ name: 'x', redirectUris: 'javascript:alert(1)' }), InvalidInputError);
      });

      it('rotates secrets, sets scopes, merges flags, lists and deletes', async () => {
        const apps = t.ctx.services.apps;
        const app = (await apps.list((await apps.developer('acme')).id))[0] ?? (await apps.create(DEMO_APP)).app;
        const secret = await apps.rotateSecret(app.clientId);
        assert.equal(await apps.verifySecret(app.clientId, secret), true);
        assert.deepEqual((await apps.setScopes(app.clientId, [1, 2])).scopes, [1, 2]);
        await assert.rejects(apps.update(app.clientId, { name: ' ' }), InvalidInputError);
        const updated = await apps.update(app.clientId, { name: 'Renamed', flags: { exactRedirect: true } });
        assert.equal(updated.name, 'Renamed');
        assert.deepEqual(updated.flags, { bearer: true, exactRedirect: true });
        const other = await apps.create({ name: 'Other', redirectUris: 'https://o.example/' });
        assert.deepEqual((await apps.list()).map((a) => a.clientId).sort(), [app.clientId, other.app.clientId].sort());
        await apps.delete(other.app.clientId);
        assert.equal(await apps.get(other.app.clientId), undefined);
        await assert.rejects(apps.delete(other.app.clientId), NotFoundError);
        await assert.rejects(apps.rotateSecret(other.app.clientId), NotFoundError);
        await assert.rejects(apps.setScopes(other.app.clientId, [1]), NotFoundError);
      });
    });

    describe('friends', () => {
      it('adds relations in both directions, idempotently', async () => {
        const { users, friends } = t.ctx.services;
        const carol = await users.create(CAROL);
        const [alice, bob] = [await user(ALICE), await user(BOB)];
        await friends.add(alice.userId, bob.userId);
        await friends.add(alice.userId, bob.userId);
        await friends.add(carol.userId, alice.userId);
        assert.deepEqual((await friends.list(alice.userId)).sort(), [bob.userId, carol.userId].sort());
        assert.deepEqual(await friends.list(bob.userId), [alice.userId]);
        await assert.rejects(friends.add(alice.userId, alice.userId), InvalidInputError);
        await assert.rejects(friends.add(alice.userId, '1234567890'), NotFoundError);
      });

      it('removes relations in both directions and when a user is deleted', async () => {
        const { users, friends } = t.ctx.services;
        const [alice, bob, carol] = [await user(ALICE), await user(BOB), await user(CAROL)];
        // The relations the test before leaves (adding is idempotent).
        await friends.add(alice.userId, bob.userId);
        await friends.add(carol.userId, alice.userId);
        assert.equal(await friends.remove(bob.userId, alice.userId), true);
        assert.equal(await friends.remove(bob.userId, alice.userId), false);
        assert.deepEqual(await friends.list(alice.userId), [carol.userId]);
        await users.delete(carol.userId);
        assert.deepEqual(await friends.list(alice.userId), []);
        assert.equal(await users.get(carol.userId), undefined);
        await assert.rejects(users.delete(carol.userId), NotFoundError);
      });
    });

    describe('audit events', () => {
      it('records events and lists them newest first, filtered by type or subject', async () => {
        const audit = t.ctx.services.audit;
        await audit.record({ type: 'login.ok', actor: 'u1', subject: 'u1', ip: '127.0.0.1', detail: { via: 'password' } });
        await audit.record({ type: 'token.revoked', subject: 'u1', clientId: '2882303761517000001' });
        await audit.record({ type: 'login.ok', subject: 'u2' });
        const all = await audit.list();
        assert.deepEqual(
          all.slice(0, 3).map((e) => e.type),
          ['login.ok', 'token.revoked', 'login.ok'],
        );
        const first = all[2];
        assert.ok(first);
        assert.equal(first.actor, 'u1');
        assert.equal(first.ip, '127.0.0.1');
        assert.deepEqual(JSON.parse(first.detail), { via: 'password' });
        assert.equal(typeof first.at, 'number');
        assert.deepEqual(
          (await audit.list({ type: 'login.ok' })).map((e) => e.subject),
          ['u2', 'u1'],
        );
        assert.deepEqual(
          (await audit.list({ subject: 'u1' })).map((e) => e.type),
          ['token.revoked', 'login.ok'],
        );
        assert.equal((await audit.list({ limit: 1 })).length, 1);
      });
    });
  });
}
