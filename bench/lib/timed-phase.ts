// The closed-loop phase the in-process bench scripts share (bench/fds.ts, bench/fds-thumb.ts):
// `conc` workers call `fn(i)` until `maxOps` calls or `seconds` have passed (but at least
// `minOps`), timing each call.

/** The p-th percentile of ascending `sorted` (0 when empty). */
export function pct(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
}

/** Latencies in ms (ascending) and the phase's wall time in seconds. */
export async function timedPhase(
  seconds: number,
  maxOps: number,
  conc: number,
  fn: (i: number) => Promise<void>,
  minOps = 1,
): Promise<{ lat: number[]; seconds: number }> {
  const lat: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (next < maxOps && (next < minOps || performance.now() < deadline)) {
        const i = next++;
        const t = performance.now();
        await fn(i);
        lat.push(performance.now() - t);
      }
    }),
  );
  return { lat: lat.sort((a, b) => a - b), seconds: (performance.now() - start) / 1000 };
}
