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
import { sql, type Transaction } from 'kysely';
import { OidcKeys } from '../../src/services/oidc/keys.ts';
import { type Db, openDb } from '../../src/store/db/connect.ts';
import { newBucket } from '../../src/store/db/fds/columns.ts';
import { createFdsRepos } from '../../src/store/db/fds/repos.ts';
import { FdsDb } from '../../src/store/db/fds/transactions.ts';
import { migrate } from '../../src/store/db/migrate.ts';
import { OidcRepo } from '../../src/store/db/oidc-repo.ts';
import type { Database } from '../../src/store/db/schema.ts';
import { tmpDir } from '../helpers/env.ts';
import { gate, track, until } from '../helpers/settling.ts';

const dir = tmpDir('opal-read-fence-');
after(() => dir.remove());

async function store(file: string) {
  const db = await openDb({ dataDir: dir.path, sqliteFile: file });
  await migrate(db);
  await sql`insert into settings (key, value) values ('taken', 'x')`.execute(db.kysely);
  return { db, repos: createFdsRepos(db.kysely, 'sqlite', Date.now, undefined, () => db.readFence()) };
}

const bucket = (name: string) => newBucket(name, '1', 1, {});

/**
 * The race each test stages: `write` runs in a transaction that then holds the connection; `read`
 * and a write that makes SQLite roll back the whole batch (OR ROLLBACK on a taken settings key)
 * queue behind it, in this order; then the holder lets go. The write and the rollback fail; the
 * read's outcome is returned.
 */
async function readDuringLostBatch<T>(db: Db, write: (trx: Transaction<Database>) => Promise<unknown>, read: () => Promise<T>) {
  const held = gate();
  const writer = track(
    db.kysely.transaction().execute(async (trx) => {
      await write(trx);
      await held.wait;
    }),
  );
  await sleep(5);
  const reader = track(read());
  await sleep(5);
  const rollback = track(sql`insert or rollback into settings (key, value) values ('taken', 'y')`.execute(db.kysely));
  await sleep(5);
  held.open();
  await until(() => writer.done && reader.done && rollback.done, 'the write, the read and the rollback');
  assert.match(String(rollback.error), /UNIQUE constraint failed/);
  assert.ok(writer.error instanceof Error, 'the write was told it failed');
  return reader;
}

describe('reads acted on for good, on the embedded store', () => {
  it('hands out a dead blob only once its mark is durable, and never one whose mark was rolled back', async () => {
    const { db, repos } = await store('blob-gc.db');
    const d = new FdsDb(db.kysely, 'sqlite', Date.now, () => db.readFence());
    const read = await readDuringLostBatch(
      db,
      (trx) => d.markDead(trx, ['k1']),
      () => repos.blobGc.collectable(Date.now() - 3_600_000, 200),
    );
    assert.ok(read.error instanceof Error, `the read handed out ${JSON.stringify(read.value)}`);
    assert.deepEqual(await repos.blobGc.collectable(Date.now() - 3_600_000, 200), [], 'k1 is not dead: its mark was rolled back');

    // The same mark, committed: handed out once durable.
    await db.kysely.transaction().execute((trx) => d.markDead(trx, ['k1']));
    assert.deepEqual(await repos.blobGc.collectable(Date.now() - 3_600_000, 200), ['k1']);
    await db.close();
  });

  it('hands out an expired non-current version only once its demotion is durable, never one whose demotion was rolled back', async () => {
    const { db, repos } = await store('expired.db');
    await repos.buckets.create(bucket('life'));
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
    const read = await readDuringLostBatch(
      db,
      (trx) => sql`update fds_objects set is_current = 0, noncurrent_at = 3 where version_id = 'v1'`.execute(trx),
      () => repos.objects.expired('life', '', Date.now(), false, 1000),
    );
    assert.ok(read.error instanceof Error, `the read handed out ${JSON.stringify(read.value?.map((v) => v.version_id))}`);
    assert.equal((await repos.objects.current('life', 'n'))?.version_id, 'v1', 'v1 is still current');
    assert.deepEqual(await repos.objects.expired('life', '', Date.now(), false, 1000), []);
    await db.close();
  });

  it('reads the buckets with lifecycle rules only once the rules are durable, never rules that were lost', async () => {
    const { db, repos } = await store('rules.db');
    await repos.buckets.create(bucket('rules'));
    const read = await readDuringLostBatch(
      db,
      (trx) => sql`update fds_buckets set lifecycle = '{"rules":[]}' where name = 'rules'`.execute(trx),
      () => repos.buckets.withLifecycle(),
    );
    assert.ok(read.error instanceof Error, `the read handed out ${JSON.stringify(read.value?.map((b) => b.name))}`);
    assert.deepEqual(await repos.buckets.withLifecycle(), []);
    await db.close();
  });

  it('signs with a key another request is creating only once it is durable, never with one that was lost', async () => {
    const secret = 's'.repeat(40);
    // A real key row, made on another store with the same server secret.
    const elsewhere = await store('oidc-elsewhere.db');
    const madeElsewhere = new OidcRepo(elsewhere.db.kysely, () => elsewhere.db.readFence());
    await new OidcKeys(madeElsewhere, () => secret, Date.now).signing('RS256');
    const [row] = await madeElsewhere.keys(0);
    assert.ok(row);
    await elsewhere.db.close();

    const { db } = await store('oidc.db');
    const keys = new OidcKeys(new OidcRepo(db.kysely, () => db.readFence()), () => secret, Date.now);
    const signer = await readDuringLostBatch(
      db,
      (trx) => trx.insertInto('oidc_keys').values(row).execute(),
      () => keys.signing('RS256'),
    );
    assert.ok(signer.error instanceof Error, `signed with ${signer.value?.kid}, a key that is gone`);
    const next = await keys.signing('RS256');
    assert.notEqual(next.kid, row.kid, 'a new key, durable, signs instead');
    await db.close();
  });
});
