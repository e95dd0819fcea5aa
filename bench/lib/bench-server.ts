// Shared setup for the bench scripts: an Opal server in this process on embedded stores (SQLite
// in a fresh temporary data dir, memory cache), and a runner for a load generator script that
// runs as a second process (one JSON argument in, one JSON result on stdout).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/server.ts';

const run = promisify(execFile);

/** What every load generator reports. */
export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
}

/** What the fixed-list load generators (bench/lib/item-load.mjs) report: latencies in ms. */
export interface LatencyResult extends LoadResult {
  p50: number;
  p99: number;
}

/** Runs `script` (a path) with `args` as its JSON argument and parses the JSON it prints. */
export async function runLoad<T>(script: string, args: unknown): Promise<T> {
  const { stdout } = await run(process.execPath, [script, JSON.stringify(args)], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as T;
}

/** Starts a silent server (no demo data, port 0) in a temporary data dir; `env` adds settings. */
export async function startBenchServer(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'opal-bench-'));
  const config = loadConfig({ OPAL_DATA_DIR: dir, OPAL_PORT: '0', OPAL_LOG_LEVEL: 'silent', OPAL_DEMO: 'false', ...env });
  const server = await startServer(config, { logger: false });
  return {
    server,
    ctx: server.ctx,
    dir,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
