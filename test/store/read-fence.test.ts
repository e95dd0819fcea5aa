// Reads acted on for good, on the embedded store: reads see writes a few milliseconds before they
// commit (the turn's batch, src/store/db/sqlite-driver.ts), so what the sweeper reads (blobs to
// free, blob-gc-repo.ts; versions to expire, objects-repo.ts; buckets' lifecycle rules,
// buckets-repo.ts) and an OIDC signing key another request is creating (services/oidc/keys.ts) are
// used only once what the read saw is durable. What a batch that SQLite then rolls back wrote is
// never used: a blob still referenced is never freed, a current version never deleted, a lost rule
// never applied, and no id_token is signed with a key that is gone.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { OidcKeys } from '../../src/services/oidc/keys.ts';
import { openDb } from '../../src/store/db/connect.ts';
import { FdsBlobGcRepo } from '../../src/store/db/fds/blob-gc-repo.ts';
import { createFdsRepos } from '../../src/store/db/fds/repos.ts';
import { FdsDb } from '../../src/store/db/fds/transactions.ts';
import { migrate } from '../../src/store/db/migrate.ts';
import { OidcRepo } from '../../src/store/db/oidc-repo.ts';
import { tmpDir } from '../helpers/env.ts';
import { gate, track, until } from '../helpers/settling.ts';

const dir = tmpDir('opal-blob-gc-');
after(() => dir.remove());

describe('reads acted on for good, on the embedded store', () => {
  it('hands out a dead blob only once its mark is durable, and never one whose mark was rolled back', async () => {
    const db = await openDb({ dataDir: dir.path });
    await migrate(db);
    const d = new FdsDb(db.kysely, 'sqlite', Date.now, () => db.readFence());
    const gc = new FdsBlobGcRepo(d);
    await gc.pending('upload-in-progress');
    const held = gate();
    // A delete marks k1 dead and holds the connection; the sweeper's read and a write that makes
    // SQLite roll back the whole batch queue behind it, in this order.
    const del = track(
      db.kysely.transaction().execute(async (trx) => {
        await d.markDead(trx, ['k1']);
        await held.wait;
      }),
    );
    await sleep(5);
    const read = track(gc.collectable(Date.now() - 3_600_000, 200));
    await sleep(5);
    const rollback = track(
      sql`insert or rollback into fds_blob_gc (blob_key, state, at) values ('upload-in-progress', 'dead', 0)`.execute(db.kysely),
    );
    await sleep(5);
    held.open();
    await until(() => del.done && read.done && rollback.done, 'the three');
    assert.ok(rollback.error instanceof Error);
    assert.ok(del.error instanceof Error, 'the delete was told it failed');
    assert.ok(read.error instanceof Error, `the read handed out ${JSON.stringify(read.value)}`);
    assert.deepEqual(await gc.collectable(Date.now() - 3_600_000, 200), [], 'k1 is not dead: its mark was rolled back');

    // The same mark, committed: handed out once durable.
    await db.kysely.transaction().execute((trx) => d.markDead(trx, ['k1']));
    assert.deepEqual(await gc.collectable(Date.now() - 3_600_000, 200), ['k1']);
    await db.close();
  });

  it('hands out an expired non-current version only once its demotion is durable, never one whose demotion was rolled back', async () => {
    const db = await openDb({ dataDir: dir.path, sqliteFile: 'expired.db' });
    await migrate(db);
    const repos = createFdsRepos(db.kysely, 'sqlite', Date.now, undefined, () => db.readFence());
    const b = { name: 'life', owner_id: '1', created_at: 1, acl: {}, versioning: null, lifecycle: null, cors: null, configs: {} };
    await repos.buckets.create(b);
    await repos.objects.commit({
      version_id: 'v1',
      bucket: 'life',
      name: 'n',
      is_current: 1,
      size: 1,
      md5: 'd41d8cd98f00b204e9800998ecf8427e',
      content_type: 'text/plain',
      meta: {},
      acl: {},
      owner_id: '1',
      blob_key: 'blob-v1',
      storage_class: null,
      created_at: 2,
      noncurrent_at: null,
    });
    await repos.blobGc.pending('upload-in-progress');
    const held = gate();
    // A write demotes v1 and holds the connection; the sweeper's read and a write that makes SQLite
    // roll back the whole batch queue behind it, in this order.
    const demote = track(
      db.kysely.transaction().execute(async (trx) => {
        await sql`update fds_objects set is_current = 0, noncurrent_at = 3 where version_id = 'v1'`.execute(trx);
        await held.wait;
      }),
    );
    await sleep(5);
    const read = track(repos.objects.expired('life', '', Date.now(), false, 1000));
    await sleep(5);
    const rollback = track(
      sql`insert or rollback into fds_blob_gc (blob_key, state, at) values ('upload-in-progress', 'dead', 0)`.execute(db.kysely),
    );
    await sleep(5);
    held.open();
    await until(() => demote.done && read.done && rollback.done, 'the three');
    assert.ok(demote.error instanceof Error, 'the demotion was told it failed');
    assert.ok(read.error instanceof Error, `the read handed out ${JSON.stringify(read.value?.map((v) => v.version_id))}`);
    assert.equal((await repos.objects.current('life', 'n'))?.version_id, 'v1', 'v1 is still current');
    assert.deepEqual(await repos.objects.expired('life', '', Date.now(), false, 1000), []);
    await db.close();
  });

  it('reads the buckets with lifecycle rules only once the rules are durable, never rules that were lost', async () => {
    const db = await openDb({ dataDir: dir.path, sqliteFile: 'rules.db' });
    await migrate(db);
    const repos = createFdsRepos(db.kysely, 'sqlite', Date.now, undefined, () => db.readFence());
    await repos.buckets.create({
      name: 'rules',
      owner_id: '1',
      created_at: 1,
      acl: {},
      versioning: null,
      lifecycle: null,
      cors: null,
      configs: {},
    });
    await repos.blobGc.pending('upload-in-progress');
    const held = gate();
    // A write sets the bucket's rules and holds the connection; the sweeper's read and a write
    // that makes SQLite roll back the whole batch queue behind it, in this order.
    const setRules = track(
      db.kysely.transaction().execute(async (trx) => {
        await sql`update fds_buckets set lifecycle = '{"rules":[]}' where name = 'rules'`.execute(trx);
        await held.wait;
      }),
    );
    await sleep(5);
    const read = track(repos.buckets.withLifecycle());
    await sleep(5);
    const rollback = track(
      sql`insert or rollback into fds_blob_gc (blob_key, state, at) values ('upload-in-progress', 'dead', 0)`.execute(db.kysely),
    );
    await sleep(5);
    held.open();
    await until(() => setRules.done && read.done && rollback.done, 'the three');
    assert.ok(setRules.error instanceof Error, 'the change was told it failed');
    assert.ok(read.error instanceof Error, `the read handed out ${JSON.stringify(read.value?.map((b) => b.name))}`);
    assert.deepEqual(await repos.buckets.withLifecycle(), []);
    await db.close();
  });

  it('signs with a key another request is creating only once it is durable, never with one that was lost', async () => {
    const secret = 's'.repeat(40);
    // A real key row, made on another store with the same server secret.
    const elsewhere = await openDb({ dataDir: dir.path, sqliteFile: 'oidc-elsewhere.db' });
    await migrate(elsewhere);
    const madeElsewhere = new OidcRepo(elsewhere.kysely, () => elsewhere.readFence());
    await new OidcKeys(madeElsewhere, () => secret, Date.now).signing('RS256');
    const [row] = await madeElsewhere.keys(0);
    assert.ok(row);
    await elsewhere.close();

    const db = await openDb({ dataDir: dir.path, sqliteFile: 'oidc.db' });
    await migrate(db);
    const keys = new OidcKeys(new OidcRepo(db.kysely, () => db.readFence()), () => secret, Date.now);
    await sql`insert into settings (key, value) values ('taken', 'x')`.execute(db.kysely);
    const held = gate();
    // Another request creates the key and holds the connection; the signer's read and a write
    // that makes SQLite roll back the whole batch queue behind it, in this order.
    const creating = track(
      db.kysely.transaction().execute(async (trx) => {
        await trx.insertInto('oidc_keys').values(row).execute();
        await held.wait;
      }),
    );
    await sleep(5);
    const signer = track(keys.signing('RS256'));
    await sleep(5);
    const rollback = track(sql`insert or rollback into settings (key, value) values ('taken', 'y')`.execute(db.kysely));
    await sleep(5);
    held.open();
    await until(() => creating.done && signer.done && rollback.done, 'the three');
    assert.ok(creating.error instanceof Error, 'the key creation was told it failed');
    assert.ok(signer.error instanceof Error, `signed with ${signer.value?.kid}, a key that is gone`);
    const next = await keys.signing('RS256');
    assert.notEqual(next.kid, row.kid, 'a new key, durable, signs instead');
    await db.close();
  });
});
