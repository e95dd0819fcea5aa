// `opal invite create` as a real CLI process on an embedded data directory: the code it prints
// opens sign-up once (OPAL_SIGNUP=invite); bad --days is a usage error (exit 2).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sha256Hex } from '../../src/lib/hash.ts';
import { createTestContext, type TestContext } from '../helpers/env.ts';
import { opal } from '../helpers/opal-cli.ts';

describe('opal invite CLI', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
  });
  after(() => t.close());

  it('creates a single-use code whose hash only is stored', async () => {
    const env = { OPAL_DATA_DIR: t.dataDir, OPAL_DEMO: 'false' };
    const r = await opal(['--json', 'invite', 'create', '--note', 'for dana', '--days', '3'], env);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { code: string; expiresAt: string; note: string };
    assert.match(out.code, /^[A-Za-z0-9_-]{28}$/);
    assert.equal(out.note, 'for dana');
    const left = Date.parse(out.expiresAt) - Date.now();
    assert.ok(left > 2.9 * 86400_000 && left <= 3 * 86400_000, out.expiresAt);
    const rows = await t.ctx.db.kysely.selectFrom('signup_invites').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.code_hash, sha256Hex(out.code));
    const bad = await opal(['invite', 'create', '--days', '0'], env);
    assert.equal(bad.code, 2, bad.stderr);
  });
});
