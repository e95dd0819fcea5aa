// The migration runner: the order and refusals of pendingMigrations, and (with PostgreSQL) a store
// migrated while other schemas of the same database are created and dropped beside it, as test
// contexts and applications sharing a database do. Kysely's Migrator, used before, introspected
// every schema of the database and failed with `schema "…" does not exist` in that case.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { openDb } from '../../../src/store/db/connect.ts';
import { migrate, pendingMigrations } from '../../../src/store/db/migrate.ts';
import { MIGRATIONS } from '../../../src/store/db/migrations/index.ts';
import { createTestContext, PG_URL } from '../../helpers/env.ts';
import { createPgSchema } from '../../helpers/pg-schema.ts';

const NAMES = MIGRATIONS.map(([name]) => name).sort();

describe('pendingMigrations', () => {
  it('lists every migration in name order for an empty store, and none for an up-to-date one', () => {
    assert.deepEqual(pendingMigrations(new Set()), NAMES);
    assert.deepEqual(pendingMigrations(new Set(NAMES)), []);
    // Name order, not the order of the list (005 is listed before 004).
    assert.ok(NAMES.indexOf('004_passbook') < NAMES.indexOf('005_storage_tokens'));
  });

  it('lists the migrations after the last applied one', () => {
    assert.deepEqual(pendingMigrations(new Set(NAMES.slice(0, 3))), NAMES.slice(3));
  });

  it('refuses a store set up by a newer version', () => {
    assert.throws(() => pendingMigrations(new Set([...NAMES, '999_future'])), /does not know \(999_future\).*newer version/);
  });

  it('refuses to apply a migration before one already applied', () => {
    const done = new Set(NAMES.filter((n) => n !== '002_oauth'));
    assert.throws(() => pendingMigrations(done), /002_oauth would be applied after/);
  });
});

describe('migrate on sqlite', () => {
  it('applies every migration once, then nothing', async () => {
    const t = await createTestContext();
    try {
      const rows = await t.ctx.db.kysely
        .selectFrom('kysely_migration' as never)
        .select(['name', 'timestamp'] as never)
        .execute();
      assert.deepEqual((rows as Array<{ name: string }>).map((r) => r.name).sort(), NAMES);
      for (const r of rows as Array<{ timestamp: string }>) assert.ok(!Number.isNaN(Date.parse(r.timestamp)));
      assert.deepEqual(await migrate(t.ctx.db), { applied: [] });
    } finally {
      await t.close();
    }
  });

  it('uses a database set up by a newer version while nothing is pending, and refuses to migrate it', async () => {
    const t = await createTestContext();
    try {
      const k = t.ctx.db.kysely;
      await k
        .insertInto('kysely_migration' as never)
        .values({ name: '999_future', timestamp: new Date().toISOString() } as never)
        .execute();
      // An older node beside newer ones (rolling upgrade): everything it knows is applied.
      assert.deepEqual(await migrate(t.ctx.db), { applied: [] });
      // With one of its own migrations missing it would have to apply it: refused, nothing changed.
      const last = NAMES.at(-1) ?? '';
      await k
        .deleteFrom('kysely_migration' as never)
        .where('name' as never, '=', last as never)
        .execute();
      await assert.rejects(migrate(t.ctx.db), /does not know \(999_future\)/);
      const rows = (await k
        .selectFrom('kysely_migration' as never)
        .select('name' as never)
        .execute()) as Array<{ name: string }>;
      assert.equal(rows.length, NAMES.length);
      assert.ok(!rows.some((r) => r.name === last));
    } finally {
      await t.close();
    }
  });
});

describe('migrate on postgres', { skip: PG_URL ? false : 'OPAL_TEST_DATABASE_URL not set' }, () => {
  it('migrates fresh schemas while other schemas of the database are dropped beside them', async () => {
    const url = PG_URL ?? '';
    // Beside the migrations: schemas with a table of serial columns each, created and dropped
    // until the migrations are done.
    let stop = false;
    const churn = async (who: number) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        for (let i = 0; !stop && i < 2000; i++) {
          const name = `t_${process.pid}_churn_${who}_${i}`;
          await c.query(`CREATE SCHEMA ${name}; CREATE TABLE ${name}.t (id serial primary key, a int, b int, c int)`);
          await c.query(`DROP SCHEMA ${name} CASCADE`);
        }
      } finally {
        await c.end();
      }
    };
    const churning = [churn(1), churn(2)];
    try {
      for (let round = 0; round < 6; round++) {
        const schema = await createPgSchema(url);
        const db = await openDb({ databaseUrl: url, dataDir: '/nonexistent', pgSchema: schema.name });
        try {
          assert.deepEqual(await migrate(db), { applied: NAMES });
          assert.deepEqual(await migrate(db), { applied: [] });
        } finally {
          await db.close();
          await schema.drop();
        }
      }
    } finally {
      stop = true;
      await Promise.all(churning);
    }
  });
});
