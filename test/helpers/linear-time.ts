// Linear-time checks of parsers (regression tests of backtracking the fuzzing drill found): time
// a parse of a very long input with a budget that only super-linear behaviour can exceed.

/**
 * Milliseconds `f` takes (for the linear-time checks): the best of up to three runs, stopping at
 * the first within `budgetMs`, so that a pause of a shared machine is not taken for backtracking
 * (which costs seconds on every run).
 */
export function timeMs(f: () => unknown, budgetMs = 100): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3 && best > budgetMs; i++) {
    const start = performance.now();
    try {
      f();
    } catch {
      /* only time matters here */
    }
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/** Node's default limit on all request headers together. */
export const MAX_HEADER_BYTES = 16_000;
/**
 * Input length of the linear-time checks: four times the header limit, so that quadratic
 * backtracking costs tens of seconds (and cubic hours) while a linear parse takes milliseconds;
 * the 1 s budget then separates the two whatever else a shared machine is doing.
 */
export const LONG_INPUT = 4 * MAX_HEADER_BYTES;
/** Budget of one linear-time parse of LONG_INPUT characters (best of three runs). */
export const LINEAR_BUDGET_MS = 1000;
