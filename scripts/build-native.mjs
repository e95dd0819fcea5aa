// Builds Opal's one native module, native/malloc-tuning.c (binding.gyp), with node-gyp into
// build/Release/malloc_tuning.node. `npm ci` runs this (package.json "install"). Linux with glibc
// only: the module sets glibc's allocator (bin/malloc-tuning.js). It needs what node-gyp needs
// (python3, make, a C compiler) and Node's headers, taken from beside this Node when it has them
// (npm_config_nodedir names others). When the module cannot be built this warns and the install
// goes on; Opal then runs with glibc's own allocator settings (docs/configuration.md, "Memory
// allocator (glibc)"). A module newer than its sources that loads is kept.
// Usage: node scripts/build-native.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const glibc = process.platform === 'linux' && Boolean(process.report.getReport().header.glibcVersionRuntime);
if (!glibc) process.exit(0);

const root = fileURLToPath(new URL('..', import.meta.url));
const built = join(root, 'build/Release/malloc_tuning.node');
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
/** Whether the module loads here and has its function (not one of another machine, nor cut short). */
function loads() {
  try {
    return typeof createRequire(import.meta.url)(built).mallopt === 'function';
  } catch {
    return false;
  }
}
if (mtime(built) > Math.max(mtime(join(root, 'native/malloc-tuning.c')), mtime(join(root, 'binding.gyp'))) && loads()) process.exit(0);

const args = ['rebuild', '--release', '--loglevel=warn'];
// Node's headers from beside this Node (Debian's /usr, the node:* images' /usr/local, nvm's
// prefix) rather than a download from nodejs.org.
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include/node/node_api.h'))) args.push(`--nodedir=${prefix}`);
// npm's own node-gyp: named by npm_config_node_gyp in npm's scripts; run by hand, the one beside
// this Node's npm, else whichever is on PATH.
const besideNpm = join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
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
