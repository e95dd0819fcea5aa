// Lets V8's young generation grow under load, up to a cap, once the server is up.
//
// bin/heap-flags.js keeps the young generation at its initial 2 × 1 MiB
// (`--semi-space-growth-factor=1`) so that start-up does not grow it to V8's 2 × 16 MiB for good.
// Under load that small young generation costs dearly: requests in flight survive each scavenge, so
// a third of the token endpoint's CPU went to scavenges and to the old-generation collections of
// what they promoted (bench/README.md, "Young generation, capped"). V8 reads the semi-space sizes
// only at start-up (node's command line), but the growth factor on every growth decision: after
// each collection this turns growth on while one more doubling stays within the cap and off
// otherwise. The check runs after the collection is reported (a later turn of the event loop), so
// several scavenges within one turn could still grow the space one doubling past the cap; V8's own
// limit (2 × 16 MiB) stays the bound.
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** The new space (both semi-spaces) the young generation may grow to: 2 × 4 MiB. */
export const YOUNG_GENERATION_CAP = 8 * 1024 * 1024;

let observer: PerformanceObserver | undefined;

/**
 * One semi-space's capacity. Not `space_size`, which is the memory committed: V8 may release the
 * idle semi-space, which would halve that figure without any shrinking of the capacity.
 */
function semiSpaceCapacity(): number {
  for (const s of getHeapSpaceStatistics()) if (s.space_name === 'new_space') return s.space_used_size + s.space_available_size;
  return 0;
}

/** Starts the cap for this process (once; later calls do nothing). */
export function capYoungGeneration(cap = YOUNG_GENERATION_CAP): void {
  if (observer) return;
  let growing: boolean | undefined;
  const decide = () => {
    const grow = 2 * semiSpaceCapacity() <= cap / 2;
    if (grow === growing) return;
    growing = grow;
    setFlagsFromString(`--semi-space-growth-factor=${grow ? 2 : 1}`);
  };
  decide();
  observer = new PerformanceObserver(decide);
  observer.observe({ entryTypes: ['gc'] });
}
