// `opal pass …` on an embedded data directory: the first command as a real CLI process (as a user
// runs it), the others through the batch runner (the same CLI code, without a process start each).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/env.ts';
import { opalBatch, opal as opalProcess } from '../helpers/opal-cli.ts';
import { type Seeded, seed } from '../helpers/seed.ts';

describe('opal pass CLI', () => {
  let t: TestContext;
  let s: Seeded;
  const runner = opalBatch();
  let first = true;
  const run = (args: string[]) => {
    const env = { OPAL_DATA_DIR: t.dataDir, OPAL_DEMO: 'false' };
    const real = first;
    first = false;
    return real ? opalProcess(['--json', ...args], env) : runner.run(['--json', ...args], env);
  };
  const ok = async (...args: string[]) => {
    const r = await run(args);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const fails = async (code: number, ...args: string[]) => {
    const r = await run(args);
    assert.equal(r.code, code, r.stdout);
  };
  before(async () => {
    t = await createTestContext();
    s = await seed(t.ctx);
    await t.ctx.close();
  });
  after(async () => {
    runner.close();
    await t.close();
  });

  it('plan create, issue, list, revoke', { timeout: 60_000 }, async () => {
    const plan = await ok(
      'pass',
      'plan',
      'create',
      '--app',
      s.clientId,
      '--title',
      'Gold card',
      '--start',
      '2026-01-01',
      '--end',
      '2026-12-31',
    );
    assert.equal(plan.title, 'Gold card');
    assert.equal(plan.validStartDate, Date.parse('2026-01-01'));
    const plans = await ok('pass', 'plan', 'list', '--app', s.clientId);
    assert.deepEqual(
      plans.map((p: { planId: string }) => p.planId),
      [plan.planId],
    );
    const p1 = await ok('pass', 'issue', '--plan', plan.planId, '--user', s.account, '--code', 'G-1');
    assert.equal(p1.userId, s.userId);
    assert.equal(p1.passCode, 'G-1');
    const p2 = await ok('pass', 'issue', '--plan', plan.planId, '--imei', '860000000000001');
    assert.match(p2.imeiMd5, /^[0-9a-f]{32}$/);
    assert.equal(p2.userId, '');
    const listed = await ok('pass', 'list', '--app', s.clientId);
    assert.equal(listed.length, 2);
    const revoked = await ok('pass', 'revoke', p1.passId);
    assert.ok(revoked.revokedAt > 0);
    assert.equal((await ok('pass', 'list', '--user', s.userId)).length, 0);
    assert.equal((await ok('pass', 'list', '--user', s.userId, '--all')).length, 1);
    await fails(4, 'pass', 'revoke', p1.passId);
    await fails(3, 'pass', 'issue', '--plan', '999', '--user', s.account);
    await fails(2, 'pass', 'issue', '--plan', plan.planId);
    await fails(3, 'pass', 'issue', '--plan', plan.planId, '--user', 'nobody');
    await fails(3, 'pass', 'list', '--user', 'nobody');
    await fails(3, 'pass', 'plan', 'create', '--app', '2882303761517999999', '--title', 'x');
  });
});
