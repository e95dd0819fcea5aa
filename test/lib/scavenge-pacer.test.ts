// The scavenges asked for by uploads (src/lib/scavenge-pacer.ts): one for every SCAVENGE_EVERY
// bytes counted, and none for fewer, observed as the process's minor collections.
import assert from 'node:assert/strict';
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { test } from 'node:test';
import { paceUpload, SCAVENGE_EVERY } from '../../src/lib/scavenge-pacer.ts';

/** Minor collections reported while `fn` runs and for a moment after. */
async function scavengesDuring(fn: () => Promise<void>): Promise<number> {
  let minor = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  await fn();
  await new Promise((resolve) => setTimeout(resolve, 200));
  observer.disconnect();
  return minor;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

test('a scavenge for every SCAVENGE_EVERY bytes of uploads, none below', async () => {
  // Below the mark: bytes that add up to less than one SCAVENGE_EVERY.
  const below = await scavengesDuring(async () => {
    for (let i = 0; i < 20; i++) {
      paceUpload(Math.floor(SCAVENGE_EVERY / 40));
      await turn();
    }
  });
  const paced = await scavengesDuring(async () => {
    for (let i = 0; i < 20; i++) {
      // 64 KiB pieces, as the HTTP parser hands a body over.
      for (let sent = 0; sent < SCAVENGE_EVERY; sent += 64 * 1024) paceUpload(64 * 1024);
      await turn();
    }
  });
  assert.ok(paced >= 20, `${paced} scavenges for 20 × SCAVENGE_EVERY bytes`);
  assert.ok(below < 20, `${below} scavenges without pacing (this process's own)`);
});
