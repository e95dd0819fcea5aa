// Queries compiled once (store/db/prepared.ts) on SQLite and (with OPAL_TEST_DATABASE_URL)
// PostgreSQL: the values of each call reach the statement, the builder's own constants stay, the
// same query runs inside and outside a transaction (and not in one that has ended), and a parameter
// the query never uses is refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PreparedQuery } from '../../../src/store/db/prepared.ts';
import { createTestContext, dbBackends, type TestContext } from '../../helpers/env.ts';

const insertEvent = new PreparedQuery<{ at: number; type: string; subject: string | null }>(['at', 'type', 'subject'], (db, p) =>
  db
    .insertInto('audit_events')
    .values({ at: p.at, type: p.type, actor: 'prepared-test', subject: p.subject, client_id: null, ip: null, detail: '{}' }),
);
const eventsOf = new PreparedQuery<{ type: string }, { at: number; subject: string | null; actor: string | null }>(['type'], (db, p) =>
  db.selectFrom('audit_events').select(['at', 'subject', 'actor']).where('type', '=', p.type).where('client_id', 'is', null).orderBy('at'),
);
const renameSubject = new PreparedQuery<{ type: string; subject: string }>(['type', 'subject'], (db, p) =>
  db.updateTable('audit_events').set({ subject: p.subject }).where('type', '=', p.type).where('actor', '=', 'prepared-test'),
);

for (const backend of dbBackends()) {
  describe(`prepared queries on ${backend}`, () => {
    let t: TestContext;
    before(async () => {
      t = await createTestContext({ backend });
    });
    after(async () => {
      await t?.close();
    });

    it('runs with each call’s values and keeps the builder’s constants', async () => {
      const db = t.ctx.db.kysely;
      const type = `prepared.${backend}.${Date.now()}`;
      assert.equal(await insertEvent.changed(db, { at: 2, type, subject: 'b' }), 1n);
      assert.equal(await insertEvent.changed(db, { at: 1, type, subject: null }), 1n);
      const rows = (await eventsOf.execute(db, { type })).rows.map((r) => ({ at: Number(r.at), subject: r.subject, actor: r.actor }));
      assert.deepEqual(rows, [
        { at: 1, subject: null, actor: 'prepared-test' },
        { at: 2, subject: 'b', actor: 'prepared-test' },
      ]);
      assert.equal(await eventsOf.first(db, { type: `${type}.other` }), undefined);
      assert.equal(await renameSubject.changed(db, { type, subject: 'c' }), 2n);
      assert.equal(await renameSubject.changed(db, { type: `${type}.other`, subject: 'c' }), 0n);
    });

    it('runs inside a transaction and rolls back with it', async () => {
      const db = t.ctx.db.kysely;
      const type = `prepared.tx.${backend}.${Date.now()}`;
      await db.transaction().execute(async (trx) => {
        await insertEvent.execute(trx, { at: 5, type, subject: 'kept' });
      });
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await insertEvent.execute(trx, { at: 6, type, subject: 'dropped' });
          assert.equal((await eventsOf.execute(trx, { type })).rows.length, 2);
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.deepEqual(
        (await eventsOf.execute(db, { type })).rows.map((r) => r.subject),
        ['kept'],
      );
    });

    it('inside a transaction, runs on its connection only while it is open', async () => {
      // On SQLite the statements of a transaction skip Kysely's executor chain (prepared.ts): a
      // transaction that has ended must still be refused, not run as a statement of its own.
      const db = t.ctx.db.kysely;
      const type = `prepared.ended.${backend}.${Date.now()}`;
      let kept: typeof db | undefined;
      await db.transaction().execute(async (trx) => {
        kept = trx;
        await insertEvent.execute(trx, { at: 7, type, subject: 'in' });
        assert.equal((await eventsOf.execute(trx, { type })).rows.length, 1);
        assert.equal(await renameSubject.changed(trx, { type, subject: 'renamed' }), 1n);
      });
      assert.ok(kept);
      const ended = kept;
      await assert.rejects(insertEvent.execute(ended, { at: 8, type, subject: 'after' }), /^Error: Transaction is already committed$/);
      let rolledBack: typeof db | undefined;
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          rolledBack = trx;
          await insertEvent.execute(trx, { at: 9, type, subject: 'dropped' });
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.ok(rolledBack);
      const undone = rolledBack;
      await assert.rejects(insertEvent.execute(undone, { at: 10, type, subject: 'after' }), /^Error: Transaction is already rolled back$/);
      assert.deepEqual(
        (await eventsOf.execute(db, { type })).rows.map((r) => r.subject),
        ['renamed'],
      );
    });

    it('on SQLite, skips Kysely’s executor inside a transaction and for reads outside one', async (tc) => {
      if (backend !== 'sqlite') return tc.skip('the embedded store only');
      const db = t.ctx.db.kysely;
      const type = `prepared.direct.${Date.now()}`;
      const refuse = () => {
        throw new Error('went through Kysely');
      };
      await db.transaction().execute(async (trx) => {
        await insertEvent.execute(trx, { at: 11, type, subject: 'direct' }); // the transaction's connection, found once
        trx.executeQuery = refuse;
        await insertEvent.execute(trx, { at: 12, type, subject: 'direct' });
        assert.equal((await eventsOf.execute(trx, { type })).rows.length, 2);
      });
      const other = db.withoutPlugins(); // a handle of its own: its kept connection is found once
      assert.equal((await eventsOf.execute(other, { type })).rows.length, 2);
      other.executeQuery = refuse;
      assert.equal((await eventsOf.execute(other, { type })).rows.length, 2);
      await assert.rejects(renameSubject.changed(other, { type, subject: 'x' }), /went through Kysely/); // writes do
    });

    it('refuses a parameter its query does not use', async () => {
      const unused = new PreparedQuery<{ type: string; extra: string }>(['type', 'extra'], (db, p) =>
        db.selectFrom('audit_events').select('id').where('type', '=', p.type),
      );
      await assert.rejects(unused.execute(t.ctx.db.kysely, { type: 'x', extra: 'y' }), /does not use its parameter\(s\) extra/);
    });
  });
}
