// `opal pass …` as a user runs it: a real CLI process on an embedded data directory.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestContext, type TestContext } from '../helpers/env.ts';
import { type Seeded, seed } from '../helpers/open-api.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/opal.js', import.meta.url));

describe('opal pass CLI', () => {
  let t: TestContext;
  let s: Seeded;
  const opal = async (...args: string[]) => {
    const r = await run(process.execPath, [BIN, '--json', ...args], {
      env: { ...process.env, OPAL_DATA_DIR: t.dataDir, OPAL_DEMO: 'false', OPAL_DATABASE_URL: '', OPAL_REDIS_URL: '' },
    });
    return JSON.parse(r.stdout);
  };
  const fails = async (code: number, ...args: string[]) => {
    await assert.rejects(opal(...args), (e: { code?: number; stdout?: string }) => {
      assert.equal(e.code, code, e.stdout);
      return true;
    });
  };
  before(async () => {
    t = await createTestContext();
    s = await seed(t.ctx);
    await t.ctx.close();
  });
  after(async () => {
    await t.close();
  });

  it('plan create, issue, list, revoke', { timeout: 60_000 }, async () => {
    const plan = await opal(
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
    const plans = await opal('pass', 'plan', 'list', '--app', s.clientId);
    assert.deepEqual(
      plans.map((p: { planId: string }) => p.planId),
      [plan.planId],
    );
    const p1 = await opal('pass', 'issue', '--plan', plan.planId, '--user', s.account, '--code', 'G-1');
    assert.equal(p1.userId, s.userId);
    assert.equal(p1.passCode, 'G-1');
    const p2 = await opal('pass', 'issue', '--plan', plan.planId, '--imei', '860000000000001');
    assert.match(p2.imeiMd5, /^[0-9a-f]{32}$/);
    assert.equal(p2.userId, '');
    const listed = await opal('pass', 'list', '--app', s.clientId);
    assert.equal(listed.length, 2);
    const revoked = await opal('pass', 'revoke', p1.passId);
    assert.ok(revoked.revokedAt > 0);
    assert.equal((await opal('pass', 'list', '--user', s.userId)).length, 0);
    assert.equal((await opal('pass', 'list', '--user', s.userId, '--all')).length, 1);
    await fails(4, 'pass', 'revoke', p1.passId);
    await fails(3, 'pass', 'issue', '--plan', '999', '--user', s.account);
    await fails(2, 'pass', 'issue', '--plan', plan.planId);
    await fails(3, 'pass', 'issue', '--plan', plan.planId, '--user', 'nobody');
    await fails(3, 'pass', 'list', '--user', 'nobody');
    await fails(3, 'pass', 'plan', 'create', '--app', '2882303761517999999', '--title', 'x');
  });
});
