// The embedded store's driver (src/store/db/sqlite-driver.ts): writes are acknowledged only after
// a WAL sync that started after their commit, concurrent writers share syncs and one turn's writes
// one commit, a failing write or sync fails only what it must, transactions stay isolated,
// checkpoints reach the database file, and every acknowledged write survives a SIGKILL of the
// writing process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, openSync, readSync, statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep, setImmediate as tick } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { SqliteStoreDialect } from '../../src/store/db/sqlite-dialect.ts';
import type { SqliteStoreDriver } from '../../src/store/db/sqlite-driver.ts';
import type { DataSync } from '../../src/store/db/wal-sync.ts';
import { MEMBER } from '../../src/store/db/write-batch.ts';
import { readFirstWrites } from '../fixtures/read-first-writes.ts';
import { tmpDir } from '../helpers/env.ts';
import { gate, track, until } from '../helpers/settling.ts';

interface Db {
  items: { id: number; name: string };
}

const dir = tmpDir('opal-sqlite-driver-');
after(() => dir.remove());
let n = 0;

async function open(opts: { dataSync?: DataSync; checkpointIntervalMs?: number; onWriteLost?: () => void } = {}) {
  const path = join(dir.path, `db${++n}.sqlite`);
  const dialect = new SqliteStoreDialect({ path, ...opts });
  const db = new Kysely<Db>({ dialect });
  await sql`create table items (id integer primary key, name text not null unique)`.execute(db);
  const driver = dialect.driver as SqliteStoreDriver;
  return { db, driver, path };
}

/** A WAL sync that, once armed, waits for the test to release each call. */
function gatedSync() {
  const g = { armed: false, gates: [] as Array<() => void>, sync: undefined as unknown as DataSync };
  g.sync = async (fh: FileHandle) => {
    if (g.armed) await new Promise<void>((r) => g.gates.push(r));
    await fh.datasync();
  };
  return g;
}

async function ticks(k = 5) {
  for (let i = 0; i < k; i++) await tick();
}

describe('embedded store driver', () => {
  it("sets up its connection: WAL, synchronous=NORMAL, temporary files in memory, zeroed free pages, SQLite's 2 MiB page cache", async () => {
    const { db } = await open();
    const pragma = async (name: string) => Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0];
    assert.equal(await pragma('journal_mode'), 'wal');
    assert.equal(await pragma('synchronous'), 1);
    assert.equal(await pragma('temp_store'), 2);
    assert.equal(await pragma('secure_delete'), 1);
    // better-sqlite3 compiles in 16 MiB, which a busy token endpoint fills and keeps.
    assert.equal(await pragma('cache_size'), -2000);
    await db.destroy();
  });

  it('200 concurrent inserts share a handful of WAL syncs and all persist', async () => {
    const { db, driver } = await open();
    const before = driver.syncs;
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        db
          .insertInto('items')
          .values({ id: i + 1, name: `n${i}` })
          .execute(),
      ),
    );
    const syncs = driver.syncs - before;
    assert.ok(syncs >= 1 && syncs <= 10, `200 writes took ${syncs} syncs`);
    const { c } = await db
      .selectFrom('items')
      .select((e) => e.fn.countAll<number>().as('c'))
      .executeTakeFirstOrThrow();
    assert.equal(c, 200);
    await db.destroy();
  });

  it('acknowledges a write only after a sync that started after its commit', async () => {
    const g = gatedSync();
    const { db, driver } = await open({ dataSync: g.sync, checkpointIntervalMs: 600_000 });
    g.armed = true;
    const base = driver.syncs;
    const a = track(db.insertInto('items').values({ id: 1, name: 'a' }).execute());
    await ticks();
    assert.equal(driver.syncs, base + 1, 'the first commit started a sync');
    assert.equal(a.done, false, 'not acknowledged while its sync runs');
    // Committed already: readers see it (durability, not visibility, is what is awaited).
    assert.equal((await db.selectFrom('items').selectAll().execute()).length, 1);
    const b = track(db.insertInto('items').values({ id: 2, name: 'b' }).execute());
    const c = track(db.insertInto('items').values({ id: 3, name: 'c' }).execute());
    await ticks();
    assert.equal(driver.syncs, base + 1, 'one sync in flight at a time');
    g.gates.shift()?.();
    await until(() => a.done, 'a');
    assert.equal(a.error, undefined);
    await until(() => g.gates.length === 1, 'the second sync');
    // b and c committed while the first sync ran: that sync does not cover them.
    assert.equal(b.done, false, 'b waits for the next sync');
    assert.equal(c.done, false, 'c waits for the next sync');
    assert.equal(driver.syncs, base + 2, 'b and c share the second sync');
    g.gates.shift()?.();
    await until(() => b.done && c.done, 'b and c');
    assert.deepEqual([b.error, c.error], [undefined, undefined]);
    await db.destroy();
  });

  it('a failing write fails alone; its concurrent neighbours are acknowledged and durable', async () => {
    const { db, path } = await open();
    await db.insertInto('items').values({ id: 1000, name: 'taken' }).execute();
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        db
          .insertInto('items')
          .values({ id: i + 1, name: i % 10 === 0 ? 'taken' : `n${i}` })
          .execute(),
      ),
    );
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
    assert.deepEqual(
      failed,
      Array.from({ length: 10 }, (_, i) => i * 10),
    );
    for (const i of failed) assert.match(String((results[i] as PromiseRejectedResult).reason), /UNIQUE constraint failed/);
    await db.destroy();
    const raw = new SQLite(path, { readonly: true });
    assert.equal((raw.prepare('select count(*) c from items').get() as { c: number }).c, 91);
    raw.close();
  });

  it('a failed sync rejects the writes it covered and every later write; reads go on', async () => {
    let fail = false;
    const { db } = await open({
      dataSync: async (fh) => {
        if (fail) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
        await fh.datasync();
      },
    });
    await db.insertInto('items').values({ id: 1, name: 'before' }).execute();
    fail = true;
    await assert.rejects(db.insertInto('items').values({ id: 2, name: 'lost' }).execute(), /write-ahead log sync failed.*EIO/);
    fail = false;
    await assert.rejects(db.insertInto('items').values({ id: 3, name: 'after' }).execute(), /writes are refused until a restart/);
    assert.equal((await db.selectFrom('items').where('id', '=', 3).selectAll().execute()).length, 0, 'a refused write is not committed');
    await assert.rejects(
      db.transaction().execute((trx) => trx.insertInto('items').values({ id: 4, name: 'tx' }).execute()),
      /writes are refused/,
    );
    assert.equal((await db.selectFrom('items').where('id', '=', 4).selectAll().execute()).length, 0, 'nor a refused transaction');
    assert.equal((await db.selectFrom('items').selectAll().execute()).length >= 1, true);
    await db.destroy();
  });

  it('an open transaction is isolated from concurrent statements', async () => {
    const { db } = await open();
    let outsideSaw: string[] | undefined;
    let outsideWrite: Promise<unknown> | undefined;
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ id: 1, name: 'inside' }).execute();
        // Other requests act while the transaction waits on something else.
        outsideWrite = db.insertInto('items').values({ id: 2, name: 'outside' }).execute();
        void db
          .selectFrom('items')
          .select('name')
          .execute()
          .then((rows) => {
            outsideSaw = rows.map((r) => r.name);
          });
        await sleep(30);
        assert.equal(outsideSaw, undefined, 'the outside read waits for the transaction');
        throw new Error('abort');
      }),
      /abort/,
    );
    await outsideWrite;
    await ticks();
    // Served in arrival order after the rollback: the outside write, then the read.
    assert.deepEqual(outsideSaw, ['outside'], 'the outside read never saw the rolled-back row');
    const rows = await db.selectFrom('items').select('name').execute();
    assert.deepEqual(
      rows.map((r) => r.name),
      ['outside'],
      'the outside write was not part of the rolled-back transaction',
    );
    await db.destroy();
  });

  it('a committed transaction releases the connection before waiting for its sync', async () => {
    const g = gatedSync();
    const { db } = await open({ dataSync: g.sync, checkpointIntervalMs: 600_000 });
    g.armed = true;
    const t1 = track(db.transaction().execute((trx) => trx.insertInto('items').values({ id: 1, name: 't1' }).execute()));
    await ticks();
    assert.equal(t1.done, false, 't1 waits for its sync');
    // The next transaction runs and commits meanwhile.
    const t2 = track(db.transaction().execute((trx) => trx.insertInto('items').values({ id: 2, name: 't2' }).execute()));
    await ticks();
    assert.equal((await db.selectFrom('items').selectAll().execute()).length, 2, 't2 committed while t1 awaited durability');
    const releasing = setInterval(() => g.gates.shift()?.(), 5);
    try {
      await until(() => t1.done && t2.done, 't1 and t2');
    } finally {
      clearInterval(releasing);
    }
    assert.deepEqual([t1.error, t2.error], [undefined, undefined]);
    await db.destroy();
  });

  it('the writes of one turn commit together; a failing transaction is rolled back alone', async () => {
    const { db, driver, path } = await open();
    const before = driver.commits;
    const results = await Promise.allSettled([
      ...Array.from({ length: 40 }, (_, i) =>
        db.transaction().execute(async (trx) => {
          await trx
            .insertInto('items')
            .values({ id: 2 * i + 1, name: `t${i}a` })
            .execute();
          await trx
            .insertInto('items')
            .values({ id: 2 * i + 2, name: `t${i}b` })
            .execute();
          if (i % 4 === 3) throw new Error(`abort ${i}`);
        }),
      ),
      ...Array.from({ length: 20 }, (_, i) =>
        db
          .insertInto('items')
          .values({ id: 1000 + i, name: `s${i}` })
          .execute(),
      ),
    ]);
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
    assert.deepEqual(failed, [3, 7, 11, 15, 19, 23, 27, 31, 35, 39]);
    const commits = driver.commits - before;
    assert.ok(commits >= 1 && commits <= 3, `60 writers took ${commits} commits`);
    await db.destroy();
    const raw = new SQLite(path, { readonly: true });
    const names = new Set((raw.prepare('select name from items').all() as Array<{ name: string }>).map((r) => r.name));
    raw.close();
    assert.equal(names.size, 30 * 2 + 20);
    for (let i = 0; i < 40; i++) assert.equal(names.has(`t${i}a`) && names.has(`t${i}b`), i % 4 !== 3, `transaction ${i}`);
  });

  it('a write that makes SQLite roll back the whole batch fails every write in it; later writes go on', async () => {
    let lost = 0;
    const { db } = await open({ onWriteLost: () => lost++ });
    await db.insertInto('items').values({ id: 100, name: 'taken' }).execute();
    const held = gate();
    // t0 writes and holds the connection; a, b and c queue behind it, in this order.
    const t0 = track(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ id: 1, name: 't0' }).execute();
        await held.wait;
      }),
    );
    await sleep(5);
    const a = track(db.insertInto('items').values({ id: 2, name: 'a' }).execute());
    await sleep(5);
    const b = track(db.transaction().execute((trx) => trx.insertInto('items').values({ id: 3, name: 'b' }).execute()));
    await sleep(5);
    // OR ROLLBACK: on the conflict SQLite rolls back the whole transaction, that is the batch.
    const c = track(sql`insert or rollback into items (id, name) values (4, 'taken')`.execute(db));
    await sleep(5);
    held.open();
    await until(() => t0.done && a.done && b.done && c.done, 'the four writes');
    assert.match(String(c.error), /UNIQUE constraint failed/);
    for (const [name, w] of Object.entries({ t0, a, b })) {
      // Their own error, not c's: a unique violation would tell them something false.
      assert.match(String(w.error), /rolled back with the other writes of its turn/, `${name} was told its write is lost`);
      assert.equal((w.error as { code?: string }).code, undefined);
    }
    const names = (await db.selectFrom('items').select('name').execute()).map((r) => r.name);
    assert.deepEqual(names, ['taken'], 'nothing of the batch was kept');
    assert.equal(lost, 1, 'the loss was reported once (caches drop what reads saw)');
    await db.insertInto('items').values({ id: 5, name: 'after' }).execute();
    assert.equal((await db.selectFrom('items').selectAll().execute()).length, 2);
    await db.destroy();
  });

  it('a transaction that goes on after SQLite rolled its batch back fails, and writes nothing more', async () => {
    const { db } = await open();
    await db.insertInto('items').values({ id: 100, name: 'taken' }).execute();
    const t = db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 1, name: 'first' }).execute();
      await sql`insert or rollback into items (id, name) values (2, 'taken')`.execute(trx).catch(() => undefined);
      await trx.insertInto('items').values({ id: 3, name: 'after the rollback' }).execute();
    });
    await assert.rejects(t, /rolled back with the other writes of its turn/);
    const names = (await db.selectFrom('items').select('name').execute()).map((r) => r.name);
    assert.deepEqual(names, ['taken']);
    await db.destroy();
  });

  it('a transaction whose savepoint cannot be rolled back rolls its whole batch back; later writes go on', async () => {
    let lost = 0;
    const { db, driver } = await open({ onWriteLost: () => lost++ });
    await db.insertInto('items').values({ id: 100, name: 'before' }).execute();
    // Both join the turn's batch: the single write first, then the transaction, which ends its own
    // savepoint early (its write is now the batch's) and fails, so that `rollback to` has nothing
    // to undo it with: only the whole batch can go.
    const a = track(db.insertInto('items').values({ id: 1, name: 'a' }).execute());
    const t = track(
      db.transaction().execute(async (trx) => {
        assert.equal(driver.currentBatch()?.wrote, true, "the neighbour's write is in the batch this transaction joins");
        await trx.insertInto('items').values({ id: 2, name: 't' }).execute();
        await sql.raw(`release ${MEMBER}`).execute(trx);
        throw new Error('abort');
      }),
    );
    await until(() => a.done && t.done, 'both writes');
    assert.match(String(a.error), /rolled back with the other writes of its turn/, 'the neighbour is told its write is lost');
    assert.match(String(t.error), /no such savepoint/, "the transaction fails with its rollback's error");
    assert.equal(lost, 1, 'the loss was reported once');
    const names = (await db.selectFrom('items').select('name').orderBy('id').execute()).map((r) => r.name);
    assert.deepEqual(names, ['before'], 'nothing of the batch was kept');
    await db.insertInto('items').values({ id: 3, name: 'after' }).execute();
    await db.transaction().execute((trx) => trx.insertInto('items').values({ id: 4, name: 'after, in a transaction' }).execute());
    assert.equal((await db.selectFrom('items').selectAll().execute()).length, 3);
    await db.destroy();
  });

  it('writes still in the batch when a sync fails are not committed, and are told so', async () => {
    let fail = false;
    const { db, driver } = await open({
      checkpointIntervalMs: 600_000,
      dataSync: async (fh) => {
        if (fail) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
        await fh.datasync();
      },
    });
    await db.insertInto('items').values({ id: 1, name: 'before' }).execute();
    const held = gate();
    // t holds the batch open; meanwhile the sync of an earlier commit fails.
    const t = track(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ id: 2, name: 'in the batch' }).execute();
        await held.wait;
      }),
    );
    await sleep(5);
    fail = true;
    await assert.rejects(driver.committed(), /write-ahead log sync failed/);
    held.open();
    await until(() => t.done, 't');
    assert.match(String(t.error), /writes are refused until a restart/);
    assert.deepEqual(
      (await db.selectFrom('items').select('name').execute()).map((r) => r.name),
      ['before'],
    );
    await db.destroy();
  });

  it('a read fence waits for the sync of the commit the read saw, though another batch opened since', async () => {
    let armed = false;
    let fail = false;
    const gates: Array<() => void> = [];
    const { db, driver } = await open({
      checkpointIntervalMs: 600_000,
      dataSync: async (fh) => {
        if (armed) await new Promise<void>((r) => gates.push(r));
        if (fail) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
        await fh.datasync();
      },
    });
    armed = true;
    const gateH = gate();
    const gateT2 = gate();
    // t1 writes; h joins its batch and holds the connection; the read queues behind h, and the
    // batch's commit behind the read.
    const t1 = track(db.insertInto('items').values({ id: 1, name: 'seen' }).execute());
    const h = track(db.transaction().execute(() => gateH.wait));
    const fence = driver.readFence();
    const read = db.selectFrom('items').select('name').execute();
    await sleep(5);
    // t2 then opens a batch of its own and holds it, writing nothing.
    const t2 = track(
      db.transaction().execute(async (trx) => {
        await trx.selectFrom('items').selectAll().execute();
        await gateT2.wait;
      }),
    );
    gateH.open();
    assert.deepEqual(
      (await read).map((r) => r.name),
      ['seen'],
    );
    const fenced = track(fence());
    await sleep(5);
    gateT2.open();
    await until(() => t2.done && h.done, 't2 and h');
    await sleep(5);
    assert.equal(fenced.done, false, 'the fence waits for the sync of the commit the read saw');
    fail = true;
    armed = false;
    for (const g of gates.splice(0)) g();
    await until(() => fenced.done && t1.done, 'the fence and t1');
    assert.match(String(t1.error), /sync failed/);
    assert.ok(fenced.error instanceof Error, 'what the read saw was not made durable: the fence fails');
    await db.destroy();
  });

  it('a read fence does not count writes lost after its read', async () => {
    const { db, driver } = await open();
    await db.insertInto('items').values({ id: 100, name: 'taken' }).execute();
    const fence = driver.readFence();
    const rows = await db.selectFrom('items').select('name').execute();
    const fenced = fence();
    // A batch lost after the read: the read saw nothing of it.
    await assert.rejects(sql`insert or rollback into items (id, name) values (1, 'taken')`.execute(db), /UNIQUE constraint failed/);
    await fenced;
    assert.deepEqual(
      rows.map((r) => r.name),
      ['taken'],
    );
    await db.destroy();
  });

  it('two processes on one database write at once, transactions that read first included', { timeout: 60_000 }, async () => {
    const path = join(dir.path, 'two-processes.sqlite');
    const db = new Kysely<{ items: { id: string; n: number } }>({ dialect: new SqliteStoreDialect({ path }) });
    await sql`create table items (id text primary key, n integer not null)`.execute(db);
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/sqlite-read-first-writer.ts', path, 'c', '3000'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await until(() => out.includes('READY'), 'the second process', 30_000);
      child.stdin.end('GO\n');
      await readFirstWrites(db, 'p', 3000);
      assert.equal(await exited, 0, out);
      assert.match(out, /DONE 3000/);
      const { c } = await db
        .selectFrom('items')
        .select((e) => e.fn.countAll<number>().as('c'))
        .executeTakeFirstOrThrow();
      assert.equal(c, 6000);
    } finally {
      child.kill('SIGKILL');
      await db.destroy();
    }
  });

  it('closing the store waits for the transaction in progress, commits its batch and refuses new writes', async () => {
    const { db, path } = await open();
    const held = gate();
    const t = track(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ id: 1, name: 'in progress' }).execute();
        await held.wait;
      }),
    );
    await sleep(5);
    const closed = track(db.destroy());
    await sleep(5);
    assert.equal(closed.done, false, 'closing waits for the transaction');
    const late = track(db.insertInto('items').values({ id: 2, name: 'late' }).execute());
    held.open();
    await until(() => t.done && closed.done && late.done, 'the transaction, the close and the late write');
    assert.deepEqual([t.error, closed.error], [undefined, undefined]);
    assert.match(String(late.error), /being closed|has already been destroyed/);
    const raw = new SQLite(path, { readonly: true });
    assert.equal((raw.prepare('select count(*) c from items').get() as { c: number }).c, 1);
    raw.close();
  });

  it('a stream left early frees the connection; one started with writes in the batch commits them first', async () => {
    const { db } = await open();
    await db.insertInto('items').values({ id: 1, name: 'a' }).execute();
    await db.insertInto('items').values({ id: 2, name: 'b' }).execute();
    const pending = db.insertInto('items').values({ id: 3, name: 'c' }).execute();
    const rows = db.selectFrom('items').select('name').orderBy('id').stream()[Symbol.asyncIterator]();
    assert.deepEqual((await rows.next()).value, { name: 'a' });
    await rows.return?.();
    await pending;
    await db.insertInto('items').values({ id: 4, name: 'd' }).execute();
    assert.equal((await db.selectFrom('items').selectAll().execute()).length, 4);
    await db.destroy();
  });

  it('a stream whose row fails midway throws, frees the connection and loses no write', async () => {
    let lost = 0;
    const { db } = await open({ onWriteLost: () => lost++ });
    await db.insertInto('items').values({ id: 1, name: '{"ok":1}' }).execute();
    await db.insertInto('items').values({ id: 2, name: 'not json' }).execute();
    const pending = db.insertInto('items').values({ id: 3, name: '{}' }).execute();
    // json() fails on the second row only: the error comes from the iterator's next(), after a row.
    const rows = db.selectFrom('items').select(sql<string>`json(name)`.as('j')).orderBy('id').stream()[Symbol.asyncIterator]();
    assert.deepEqual((await rows.next()).value, { j: '{"ok":1}' });
    await assert.rejects(rows.next(), /malformed JSON/);
    await pending;
    await db.insertInto('items').values({ id: 4, name: 'd' }).execute();
    assert.equal(lost, 0, 'a failed read is not a lost batch');
    assert.equal((await db.selectFrom('items').selectAll().execute()).length, 4);
    await db.destroy();
  });

  it('keeps prepared statements in a bounded cache', async () => {
    const { db, driver } = await open();
    for (let i = 0; i < 300; i++) await sql`select ${sql.lit(i)} as v`.execute(db);
    assert.equal(driver.cachedStatements, 256);
    await db.destroy();
  });

  it('checkpoints in the background into the database file', async () => {
    const { db, driver, path } = await open({ checkpointIntervalMs: 10 });
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        db
          .insertInto('items')
          .values({ id: i + 1, name: `n${i}` })
          .execute(),
      ),
    );
    // The writes scheduled one.
    await until(() => driver.checkpoints >= 1, 'a background checkpoint');
    await db.insertInto('items').values({ id: 51, name: 'last' }).execute();
    await driver.checkpoint();
    // The database file alone (no -wal beside it) holds every row.
    const copy = join(dir.path, 'checkpointed-copy.sqlite');
    copyFileSync(path, copy);
    const raw = new SQLite(copy, { readonly: true });
    assert.equal((raw.prepare('select count(*) c from items').get() as { c: number }).c, 51);
    raw.close();
    await db.destroy();
  });

  it('a checkpoint copies the bulk of the log while writes go on; only the rest holds them', async () => {
    const g = gatedSync();
    const { db, driver } = await open({ dataSync: g.sync, checkpointIntervalMs: 600_000 });
    await db.insertInto('items').values({ id: 1, name: 'before' }).execute();
    g.armed = true;
    const ckpt = track(driver.checkpoint());
    await until(() => g.gates.length === 1, 'the checkpoint syncing the log ahead of its copy');
    // A write now commits at once (readers see it); only its durability waits for the syncs.
    const w = track(db.insertInto('items').values({ id: 2, name: 'during' }).execute());
    await ticks();
    assert.equal((await db.selectFrom('items').selectAll().execute()).length, 2, 'the write was not held');
    assert.equal(w.done, false);
    g.armed = false;
    for (const open of g.gates.splice(0)) open();
    await until(() => ckpt.done && w.done, 'the checkpoint and the write');
    assert.equal(ckpt.error, undefined);
    assert.equal(w.error, undefined);
    await db.destroy();
  });

  it('restarts the log after a checkpoint taken while writes go on', async () => {
    const { db, driver, path } = await open({ checkpointIntervalMs: 600_000 });
    // The log header's salts (bytes 16-23) change on every restart of the log.
    const salts = () => {
      const fd = openSync(`${path}-wal`, 'r');
      const b = Buffer.alloc(8);
      readSync(fd, b, 0, 8, 16);
      closeSync(fd);
      return b.toString('hex');
    };
    let id = 0;
    let stop = false;
    const writers = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const k = ++id;
        await db
          .insertInto('items')
          .values({ id: k, name: `n${k}` })
          .execute();
      }
    });
    await until(() => id > 50, 'some writes');
    const before = salts();
    await driver.checkpoint();
    const after = id;
    await until(() => id > after + 20, 'writes after the checkpoint');
    stop = true;
    await Promise.all(writers);
    assert.notEqual(salts(), before, 'the log restarted');
    await db.destroy();
  });

  it('a failed database sync after a checkpoint refuses every later write; reads go on', async () => {
    let fail = false;
    let dbIno = 0;
    const { db, driver, path } = await open({
      checkpointIntervalMs: 600_000,
      dataSync: async (fh) => {
        if (fail && (await fh.stat()).ino === dbIno) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
        await fh.datasync();
      },
    });
    dbIno = statSync(path).ino;
    await db.insertInto('items').values({ id: 1, name: 'a' }).execute();
    fail = true;
    await assert.rejects(driver.checkpoint(), /database file sync after a checkpoint failed/);
    await assert.rejects(db.insertInto('items').values({ id: 2, name: 'b' }).execute(), /writes are refused until a restart/);
    assert.equal((await db.selectFrom('items').selectAll().execute()).length, 1);
    await db.destroy();
  });

  it('every acknowledged write survives a SIGKILL of the writing process', { timeout: 60_000 }, async () => {
    const path = join(dir.path, 'killed.sqlite');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/sqlite-writer.ts', path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked: string[] = [];
    let buffered = '';
    let ready = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const l of lines) {
        if (l === 'READY') ready = true;
        else if (l.startsWith('ACK ')) acked.push(l.slice(4));
      }
    });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, s) => r(s)));
    try {
      const deadline = Date.now() + 40_000;
      while (acked.length < 2000 && Date.now() < deadline) await sleep(10);
      assert.ok(ready && acked.length >= 2000, `the writer acknowledged ${acked.length} writes`);
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      const raw = new SQLite(path);
      assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
      const ids = new Set((raw.prepare('select id from acked').all() as Array<{ id: string }>).map((r) => r.id));
      raw.close();
      const lost = acked.filter((id) => !ids.has(id));
      assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged writes lost`);
      assert.ok(ids.size >= acked.length);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
