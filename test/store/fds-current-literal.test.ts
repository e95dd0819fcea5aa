// Queries on current versions write `is_current` as a literal, never as a bound parameter
// (store/db/fds/current.ts says why).
// fds_objects_current is a partial index (`where is_current = 1`); when a statement's plan depends
// on a bound value (such an index), SQLite expires the statement at every bind of that parameter
// and prepares it again on the next step. A GET's one query cost 12.7 µs bound against 7.7 µs
// literal, measured on the same file; in the server it was 18 % of a GET 4 KiB's profile.
// (The bundled SQLite has STAT4: were ANALYZE ever run, equalities on an index's first column
// with bound values would be re-prepared the same way, on most statements.)
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { Kysely } from 'kysely';
import { createFdsRepos } from '../../src/store/db/fds/repos.ts';
import { FdsDb } from '../../src/store/db/fds/transactions.ts';
import { migrate } from '../../src/store/db/migrate.ts';
import type { Database } from '../../src/store/db/schema.ts';
import { SqliteStoreDialect } from '../../src/store/db/sqlite-dialect.ts';
import { StatsRepo } from '../../src/store/db/stats-repo.ts';
import { tmpDir } from '../helpers/env.ts';

const dir = tmpDir('opal-fds-current-');
after(() => dir.remove());

it('every query on current versions compares is_current with a literal', async () => {
  const sqls: string[] = [];
  const kysely = new Kysely<Database>({
    dialect: new SqliteStoreDialect({ path: join(dir.path, 'opal.db') }),
    log: (e) => {
      sqls.push(e.query.sql);
    },
  });
  try {
    const noFence = () => () => Promise.resolve();
    await migrate({ kysely, dialect: 'sqlite', readFence: noFence, close: () => kysely.destroy() });
    const fds = createFdsRepos(kysely, 'sqlite', Date.now, undefined, noFence);
    /** Runs one call and checks the statements it ran that name is_current. */
    const literalOnly = async (what: string, call: () => Promise<unknown>) => {
      sqls.length = 0;
      await call();
      const onCurrent = sqls.filter((s) => /is_current/.test(s));
      assert.ok(onCurrent.length > 0, `${what}: no query on is_current ran`);
      for (const s of onCurrent) assert.match(s, /"is_current" = [01]\b/, `${what}: ${s}`);
      for (const s of onCurrent) assert.doesNotMatch(s, /"is_current" = \?/, `${what}: ${s}`);
    };
    await literalOnly('current', () => fds.objects.current('b', 'n'));
    await literalOnly('listCurrent', () => fds.objects.listCurrent('b', '', undefined, 10));
    await literalOnly('nonCurrent', () => fds.objects.nonCurrent('b', 'n'));
    await literalOnly('expired current', () => fds.objects.expired('b', '', 0, true, 10));
    await literalOnly('expired non-current', () => fds.objects.expired('b', '', 0, false, 10));
    await literalOnly('currentVersion in a transaction', () =>
      kysely.transaction().execute((trx) => new FdsDb(trx, 'sqlite', Date.now, noFence).currentVersion(trx, 'b', 'n')),
    );
    await literalOnly('bucket stats', () => fds.buckets.stats('b'));
    await literalOnly('derived add', () => fds.derived.add({ source_version_id: 'v' } as Parameters<typeof fds.derived.add>[0]));
    await literalOnly('derived orphaned', () => fds.derived.orphaned(10));
    await literalOnly('store counts', () => new StatsRepo(kysely).counts());
  } finally {
    await kysely.destroy();
  }
});
