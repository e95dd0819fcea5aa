// Builds Opal's one native module, native/malloc-tuning.c (binding.gyp), with node-gyp into
// build/Release/malloc_tuning.node. `npm ci` runs this (package.json "install"). Linux only: the
// module sets glibc's allocator (bin/malloc-tuning.js). When it cannot be built (no C compiler, say)
// this warns and the install goes on; Opal then runs with glibc's own allocator settings
// (docs/configuration.md, "Memory allocator (glibc)").
// Usage: node scripts/build-native.mjs
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

if (process.platform !== 'linux') process.exit(0);

const root = new URL('..', import.meta.url).pathname;
const args = ['rebuild', '--release', '--loglevel=warn'];
// npm's own node-gyp: named by npm_config_node_gyp in npm's scripts; run by hand, the one beside
// this Node's npm, else whichever is on PATH.
const besideNpm = join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
const gyp = process.env.npm_config_node_gyp ?? (existsSync(besideNpm) ? besideNpm : undefined);
const r = gyp
  ? spawnSync(process.execPath, [gyp, ...args], { cwd: root, stdio: 'inherit' })
  : spawnSync('node-gyp', args, { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  process.stderr.write(
    `opal: could not build native/malloc-tuning.c (${r.error?.message ?? `node-gyp exited with ${r.status ?? r.signal}`}); ` +
      "Opal runs without it, with glibc's own allocator settings. To get them anyway, set MALLOC_ARENA_MAX=2 and " +
      'MALLOC_MMAP_THRESHOLD_=32768 where Opal starts (docs/configuration.md, "Memory allocator (glibc)").\n',
  );
}
