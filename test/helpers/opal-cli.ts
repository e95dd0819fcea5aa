// Real `opal` processes for tests: free loopback ports, a spawned `node bin/opal.js …` with its
// output collected line by line, and waits on what it prints.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A loopback port that was free a moment ago (the OS picks it; the listener is closed again). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((res, rej) => srv.once('error', rej).listen(0, '127.0.0.1', () => res()));
  const addr = srv.address();
  await new Promise<void>((res) => srv.close(() => res()));
  if (typeof addr !== 'object' || !addr) throw new Error('no port');
  return addr.port;
}

export interface OpalProcess {
  child: ChildProcess;
  /** performance.now() when the process was spawned. */
  spawnedAt: number;
  stdout: string[];
  stderr: string[];
  /** Resolves with the first stdout/stderr line matching `re` (and when it was seen), or rejects after `ms`. */
  waitFor(re: RegExp, ms?: number, stream?: 'stdout' | 'stderr'): Promise<{ line: string; at: number }>;
  /** Resolves with the exit code (or signal) once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs the process if it still runs. */
  kill(): void;
}

const BIN = new URL('../../bin/opal.js', import.meta.url).pathname;

/**
 * Spawns `node bin/opal.js …args` (or another entry script, such as a bundle) with `env` added to
 * a clean environment (no OPAL_* inherited).
 */
export function spawnOpal(args: string[], env: Record<string, string | undefined> = {}, entry: string = BIN): OpalProcess {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('OPAL_')) base[k] = v;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) base[k] = v;
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [entry, ...args], { env: base, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  const waiters = new Set<{ re: RegExp; stream?: 'stdout' | 'stderr'; resolve: (v: { line: string; at: number }) => void }>();
  for (const name of ['stdout', 'stderr'] as const) {
    let buf = '';
    const s = child[name];
    s?.setEncoding('utf8');
    s?.on('data', (d: string) => {
      buf += d;
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines[name].push(line);
        const at = performance.now();
        for (const w of waiters) {
          if ((!w.stream || w.stream === name) && w.re.test(line)) {
            waiters.delete(w);
            w.resolve({ line, at });
          }
        }
        nl = buf.indexOf('\n');
      }
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('exit', (code, signal) => res({ code, signal })),
  );
  return {
    child,
    spawnedAt,
    stdout: lines.stdout,
    stderr: lines.stderr,
    exited,
    waitFor(re, ms = 20_000, stream) {
      for (const name of ['stdout', 'stderr'] as const) {
        if (stream && stream !== name) continue;
        const line = lines[name].find((l) => re.test(l));
        if (line !== undefined) return Promise.resolve({ line, at: performance.now() });
      }
      return new Promise((resolve, reject) => {
        const w = { re, resolve, ...(stream ? { stream } : {}) };
        waiters.add(w);
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`timed out waiting for ${re}\nstdout:\n${lines.stdout.join('\n')}\nstderr:\n${lines.stderr.join('\n')}`));
        }, ms);
        timer.unref();
        void exited.then(() => {
          // Give the last lines a moment, then fail fast instead of waiting for the timeout.
          setTimeout(() => {
            if (waiters.delete(w)) {
              clearTimeout(timer);
              reject(
                new Error(
                  `process exited while waiting for ${re}\nstdout:\n${lines.stdout.join('\n')}\nstderr:\n${lines.stderr.join('\n')}`,
                ),
              );
            }
          }, 50);
        });
      });
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Polls `url` until it answers 200; returns performance.now() of the first 200. */
export async function waitForOk(url: string, ms = 20_000): Promise<number> {
  const end = performance.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.status === 200) return performance.now();
    } catch {
      /* not listening yet */
    }
    if (performance.now() > end) throw new Error(`${url} did not answer 200 within ${ms} ms`);
    await sleep(5);
  }
}
