// The young generation's cap (src/lib/young-generation.ts), in a process that turns growth off
// first, as bin/heap-flags.js does (test/fixtures/young-generation.ts).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { YOUNG_GENERATION_CAP } from '../../src/lib/young-generation.ts';

const FIXTURE = join(import.meta.dirname, '../fixtures/young-generation.ts');
const MiB = 1024 * 1024;

async function newSpaceUnderLoad(cap?: number, mode = 'turns'): Promise<{ initial: number; largest: number }> {
  const args = ['--import', 'tsx', FIXTURE, String(cap ?? 0), mode];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: join(import.meta.dirname, '../..') });
  return JSON.parse(stdout);
}

test('without the cap the young generation keeps its size under allocation', async () => {
  const r = await newSpaceUnderLoad();
  assert.equal(r.largest, r.initial);
});

test('with the cap it grows under allocation up to the cap, and no further', async () => {
  const r = await newSpaceUnderLoad(YOUNG_GENERATION_CAP);
  assert.ok(r.initial < YOUNG_GENERATION_CAP, `initial ${r.initial / MiB} MiB`);
  assert.equal(r.largest, YOUNG_GENERATION_CAP, `largest ${r.largest / MiB} MiB`);
  const twice = await newSpaceUnderLoad(2 * YOUNG_GENERATION_CAP);
  assert.equal(twice.largest, 2 * YOUNG_GENERATION_CAP, `with twice the cap: ${twice.largest / MiB} MiB`);
});

test('a burst within one turn: checked as answers are queued, it stays within the cap', async () => {
  // The collections' reports arrive a turn later: unchecked, the burst grows the space past the cap.
  const unchecked = await newSpaceUnderLoad(YOUNG_GENERATION_CAP, 'burst');
  assert.ok(unchecked.largest > YOUNG_GENERATION_CAP, `unchecked burst: ${unchecked.largest / MiB} MiB`);
  const checked = await newSpaceUnderLoad(YOUNG_GENERATION_CAP, 'burst-checked');
  assert.ok(checked.largest <= YOUNG_GENERATION_CAP, `checked burst: ${checked.largest / MiB} MiB`);
  assert.ok(checked.largest > checked.initial, 'it still grows');
});
