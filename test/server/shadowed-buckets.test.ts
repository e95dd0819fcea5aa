// A bucket whose name became reserved after it was created (`openapi.json` since the FDS origin
// serves /openapi.json; core/fds/names.ts): creating one is refused (test/sites/fds/buckets.test.ts),
// and a server starting over a store that already holds one warns once, naming it, while
// /openapi.json stays the API description.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../../src/server.ts';
import { newBucket } from '../../src/store/db/fds/columns.ts';
import { createTestContext, type TestContext } from '../helpers/env.ts';

async function startLogging(t: TestContext): Promise<{ lines: string[]; fdsUrl: string; close(): Promise<void> }> {
  const lines: string[] = [];
  const server = await startServer(t.config, { ctx: t.ctx, logger: { level: 'warn', stream: { write: (l: string) => lines.push(l) } } });
  return { lines, fdsUrl: server.urls.fds ?? '', close: () => server.close() };
}

const warningsAbout = (lines: string[], bucket: string) =>
  lines.map((l) => JSON.parse(l) as { level: number; bucket?: string; msg: string }).filter((l) => l.level === 40 && l.bucket === bucket);

describe('start-up warning for a bucket under a reserved name', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
  });
  after(() => t?.close());

  it('no such bucket: no warning', async () => {
    const s = await startLogging(t);
    await s.close();
    assert.deepEqual(warningsAbout(s.lines, 'openapi.json'), []);
  });

  it('an existing `openapi.json` bucket: one warning naming it; /openapi.json is still the description', async () => {
    const created = await t.ctx.services.fds.repos.buckets.create(newBucket('openapi.json', 'dev-1', Date.now()));
    assert.ok(created);
    const s = await startLogging(t);
    try {
      const r = await fetch(`${s.fdsUrl}/openapi.json`);
      assert.equal(r.status, 200);
      assert.equal(((await r.json()) as { openapi: string }).openapi, '3.1.0');
    } finally {
      await s.close();
    }
    const warned = warningsAbout(s.lines, 'openapi.json');
    assert.equal(warned.length, 1, s.lines.join('\n'));
    assert.match(warned[0]?.msg ?? '', /"openapi\.json" exists but its name is reserved/);
  });
});
