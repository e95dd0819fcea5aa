// Soak (issue 11 drill): measure the peak rate of the mixed SDK-shaped workload
// (bench/lib/mixed-load.ts: authorize + exchange + refresh + MAC profile + FDS PUT/GET) against an
// `opal serve` child on the embedded store, then hold 70 % of it for the given minutes and report
// errors (the goal: 0) and the server's RSS: after a warm-up of a fifth of the run, the median of
// the first minute after warm-up against the median of the last minute (the goal: < 10 % growth).
// Loopback only; bounded by the minutes given. The full 10-minute run is for a quiet machine.
//
//   npm run build && node --import tsx bench/soak.ts [minutes=10] [peakSeconds=20] [workers=16]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBucket, iteration, StepError, seedStore, signIn, startOpal } from './lib/mixed-load.ts';

const minutes = Number(process.argv[2] ?? 10);
const peakSeconds = Number(process.argv[3] ?? 20);
const workers = Number(process.argv[4] ?? 16);

const dir = mkdtempSync(join(tmpdir(), 'opal-soak-'));
const env = { OPAL_DATA_DIR: dir };
const seed = await seedStore(env);
const opal = await startOpal(env);
const errors = new Map<string, number>();
let n = 0;
try {
  await createBucket(opal.fds, seed);
  const cookie = await signIn(opal.account, seed.account);

  /** Runs the workload until `until`, at most `rate` iterations per second in all (unlimited: Infinity). */
  async function run(until: number, rate: number): Promise<{ done: number; seconds: number }> {
    const start = Date.now();
    let done = 0;
    let slot = 0;
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (Date.now() < until) {
          if (Number.isFinite(rate)) {
            const at = start + (slot++ * 1000) / rate;
            if (at > Date.now()) await new Promise((r) => setTimeout(r, at - Date.now()));
            if (Date.now() >= until) break;
          }
          try {
            await iteration(opal, seed, cookie, n++);
            done++;
          } catch (e) {
            const key = e instanceof StepError ? `${e.step} ${e.status}` : String(e);
            errors.set(key, (errors.get(key) ?? 0) + 1);
          }
        }
      }),
    );
    return { done, seconds: (Date.now() - start) / 1000 };
  }

  const peak = await run(Date.now() + peakSeconds * 1000, Infinity);
  const peakRate = peak.done / peak.seconds;
  const peakErrors = [...errors.values()].reduce((a, b) => a + b, 0);
  errors.clear();
  const target = peakRate * 0.7;
  const samples: Array<{ t: number; rss: number }> = [];
  const t0 = Date.now();
  const sampler = setInterval(() => samples.push({ t: (Date.now() - t0) / 1000, rss: opal.rssBytes() }), 1000);
  const soak = await run(t0 + minutes * 60_000, target);
  clearInterval(sampler);

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const total = minutes * 60;
  const warm = total / 5;
  const window = Math.min(60, (total - warm) / 3);
  const first = median(samples.filter((x) => x.t >= warm && x.t < warm + window).map((x) => x.rss));
  const last = median(samples.filter((x) => x.t >= total - window).map((x) => x.rss));
  const mib = (b: number) => Math.round((b / 1048576) * 10) / 10;
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    minutes,
    workers,
    peak: { iterationsPerSecond: Math.round(peakRate * 10) / 10, errors: peakErrors },
    soak: {
      targetPerSecond: Math.round(target * 10) / 10,
      achievedPerSecond: Math.round((soak.done / soak.seconds) * 10) / 10,
      iterations: soak.done,
      errors: Object.fromEntries(errors),
    },
    rssMiB: {
      afterWarmup: mib(first),
      end: mib(last),
      max: mib(Math.max(...samples.map((x) => x.rss))),
      growthPercent: Math.round(((last - first) / first) * 1000) / 10,
    },
  };
  console.log(JSON.stringify(result, null, 2));
  const errorCount = Object.values(result.soak.errors).reduce((a, b) => a + b, 0);
  process.exitCode = errorCount === 0 && result.rssMiB.growthPercent < 10 ? 0 : 1;
} finally {
  await opal.stop();
  rmSync(dir, { recursive: true, force: true });
}
