// Lets V8's young generation grow under load, up to a cap, once the server is up.
//
// bin/opal.js keeps the young generation at its initial 2 × 1 MiB (`--semi-space-growth-factor=1`)
// so that start-up does not grow it to V8's 2 × 16 MiB for good. Under load that small young
// generation costs dearly: requests in flight survive each scavenge, so a third of the token
// endpoint's CPU went to scavenges and to the old-generation collections of what they promoted
// (bench/README.md, "Young generation, capped"). V8 reads the semi-space sizes only at start-up
// (node's command line), but the growth factor on every growth decision: after each collection
// this turns growth on while the new space is below the cap and off once it reached it. V8 shrinks
// the new space again when the allocation rate falls (after a load).
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** The new space (both semi-spaces) the young generation may grow to: 2 × 4 MiB. */
export const YOUNG_GENERATION_CAP = 8 * 1024 * 1024;

let observer: PerformanceObserver | undefined;

function newSpaceSize(): number {
  for (const s of getHeapSpaceStatistics()) if (s.space_name === 'new_space') return s.space_size;
  return 0;
}

/** Starts the cap for this process (once; later calls do nothing). */
export function capYoungGeneration(cap = YOUNG_GENERATION_CAP): void {
  if (observer) return;
  let growing: boolean | undefined;
  const decide = () => {
    const grow = newSpaceSize() < cap;
    if (grow === growing) return;
    growing = grow;
    setFlagsFromString(`--semi-space-growth-factor=${grow ? 2 : 1}`);
  };
  decide();
  observer = new PerformanceObserver(decide);
  observer.observe({ entryTypes: ['gc'] });
}
