// CPU per call of the look-ups every FDS request makes before it reaches its object: the access
// key (with its derived secret and the app's state), the bucket (ACL and configurations parsed),
// each from the node-local cache and straight from the store, and the current version of an
// object (never cached). Embedded store in a fresh temporary data dir, memory cache, in-process.
//   node --import tsx bench/fds-lookups.ts [--calls 5000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { createContext } from '../src/context.ts';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '5000' } } });
const calls = Number(values.calls);
const dir = mkdtempSync(join(tmpdir(), 'opal-bench-lookups-'));
const ctx = await createContext(loadConfig({ OPAL_DATA_DIR: dir, OPAL_LOG_LEVEL: 'warn' }));
try {
  const { app } = await ctx.services.apps.create({ name: 'lookups', redirectUris: 'https://example.com/cb', scopes: [1] });
  const key = await ctx.services.fdsKeys.ensure(app.clientId);
  const repos = ctx.services.fds.repos;
  await repos.buckets.create({
    name: 'lookups',
    owner_id: key.developerId,
    created_at: Date.now(),
    acl: {},
    versioning: null,
    lifecycle: null,
    cors: null,
    configs: {},
  });
  const keysRepo = repos.accessKeys;
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['access key, cached', () => ctx.services.fdsKeys.lookup(key.accessKeyId)],
    [
      'access key, from the store (join + secret derivation)',
      async () => {
        const r = await keysRepo.byId(key.accessKeyId);
        return r && ctx.services.fdsKeys.secretOf(r.accessKeyId, r.version);
      },
    ],
    ['bucket, cached', () => repos.buckets.get('lookups')],
    ['bucket, from the store (after an invalidation)', () => repos.buckets.invalidate('lookups').then(() => repos.buckets.get('lookups'))],
    ['current object version (store)', () => repos.objects.current('lookups', 'x')],
  ];
  for (const [label, f] of cases) {
    for (let i = 0; i < Math.min(calls, 2000); i++) await f();
    const c0 = process.cpuUsage();
    for (let i = 0; i < calls; i++) await f();
    const c = process.cpuUsage(c0);
    console.log(JSON.stringify({ lookup: label, cpuUsPerCall: +((c.user + c.system) / calls).toFixed(1), calls }));
  }
} finally {
  await ctx.close();
  rmSync(dir, { recursive: true, force: true });
}
