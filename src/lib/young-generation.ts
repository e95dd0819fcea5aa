// Lets V8's young generation grow under load, up to a cap, once the server is up.
//
// bin/heap-flags.js keeps the young generation at its initial 2 × 1 MiB
// (`--semi-space-growth-factor=1`) so that start-up does not grow it to V8's 2 × 16 MiB for good.
// Under load that small young generation costs dearly: requests in flight survive each scavenge, so
// a third of the token endpoint's CPU went to scavenges and to the old-generation collections of
// what they promoted (bench/README.md, "Young generation, capped"). V8 reads the semi-space sizes
// only at start-up (node's command line), but the growth factor on every growth decision: after
// each collection this turns growth on while one more doubling stays within the cap and off
// otherwise. The collection is reported a turn of the event loop later, and one turn can hold a
// whole burst of work: a group commit of the embedded store resolves the writes of a batch of
// requests at once, whose scavenges grew the space from 2 × 2 MiB to V8's own 2 × 16 MiB before the
// report came (FDS uploads of small objects; bench/README.md, "Small objects in the embedded
// database"). So the check also runs within the turn, every CHECK_EVERY answers (checkSoon, called
// as each answer is queued, http/turn-end.ts).
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** The new space (both semi-spaces) the young generation may grow to: 2 × 4 MiB. */
export const YOUNG_GENERATION_CAP = 8 * 1024 * 1024;

/** Answers between two checks within a turn (a check reads the heap's spaces, ~1.5 µs). */
const CHECK_EVERY = 16;

let observer: PerformanceObserver | undefined;
let decideNow: (() => void) | undefined;
let sinceCheck = 0;

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
  decideNow = decide;
  observer = new PerformanceObserver(decide);
  observer.observe({ entryTypes: ['gc'] });
}

/** Runs the cap's check now on every CHECK_EVERY-th call (once capYoungGeneration has started it). */
export function checkSoon(): void {
  if (decideNow === undefined || ++sinceCheck < CHECK_EVERY) return;
  sinceCheck = 0;
  decideNow();
}
