// The sweeper's queue of blobs to free (src/store/db/fds/blob-gc-repo.ts) on the embedded store:
// its read sees writes a few milliseconds before they commit (the turn's batch,
// src/store/db/sqlite-driver.ts), so it hands out keys only once what it read is durable; a key
// marked dead by a batch that SQLite then rolls back is never handed out, so its blob, still
// referenced, is never freed.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { openDb } from '../../src/store/db/connect.ts';
import { FdsBlobGcRepo } from '../../src/store/db/fds/blob-gc-repo.ts';
import { FdsDb } from '../../src/store/db/fds/transactions.ts';
import { migrate } from '../../src/store/db/migrate.ts';
import { tmpDir } from '../helpers/env.ts';

const dir = tmpDir('opal-blob-gc-');
after(() => dir.remove());

/** Settles `p` into a flag the test can poll. */
function track<T>(p: Promise<T>) {
  const s = { done: false, value: undefined as T | undefined, error: undefined as unknown };
  p.then(
    (v) => {
      s.done = true;
      s.value = v;
    },
    (e: unknown) => {
      s.done = true;
      s.error = e;
    },
  );
  return s;
}

async function until(cond: () => boolean, what: string, ms = 10_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

describe('blob collection queue on the embedded store', () => {
  it('hands out a dead blob only once its mark is durable, and never one whose mark was rolled back', async () => {
    const db = await openDb({ dataDir: dir.path });
    await migrate(db);
    const d = new FdsDb(db.kysely, 'sqlite', Date.now, () => db.readFence());
    const gc = new FdsBlobGcRepo(d);
    await gc.pending('upload-in-progress');
    let open0!: () => void;
    const gate = new Promise<void>((r) => {
      open0 = r;
    });
    // A delete marks k1 dead and holds the connection; the sweeper's read and a write that makes
    // SQLite roll back the whole batch queue behind it, in this order.
    const del = track(
      db.kysely.transaction().execute(async (trx) => {
        await d.markDead(trx, ['k1']);
        await gate;
      }),
    );
    await sleep(5);
    const read = track(gc.collectable(Date.now() - 3_600_000, 200));
    await sleep(5);
    const rollback = track(
      sql`insert or rollback into fds_blob_gc (blob_key, state, at) values ('upload-in-progress', 'dead', 0)`.execute(db.kysely),
    );
    await sleep(5);
    open0();
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
});
