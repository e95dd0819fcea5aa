// A PostgreSQL restart ends every connection with 57P01 ("terminating connection due to
// administrator command"). A connection checked out by a transaction between two statements got
// that as an 'error' event nobody listened to, which crashed the whole process (found by
// bench/store-restart.ts). Now the transaction fails with an error that answers 503, and the
// pool goes on with new connections. The test ends its own connection with pg_terminate_backend.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { isStoreUnavailable } from '../../src/http/store-unavailable.ts';
import { openDb } from '../../src/store/db/connect.ts';
import { PG_URL, tmpDir } from '../helpers/env.ts';
import { createPgSchema } from '../helpers/pg-schema.ts';

describe('a PostgreSQL connection ended mid-transaction', { skip: !PG_URL && 'set OPAL_TEST_DATABASE_URL' }, () => {
  it('fails that transaction as "store unavailable", does not crash, and the pool recovers', async (t) => {
    const schema = await createPgSchema(PG_URL ?? '');
    const dir = tmpDir();
    const db = await openDb({ databaseUrl: schema.url, dataDir: dir.path });
    t.after(async () => {
      await db.close();
      await schema.drop();
      dir.remove();
    });
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    t.after(() => process.off('uncaughtException', onUncaught));

    const failure = await db.kysely
      .transaction()
      .execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
        // Another connection ends this one while the transaction holds it between statements.
        await schema.query(`SELECT pg_terminate_backend(${rows[0]?.pid})`);
        await sleep(200);
        await sql`SELECT 1`.execute(trx);
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.deepEqual(uncaught, [], 'no error event went unheard');
    assert.ok(failure instanceof Error, 'the transaction failed');
    assert.ok(isStoreUnavailable(failure), String(failure));
    const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(db.kysely);
    assert.equal(rows[0]?.one, 1);
  });
});
