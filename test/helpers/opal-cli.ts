// Every way a test runs the `opal` CLI or another Opal process:
// - opal(): one real `node bin/opal.js …` process, run to its end;
// - opalBatch(): many command lines in one process through test/fixtures/cli-runner.ts (the real
//   CLI code without a Node + TypeScript start-up per command);
// - spawnOpal() / spawnScript(): a long-running process (`opal serve`, a test fixture) whose
//   output is collected line by line, with waits on what it prints.
// Each child gets the test process's environment without any OPAL_* variable, plus what the test
// passes: nothing of the developer's own configuration leaks into a test.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = new URL('../../bin/opal.js', import.meta.url).pathname;
const RUNNER = new URL('../fixtures/cli-runner.ts', import.meta.url).pathname;

export type Env = Record<string, string | undefined>;

/** The test process's environment without OPAL_* variables, plus `env` (undefined values dropped). */
export function cleanEnv(env: Env = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('OPAL_')) out[k] = v;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** What a finished command printed and its exit code. */
export interface OpalRun {
  code: number | null;
  stdout: string;
  /** stdout as bytes (object downloads). */
  bytes: Buffer;
  stderr: string;
}

/**
 * Runs `node bin/opal.js …args` (or, with `npx`, `npx --no-install opal …args`, the package's bin)
 * as a real process to its end; `input` is sent on stdin.
 */
export function opal(
  args: string[],
  env: Env = {},
  opts: { input?: Buffer | string; timeoutMs?: number; npx?: boolean } = {},
): Promise<OpalRun> {
  return new Promise((resolve, reject) => {
    const [command, argv] = opts.npx ? ['npx', ['--no-install', 'opal', ...args]] : [process.execPath, [BIN, ...args]];
    const child = spawn(command, argv, { cwd: ROOT, env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const bytes = Buffer.concat(out);
      resolve({ code, stdout: bytes.toString('utf8'), bytes, stderr });
    });
    child.stdin.on('error', () => undefined); // a command that does not read stdin may close it first
    child.stdin.end(opts.input ?? '');
  });
}

export interface OpalBatch {
  /** Runs one command line (one at a time, in order). */
  run(args: string[], env?: Env): Promise<OpalRun>;
  /** Ends the runner process. */
  close(): void;
}

/**
 * A runner for many command lines in one process (started on first use). The CLI code is the
 * real one; only the process boundary is simulated (test/fixtures/cli-runner.ts).
 */
export function opalBatch(): OpalBatch {
  let child: ChildProcess | undefined;
  const pending: Array<(r: { code: number; stdout: string; stderr: string }) => void> = [];
  let queue: Promise<unknown> = Promise.resolve();
  const start = (): ChildProcess => {
    const c = spawn(process.execPath, ['--import', 'tsx', RUNNER], { cwd: ROOT, env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    if (!c.stdout || !c.stdin) throw new Error('no pipes to the CLI runner');
    createInterface({ input: c.stdout }).on('line', (line) => pending.shift()?.(JSON.parse(line)));
    c.stderr?.pipe(process.stderr);
    return c;
  };
  return {
    run(args, env = {}) {
      child ??= start();
      const c = child;
      const clean: Record<string, string> = {};
      for (const [k, v] of Object.entries(env)) if (v !== undefined) clean[k] = v;
      const result = queue.then(
        () =>
          new Promise<OpalRun>((res) => {
            pending.push((r) => res({ ...r, bytes: Buffer.from(r.stdout) }));
            c.stdin?.write(`${JSON.stringify({ args, env: clean })}\n`);
          }),
      );
      queue = result.catch(() => undefined);
      return result;
    },
    close() {
      child?.stdin?.end();
    },
  };
}

export interface OpalProcess {
  child: ChildProcess;
  /** performance.now() when the process was spawned. */
  spawnedAt: number;
  stdout: string[];
  stderr: string[];
  /**
   * Resolves with the first stdout/stderr line matching `re` and performance.now() when it was
   * read (also for a line read before the call), or rejects after `ms` or when the process exits.
   */
  waitFor(re: RegExp, ms?: number, stream?: 'stdout' | 'stderr'): Promise<{ line: string; at: number; match: RegExpExecArray }>;
  /** Writes `line` to stdin and resolves with the next line on stdout (a line protocol). */
  ask(line: string): Promise<string>;
  /** Resolves with the exit code (or signal) once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGTERM and waits for the exit (SIGKILL after `ms`). */
  stop(ms?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs the process if it still runs. */
  kill(): void;
}

/** Spawns `node …argv` with `env` added to a clean environment; output is read line by line. */
export function spawnNode(argv: string[], env: Env = {}, opts: { stdin?: boolean } = {}): OpalProcess {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, argv, { cwd: ROOT, env: cleanEnv(env), stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  const seenAt = { stdout: [] as number[], stderr: [] as number[] };
  const nextLine: Array<(line: string) => void> = [];
  type Waiter = { re: RegExp; stream?: 'stdout' | 'stderr'; resolve: (v: { line: string; at: number; match: RegExpExecArray }) => void };
  const waiters = new Set<Waiter>();
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
        const at = performance.now();
        lines[name].push(line);
        seenAt[name].push(at);
        if (name === 'stdout') nextLine.shift()?.(line);
        for (const w of waiters) {
          const match = !w.stream || w.stream === name ? w.re.exec(line) : null;
          if (match) {
            waiters.delete(w);
            w.resolve({ line, at, match });
          }
        }
        nl = buf.indexOf('\n');
      }
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('exit', (code, signal) => res({ code, signal })),
  );
  const output = () => `stdout:\n${lines.stdout.join('\n')}\nstderr:\n${lines.stderr.join('\n')}`;
  const p: OpalProcess = {
    child,
    spawnedAt,
    stdout: lines.stdout,
    stderr: lines.stderr,
    exited,
    waitFor(re, ms = 20_000, stream) {
      for (const name of ['stdout', 'stderr'] as const) {
        if (stream && stream !== name) continue;
        for (const [i, line] of lines[name].entries()) {
          const match = re.exec(line);
          if (match) return Promise.resolve({ line, at: seenAt[name][i] ?? performance.now(), match });
        }
      }
      return new Promise((resolve, reject) => {
        const w: Waiter = { re, resolve, ...(stream ? { stream } : {}) };
        waiters.add(w);
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`timed out waiting for ${re}\n${output()}`));
        }, ms);
        timer.unref();
        void exited.then(() => {
          // Give the last lines a moment, then fail fast instead of waiting for the timeout.
          setTimeout(() => {
            if (waiters.delete(w)) {
              clearTimeout(timer);
              reject(new Error(`process exited while waiting for ${re}\n${output()}`));
            }
          }, 50);
        });
      });
    },
    ask(line) {
      return new Promise((resolve, reject) => {
        if (!child.stdin) return reject(new Error('spawned without stdin'));
        nextLine.push(resolve);
        child.stdin.write(`${line}\n`);
      });
    },
    async stop(ms = 10_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => p.kill(), ms);
      const r = await exited;
      clearTimeout(timer);
      return r;
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
  return p;
}

/**
 * Spawns `node bin/opal.js …args` (or another entry script, such as a bundle) with `env` added to
 * a clean environment.
 */
export function spawnOpal(args: string[], env: Env = {}, entry: string = BIN): OpalProcess {
  return spawnNode([entry, ...args], env);
}

/** Spawns a TypeScript script (a test fixture, path from the repository root) through tsx. */
export function spawnScript(script: string, args: string[] = [], env: Env = {}, opts: { stdin?: boolean } = {}): OpalProcess {
  return spawnNode(['--import', 'tsx', script, ...args], env, opts);
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

/** The TCP ports a process listens on (Linux: its socket inodes matched in /proc/net/tcp{,6}). */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1]) inodes.add(m[1]);
    } catch {
      /* closed meanwhile */
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const row of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT, st 0A is LISTEN, the inode is column 10.
      if (cols[3] === '0A' && cols[9] && inodes.has(cols[9])) ports.add(Number.parseInt(cols[1]?.split(':')[1] ?? '', 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** `opal --json ARGS` on a batch runner against a data directory: exit status, parsed JSON, stderr. */
export function jsonOpal(runner: OpalBatch, dataDir: () => string) {
  return async (...args: string[]) => {
    const r = await runner.run(['--json', ...args], { OPAL_DATA_DIR: dataDir(), OPAL_DEMO: 'false', OPAL_LOG_LEVEL: 'silent' });
    return { status: r.code, json: r.stdout ? (JSON.parse(r.stdout) as Record<string, unknown>) : {}, stderr: r.stderr };
  };
}
