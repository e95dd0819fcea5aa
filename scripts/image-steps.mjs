// Runs the Dockerfile's build and start steps without a container runtime, in a clean temporary
// directory: what `docker build` and `docker run` would do, line by line, read from the Dockerfile
// itself (so the two cannot drift apart):
//   build stage   a copy of the repository at HEAD (git archive, as `COPY . .` with .dockerignore
//                 sees a clean checkout); each RUN line through `sh -c` with the stage's ENV;
//   runtime stage each `COPY --from=build` from the build directory; the ENV lines; CMD started
//                 there; the HEALTHCHECK command run until it passes; GET /healthz and
//                 /openapi.json on both origins; SIGTERM, and the exit status must be 0.
// Lines the host cannot run as written carry an `# image-steps:` comment above them:
//   toolchain CMDS  the apt-get line: instead, each named command must be on PATH;
//   nodedir         npm_config_nodedir: the prefix of the Node that runs this script (/usr/local
//                   in the node image, /usr for Debian's nodejs);
//   data-dir        the RUN that makes /data: a directory in the temporary one (mode 0700).
// OPAL_HOST is 127.0.0.1 and the ports are free ones, so that nothing listens beyond loopback.
// Usage: node scripts/image-steps.mjs [--keep]   (exit 0 when every step passed)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = new URL('..', import.meta.url).pathname;

/** The Dockerfile as stages of instructions; each carries the `# image-steps:` mark above it. */
export function parseDockerfile(text) {
  const stages = [];
  let mark;
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    const m = /^# image-steps: (\S+)(?: (.*))?$/.exec(line);
    if (m) {
      mark = { kind: m[1], args: (m[2] ?? '').split(/\s+/).filter((a) => a && !a.startsWith('(')) };
      if (m[1] === 'nodedir') mark.args = [];
      continue;
    }
    if (line.startsWith('#')) continue;
    const [, op = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const ins = { op: op.toUpperCase(), rest, mark };
    mark = undefined;
    if (ins.op === 'FROM') stages.push({ from: rest, steps: [] });
    else stages.at(-1)?.steps.push(ins);
  }
  return stages;
}

/** `A=1 B=2` (the ENV form used here; values without spaces). */
export function parseEnv(rest) {
  return Object.fromEntries(rest.split(/\s+/).map((kv) => kv.split(/=(.*)/s).slice(0, 2)));
}

/** CMD/HEALTHCHECK exec form: the JSON array after the options. */
export function execForm(rest) {
  const i = rest.indexOf('[');
  return JSON.parse(rest.slice(i));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function step(what) {
  console.log(`image-steps: ${what}`);
}

function run(cmd, cwd, env) {
  step(`RUN ${cmd}`);
  const r = spawnSync('sh', ['-c', cmd], { cwd, env, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`RUN failed (${r.status ?? r.signal}): ${cmd}`);
}

export async function imageSteps({ keep = false } = {}) {
  const stages = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  if (stages.length !== 2) throw new Error(`expected two stages, found ${stages.length}`);
  const [build, runtime] = stages;
  const tmp = mkdtempSync(join(tmpdir(), 'opal-image-'));
  const dirs = { build: join(tmp, 'build'), run: join(tmp, 'run'), data: join(tmp, 'data') };
  const nodePrefix = dirname(dirname(process.execPath));
  const hostEnv = { PATH: process.env.PATH, HOME: process.env.HOME ?? tmp, npm_config_cache: process.env.npm_config_cache };
  if (!hostEnv.npm_config_cache) delete hostEnv.npm_config_cache;
  let child;
  try {
    // Build stage.
    mkdirSync(dirs.build, { recursive: true });
    let env = { ...hostEnv };
    for (const s of build.steps) {
      if (s.mark?.kind === 'toolchain') {
        for (const c of s.mark.args) {
          if (spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status !== 0) throw new Error(`toolchain: ${c} not found`);
        }
        step(`toolchain present: ${s.mark.args.join(' ')}`);
      } else if (s.op === 'WORKDIR') step(`WORKDIR ${s.rest} → ${dirs.build}`);
      else if (s.op === 'ENV') {
        const vars = parseEnv(s.rest);
        if (s.mark?.kind === 'nodedir') for (const k of Object.keys(vars)) vars[k] = nodePrefix;
        step(
          `ENV ${Object.entries(vars)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
        );
        env = { ...env, ...vars };
      } else if (s.op === 'COPY' && s.rest === '. .') {
        step('COPY . . (git archive HEAD)');
        execFileSync('sh', ['-c', `git -C "${ROOT}" archive --format=tar HEAD | tar -x -C "${dirs.build}"`], { stdio: 'inherit' });
      } else if (s.op === 'RUN') run(s.rest, dirs.build, env);
      else throw new Error(`build stage: no rule for ${s.op} ${s.rest}`);
    }
    // Runtime stage.
    mkdirSync(dirs.run, { recursive: true });
    env = { ...hostEnv };
    let cmd;
    let health;
    for (const s of runtime.steps) {
      if (s.op === 'COPY') {
        const m = /^--from=build\s+(.+)\s+(\S+)$/.exec(s.rest);
        if (!m) throw new Error(`runtime stage: COPY without --from=build: ${s.rest}`);
        const dest = join(dirs.run, m[2]);
        const sources = m[1].split(/\s+/);
        for (const src of sources) {
          const from = join(dirs.build, src.replace(/^\/opal\/?/, ''));
          const to = m[2].endsWith('/') || sources.length > 1 ? join(dest, src.split('/').at(-1)) : dest;
          mkdirSync(dirname(to), { recursive: true });
          cpSync(from, to, { recursive: true, preserveTimestamps: true });
        }
        step(`COPY --from=build ${m[1]} ${m[2]}`);
      } else if (s.op === 'ENV') env = { ...env, ...parseEnv(s.rest) };
      else if (s.op === 'RUN' && s.mark?.kind === 'data-dir') {
        mkdirSync(dirs.data, { recursive: true });
        chmodSync(dirs.data, 0o700);
        step(`data directory ${dirs.data} (for: ${s.rest})`);
      } else if (s.op === 'CMD') cmd = execForm(s.rest);
      else if (s.op === 'HEALTHCHECK') health = execForm(s.rest);
      else if (['WORKDIR', 'VOLUME', 'USER', 'EXPOSE'].includes(s.op)) step(`${s.op} ${s.rest} (container metadata)`);
      else throw new Error(`runtime stage: no rule for ${s.op} ${s.rest}`);
    }
    if (!cmd || !health) throw new Error('runtime stage: CMD and HEALTHCHECK are required');
    const [port, fdsPort] = [await freePort(), await freePort()];
    Object.assign(env, { OPAL_DATA_DIR: dirs.data, OPAL_HOST: '127.0.0.1', OPAL_PORT: String(port), OPAL_FDS_PORT: String(fdsPort) });
    step(`CMD ${cmd.join(' ')} (ports ${port}, ${fdsPort})`);
    child = spawn(cmd[0], cmd.slice(1), { cwd: dirs.run, env, stdio: ['ignore', 'inherit', 'inherit'] });
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    let healthy = false;
    for (let i = 0; i < 60 && !healthy; i++) {
      await sleep(500);
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode})`);
      healthy = spawnSync(health[0], health.slice(1), { cwd: dirs.run, env, stdio: 'ignore' }).status === 0;
    }
    if (!healthy) throw new Error(`HEALTHCHECK ${health.join(' ')} did not pass within 30 s`);
    step(`HEALTHCHECK ${health.join(' ')}: healthy`);
    for (const base of [`http://127.0.0.1:${port}`, `http://127.0.0.1:${fdsPort}`]) {
      for (const path of ['/healthz', '/openapi.json']) {
        const r = await fetch(base + path);
        await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`${base}${path}: ${r.status}`);
        step(`GET ${base}${path}: 200`);
      }
    }
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    child = undefined;
    if (code !== 0) throw new Error(`after SIGTERM the server exited with ${code ?? signal}`);
    step('SIGTERM: exit 0');
  } finally {
    child?.kill('SIGKILL');
    if (keep) step(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  try {
    await imageSteps({ keep: process.argv.includes('--keep') });
    step('all steps passed');
  } catch (e) {
    console.error(`image-steps: FAILED: ${e.message}`);
    process.exit(1);
  }
}
