// `opal --version` and `opal version --json` as real processes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { opal } from '../helpers/opal-cli.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

test('opal --version prints the package version; opal version --json the commit, Node and backends', async () => {
  const v = await opal(['--version']);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout.trim(), VERSION);
  const j = await opal(['--json', 'version'], { OPAL_REDIS_URL: 'redis://127.0.0.1:1', OPAL_COMMIT: 'abc123' });
  assert.equal(j.code, 0, j.stderr);
  assert.deepEqual(JSON.parse(j.stdout), {
    version: VERSION,
    commit: 'abc123',
    node: process.version,
    backends: { database: 'sqlite', cache: 'redis', blobs: 'filesystem' },
  });
});
