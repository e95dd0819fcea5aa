// Usage counters: counted in memory, written in batches (nothing before a flush), added to what is
// stored (upsert), read with the pending counts, bounded while a write is running, written on close.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_PENDING, UsageCounters, utcDay } from '../../src/services/usage.ts';
import { UsageRepo } from '../../src/store/db/usage-repo.ts';
import { createTestContext, dbBackends, type TestContext } from '../helpers/env.ts';

for (const backend of dbBackends()) {
  describe(`usage counters (${backend})`, () => {
    let t: TestContext;
    let repo: UsageRepo;
    const today = utcDay(Date.now());
    before(async () => {
      t = await createTestContext({ backend });
      repo = new UsageRepo(t.ctx.db.kysely);
    });
    after(async () => t?.close());

    test('batched: nothing written before a flush; flushes add up; list includes pending counts', async () => {
      const u = new UsageCounters(repo);
      for (let i = 0; i < 3; i++) u.count('100', 'authorize');
      u.count('100', 'api:/user/profile');
      assert.deepEqual(await repo.list('100', today), []);
      await u.flush();
      u.count('100', 'authorize');
      const rows = await u.list('100');
      assert.deepEqual(
        rows.map((r) => [r.day, r.metric, r.count]),
        [
          [today, 'api:/user/profile', 1],
          [today, 'authorize', 4],
        ],
      );
      await u.close();
    });

    test('each count goes to the UTC day of its own time, across midnight and back', async () => {
      const midnight = Date.UTC(2026, 11, 7);
      let now = midnight - 1;
      const u = new UsageCounters(repo, () => now);
      u.count('150', 'authorize'); // 2026-12-06T23:59:59.999Z
      now = midnight;
      u.count('150', 'authorize');
      now = midnight + 86_400_000 - 1;
      u.count('150', 'authorize');
      now = midnight - 86_400_000; // a clock set back a day
      u.count('150', 'token');
      now = midnight + 86_400_000;
      u.count('150', 'token');
      await u.flush();
      const rows = await repo.list('150', '2026-12-01');
      assert.deepEqual(
        rows.map((r) => [r.day, r.metric, r.count]).sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`)),
        [
          ['2026-12-06', 'authorize', 1],
          ['2026-12-06', 'token', 1],
          ['2026-12-07', 'authorize', 2],
          ['2026-12-08', 'token', 1],
        ],
      );
      await u.close();
    });

    test('bounded: while a write runs, new counters past MAX_PENDING are dropped, known ones still count', async () => {
      const u = new UsageCounters(repo);
      u.count('200', 'token');
      const running = u.flush();
      for (let i = 0; i < MAX_PENDING; i++) u.count('201', `api:/p${i}`);
      u.count('201', 'api:/one-too-many');
      u.count('201', 'api:/p0');
      assert.equal(u.dropped, 1);
      await running;
      await u.close();
      const rows = await repo.list('201', today);
      assert.equal(rows.length, MAX_PENDING);
      assert.equal(rows.find((r) => r.metric === 'api:/p0')?.count, 2);
      assert.equal((await repo.list('200', today))[0]?.count, 1);
    });

    test('the context counters: close() writes what is pending', async () => {
      const c = await createTestContext({ backend });
      c.ctx.services.usage.count('300', 'token_refused');
      const db = c.ctx.db;
      await c.ctx.services.usage.close();
      assert.equal((await new UsageRepo(db.kysely).list('300', today))[0]?.count, 1);
      await c.close();
    });
  });
}
