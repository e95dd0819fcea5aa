// Runs test/fixtures/fds-server.ts in a child process so that its memory can be measured and it
// can be SIGKILLed. The fixture is bundled ahead of time with esbuild (tsx's own dependency;
// packages stay external) and run by plain `node`: the server is then measured without the tsx
// loader thread, as a deployment compiled ahead of time runs it.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '../..');

export interface ChildServer {
  url: string;
  pid: number;
  proc: ChildProcess;
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
  removeStaleBundles();
  const dir = join(ROOT, '.tmp', `fds-fixture-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'fds-server.mjs');
  await build({
    entryPoints: [join(ROOT, 'test/fixtures/opal-server.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: file,
    logLevel: 'error',
  });
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Removes bundles left by test processes that were killed before their cleanup ran. */
function removeStaleBundles(): void {
  let names: string[] = [];
  try {
    names = readdirSync(join(ROOT, '.tmp'));
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^fds-fixture-(\d+)-[0-9a-f]{8}$/.exec(name);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(ROOT, '.tmp', name), { recursive: true, force: true });
    }
  }
}

export async function startChild(
  bundle: string,
  opts: { dataDir: string; createKey?: boolean; env?: Record<string, string> },
): Promise<ChildServer> {
  const proc = spawn(process.execPath, [bundle], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      OPAL_DATA_DIR: opts.dataDir,
      OPAL_FDS_PORT: '0',
      OPAL_PORT: '0',
      OPAL_HOST: '127.0.0.1',
      OPAL_LOG_LEVEL: 'warn',
      ...(opts.createKey ? { FDS_FIXTURE_CREATE_KEY: '1' } : {}),
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => {
    if (err.length < 20000) err += c.toString();
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const line = await new Promise<string>((res, rej) => {
    const rl = createInterface({ input: proc.stdout! });
    const timer = setTimeout(() => rej(new Error(`fixture server did not start in 30 s: ${err}`)), 30_000);
    rl.once('line', (l) => {
      clearTimeout(timer);
      rl.close();
      res(l);
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`fixture server exited with ${code}: ${err}`));
    });
  });
  const info = JSON.parse(line) as { fdsUrl: string; pid: number; accessKeyId?: string; accessSecret?: string };
  return {
    url: info.fdsUrl,
    pid: info.pid,
    proc,
    ...(info.accessKeyId && info.accessSecret ? { key: { accessKeyId: info.accessKeyId, accessSecret: info.accessSecret } } : {}),
    stderr: () => err,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
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
