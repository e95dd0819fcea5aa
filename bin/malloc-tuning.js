// glibc's allocator settings of every Opal server and CLI process started through bin/opal.js
// (and of the tests' child servers), made at run time before anything else is loaded
// (bin/heap-flags.js imports this module first): at most two malloc arenas, and a fixed 32 KiB
// mmap threshold with the trim threshold at glibc's default 128 KiB, instead of glibc's dynamic
// ones. Each is what the environment variables MALLOC_ARENA_MAX=2, MALLOC_MMAP_THRESHOLD_=32768
// (and MALLOC_TRIM_THRESHOLD_=131072) set when a process starts, and each is left alone when the
// environment (or GLIBC_TUNABLES) already sets it. Idle RSS about 104 -> 93 MiB (bench/README.md,
// "Memory: the allocator, SQLite's cache"; docs/configuration.md, "Memory allocator (glibc)").
// The native module (native/malloc-tuning.c) is built by `npm ci`; without it, or without glibc,
// nothing is changed. `node bin/malloc-tuning.js` prints what was set.
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** glibc's mallopt(3) parameters (malloc.h), with the values Opal sets. */
const SETTINGS = [
  { name: 'arenaMax', param: -8, value: 2, env: 'MALLOC_ARENA_MAX', tunable: 'glibc.malloc.arena_max' },
  { name: 'mmapThreshold', param: -3, value: 32 * 1024, env: 'MALLOC_MMAP_THRESHOLD_', tunable: 'glibc.malloc.mmap_threshold' },
  // glibc's default, which the dynamic mmap threshold raises each time a mapped block is freed: a
  // block freed before this module ran may have raised it already.
  { name: 'trimThreshold', param: -1, value: 128 * 1024, env: 'MALLOC_TRIM_THRESHOLD_', tunable: 'glibc.malloc.trim_threshold' },
];

function loadNative() {
  try {
    return createRequire(import.meta.url)('../build/Release/malloc_tuning.node');
  } catch {
    return undefined;
  }
}

/**
 * What was done: `set` names each setting made, `fromEnvironment` each left to the environment;
 * `skipped` says why the others were not set (not Linux, module not built, not glibc).
 */
function tune() {
  const tunables = process.env.GLIBC_TUNABLES ?? '';
  const fromEnvironment = SETTINGS.filter((s) => process.env[s.env] !== undefined || tunables.includes(`${s.tunable}=`));
  const done = { set: {}, fromEnvironment: fromEnvironment.map((s) => s.name), skipped: undefined };
  const wanted = SETTINGS.filter((s) => !fromEnvironment.includes(s));
  // The container image sets every variable and has no native module: nothing is missing there.
  if (wanted.length === 0) return done;
  if (process.platform !== 'linux') return { ...done, skipped: 'not Linux' };
  const native = loadNative();
  if (!native) return { ...done, skipped: 'native module not built (npm ci builds it: scripts/build-native.mjs)' };
  if (typeof native.mallopt !== 'function') return { ...done, skipped: 'not glibc' };
  for (const s of wanted) if (native.mallopt(s.param, s.value) === 1) done.set[s.name] = s.value;
  return done;
}

export const mallocTuning = tune();

function isMain() {
  try {
    return Boolean(process.argv[1]) && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isMain()) {
  process.stdout.write(`${JSON.stringify(mallocTuning)}\n`);
}
