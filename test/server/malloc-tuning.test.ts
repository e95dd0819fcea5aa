// glibc's allocator settings that every Opal process makes as it starts (bin/malloc-tuning.js,
// imported first by bin/heap-flags.js, through native/malloc-tuning.c, which `npm ci` builds):
// what it reports, that a setting made by the environment wins, and the effect itself in a process
// started as Opal's are: buffers of 64 KiB are mapped on their own and returned when freed, instead
// of growing the main heap (glibc's default threshold is 128 KiB).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TUNING = join(ROOT, 'bin/malloc-tuning.js');
const HEAP_FLAGS = join(ROOT, 'bin/heap-flags.js');
const NATIVE = join(ROOT, 'build/Release/malloc_tuning.node');

const glibc =
  process.platform === 'linux' &&
  Boolean((process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime);
// CI builds the module (npm ci); elsewhere a machine without a C compiler may not have it.
const skip = !glibc ? 'needs Linux with glibc' : !existsSync(NATIVE) && process.env.CI !== 'true' && `${NATIVE} not built`;

/** Runs node with `args` in an environment without the allocator's own variables, plus `env`. */
function run(args: string[], env: Record<string, string> = {}): string {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('MALLOC_') && k !== 'GLIBC_TUNABLES'),
  ) as Record<string, string>;
  const r = spawnSync(process.execPath, args, { env: { ...clean, ...env }, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const report = (env?: Record<string, string>) =>
  JSON.parse(run([TUNING], env)) as { set: Record<string, number>; fromEnvironment: string[]; skipped?: string };

// Holds 256 buffers of 64 KiB (malloc'd by Node's array buffer allocator) and prints how much the
// main heap (brk, `[heap]` in /proc/self/maps) grew meanwhile.
const HEAP_GROWTH = `
import { readFileSync } from 'node:fs';
const heap = () => { const m = /^([0-9a-f]+)-([0-9a-f]+) .*\\[heap\\]$/m.exec(readFileSync('/proc/self/maps', 'utf8')); return m ? parseInt(m[2], 16) - parseInt(m[1], 16) : 0; };
const before = heap();
const held = [];
for (let i = 0; i < 256; i++) held.push(Buffer.allocUnsafeSlow(65536));
process.stdout.write(String(heap() - before) + ' ' + held.length);
`;
const heapGrowth = (env?: Record<string, string>) =>
  Number(run(['--import', HEAP_FLAGS, '--input-type=module', '-e', HEAP_GROWTH], env).split(' ')[0]);

describe('glibc allocator settings (bin/malloc-tuning.js)', { skip }, () => {
  it('sets two arenas, a 32 KiB mmap threshold and the trim threshold at 128 KiB', () => {
    assert.deepEqual(report(), { set: { arenaMax: 2, mmapThreshold: 32768, trimThreshold: 131072 }, fromEnvironment: [] });
  });

  it('leaves a setting to the environment when its variable or GLIBC_TUNABLES sets it', () => {
    assert.deepEqual(report({ MALLOC_ARENA_MAX: '4' }), {
      set: { mmapThreshold: 32768, trimThreshold: 131072 },
      fromEnvironment: ['arenaMax'],
    });
    assert.deepEqual(report({ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=65536:glibc.malloc.trim_threshold=65536' }), {
      set: { arenaMax: 2 },
      fromEnvironment: ['mmapThreshold', 'trimThreshold'],
    });
    // As in the container image, which sets all three and has no native module.
    assert.deepEqual(report({ MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '32768', MALLOC_TRIM_THRESHOLD_: '131072' }), {
      set: {},
      fromEnvironment: ['arenaMax', 'mmapThreshold', 'trimThreshold'],
    });
  });

  it('maps 64 KiB buffers on their own in a process started as Opal starts, unless the environment says otherwise', () => {
    // 256 × 64 KiB = 16 MiB held: none of it in the main heap with the threshold set at run time...
    assert.ok(heapGrowth() < 2 * 1024 * 1024, 'the main heap grew: the mmap threshold was not set');
    // ...most of it there with glibc's default threshold, given by the environment (which wins).
    assert.ok(heapGrowth({ MALLOC_MMAP_THRESHOLD_: '131072' }) >= 8 * 1024 * 1024);
  });
});
