// The child-server fixture: test/fixtures/opal-server.ts in a child process that binds port 0 for
// every listener and reports the ports it got (never a port picked here and released). Run
// through tsx, or bundled ahead of time with esbuild (tsx's own dependency) with the options of
// the shipped bundle (scripts/bundle-options.mjs) and run by plain `node`, so that its memory is
// measured without the tsx loader thread, as a deployment compiled ahead of time runs it. V8's heap
// flags are set as bin/opal.js sets them, at run time before anything else is loaded: bin/heap-flags.js
// preloaded with `--import` (the same flags on node's command line did not stop the young
// generation's growth, and importing the module from the fixture ran it only after the fixture's
// whole import graph had loaded). It can be stopped (SIGTERM) or SIGKILLed.
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS } from '../../scripts/bundle-options.mjs';
import { removeDirsOfDeadProcesses } from '../../scripts/stale-dirs.mjs';
import { type Env, type OpalProcess, spawnNode } from './opal-cli.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = join(ROOT, 'test/fixtures/opal-server.ts');
const HEAP_FLAGS = join(ROOT, 'bin/heap-flags.js');

export interface ChildServer {
  /** The FDS origin's URL when it serves FDS, else the account origin's. */
  url: string;
  accountUrl?: string;
  fdsUrl?: string;
  pid: number;
  proc: OpalProcess;
  key?: { accessKeyId: string; accessSecret: string };
  /** Output on stderr so far (for failure messages). */
  stderr(): string;
  /** SIGTERM, then waits for exit. */
  stop(): Promise<void>;
  /** SIGKILL, then waits for exit. */
  kill(): Promise<void>;
}

/** Bundles the fixture server into .tmp/ (inside the repository, so packages resolve). */
export async function bundleFixture(): Promise<{ file: string; remove(): void }> {
  removeDirsOfDeadProcesses(join(ROOT, '.tmp'), /^fds-fixture-(\d+)-[0-9a-f]{8}$/);
  const dir = join(ROOT, '.tmp', `fds-fixture-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'opal-server.mjs');
  await build({
    entryPoints: [FIXTURE],
    ...BUNDLE_OPTIONS,
    outfile: file,
    logLevel: 'error',
  });
  // What the bundle reads beside itself at run time, as scripts/build.mjs copies it for dist/.
  cpSync(join(ROOT, 'src', 'web', 'templates'), join(dir, 'templates'), { recursive: true });
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts the fixture server: from `bundle` (bundleFixture) or, without one, from its source through
 * tsx. Sites: OPAL_SITES in `env` (default: the FDS origin only).
 */
export async function startChild(
  bundle: string | undefined,
  opts: { dataDir: string; createKey?: boolean; env?: Env },
): Promise<ChildServer> {
  const env: Env = {
    OPAL_DATA_DIR: opts.dataDir,
    OPAL_FDS_PORT: '0',
    OPAL_PORT: '0',
    OPAL_HOST: '127.0.0.1',
    OPAL_LOG_LEVEL: 'warn',
    ...(opts.createKey ? { FIXTURE_CREATE_KEY: '1' } : {}),
    ...opts.env,
  };
  const proc = spawnNode(['--import', HEAP_FLAGS, ...(bundle ? [bundle] : ['--import', 'tsx', FIXTURE])], env);
  const stderr = () => proc.stderr.join('\n');
  let ready: { pid: number; accountUrl?: string; fdsUrl?: string; accessKeyId?: string; accessSecret?: string };
  try {
    ready = JSON.parse((await proc.waitFor(/^\{"event":"ready"/, 30_000, 'stdout')).line);
  } catch (e) {
    proc.kill();
    throw e;
  }
  return {
    url: ready.fdsUrl ?? ready.accountUrl ?? '',
    ...(ready.accountUrl ? { accountUrl: ready.accountUrl } : {}),
    ...(ready.fdsUrl ? { fdsUrl: ready.fdsUrl } : {}),
    pid: ready.pid,
    proc,
    ...(ready.accessKeyId && ready.accessSecret ? { key: { accessKeyId: ready.accessKeyId, accessSecret: ready.accessSecret } } : {}),
    stderr,
    async stop() {
      await proc.stop();
    },
    async kill() {
      proc.kill();
      await proc.exited;
    },
  };
}

/** Resident set size of a process in bytes (VmRSS of /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Samples a process's RSS every `everyMs` until stopped; reports the peak. */
export function sampleRss(pid: number, everyMs = 50): { stop(): { peak: number; samples: number } } {
  let peak = 0;
  let samples = 0;
  const take = () => {
    try {
      peak = Math.max(peak, rssBytes(pid));
      samples++;
    } catch {
      /* exited */
    }
  };
  take();
  const t = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(t);
      take();
      return { peak, samples };
    },
  };
}

/**
 * Waits until a freshly started server has shed its start-up garbage: V8's memory reducer shrinks
 * the heap after some seconds of idleness (about 100 MB → 80 MB of RSS for the FDS server). Returns
 * the RSS before and after; gives up after `maxMs`.
 */
export async function settleRss(pid: number, maxMs = 20_000): Promise<{ before: number; after: number }> {
  const before = rssBytes(pid);
  const deadline = Date.now() + maxMs;
  let after = before;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    after = rssBytes(pid);
    if (after < before * 0.9) break;
  }
  return { before, after };
}
