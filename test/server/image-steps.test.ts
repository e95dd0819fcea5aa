// The container image (Dockerfile) and the script that runs its steps without a container runtime
// (scripts/image-steps.mjs; compose.yaml is checked in compose.test.ts). Always: the Dockerfile has
// the shape README promises, and each of its lines is one the script knows how to run. With
// OPAL_TEST_IMAGE=1 (several minutes: npm ci with a native compile in a clean copy): the build and
// start steps themselves, to a healthy server that stops with exit 0 on SIGTERM.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { execForm, imageSteps, parseDockerfile, parseEnv, type Stage } from '../../scripts/image-steps.mjs';
import { loadConfig } from '../../src/config.ts';

const ROOT = new URL('../../', import.meta.url);
const stages = parseDockerfile(readFileSync(new URL('Dockerfile', ROOT), 'utf8'));
const [build, runtime] = stages;
const PKG = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { scripts: Record<string, string> };
const on = process.env.OPAL_TEST_IMAGE === '1';

const steps = (stage: Stage | undefined, op: string) => (stage?.steps ?? []).filter((s) => s.op === op);

describe('Dockerfile', () => {
  test('two stages: the toolchain build on node:20-bookworm, the slim Node 20 runtime', () => {
    assert.equal(stages.length, 2);
    assert.equal(build?.from, 'node:20-bookworm AS build');
    assert.equal(runtime?.from, 'node:20-bookworm-slim');
    const toolchain = steps(build, 'RUN').find((s: { mark?: { kind: string } }) => s.mark?.kind === 'toolchain');
    assert.deepEqual(toolchain?.mark?.args, ['python3', 'make', 'g++']);
    for (const c of ['python3', 'make', 'g++']) assert.match(toolchain?.rest ?? '', new RegExp(` ${c.replace('+', '\\+')}( |$)`));
    assert.ok(steps(build, 'ENV').some((s) => s.mark?.kind === 'nodedir' && /^npm_config_nodedir=/.test(s.rest)));
    assert.ok(steps(build, 'RUN').some((s) => /^npm ci\b/.test(s.rest)));
  });

  test('runtime: non-root, /data volume, both ports, the healthcheck, the start command', () => {
    const env = Object.assign({}, ...steps(runtime, 'ENV').map((s) => parseEnv(s.rest)));
    assert.equal(env.OPAL_DATA_DIR, '/data');
    assert.equal(env.OPAL_HOST, '0.0.0.0');
    assert.equal(env.MALLOC_ARENA_MAX, '2');
    assert.equal(env.MALLOC_MMAP_THRESHOLD_, '32768');
    assert.equal(env.MALLOC_TRIM_THRESHOLD_, '131072');
    assert.deepEqual(
      steps(runtime, 'VOLUME').map((s) => s.rest),
      ['/data'],
    );
    assert.deepEqual(
      steps(runtime, 'USER').map((s) => s.rest),
      ['node'],
    );
    const defaults = loadConfig({});
    assert.deepEqual(
      steps(runtime, 'EXPOSE').map((s) => s.rest),
      [`${defaults.port} ${defaults.fdsPort}`],
    );
    assert.equal(env.OPAL_PORT, String(defaults.port));
    assert.equal(env.OPAL_FDS_PORT, String(defaults.fdsPort));
    const [health] = steps(runtime, 'HEALTHCHECK');
    assert.deepEqual(execForm(health?.rest ?? ''), ['node', 'scripts/healthcheck.mjs']);
    assert.ok(steps(runtime, 'COPY').some((s) => s.rest.endsWith('/opal/scripts/healthcheck.mjs ./scripts/healthcheck.mjs')));
    const [cmd] = steps(runtime, 'CMD');
    assert.equal(execForm(cmd?.rest ?? '').join(' '), PKG.scripts.start, 'CMD is what `npm start` runs');
    assert.ok(steps(runtime, 'RUN').every((s: { mark?: { kind: string } }) => s.mark?.kind === 'data-dir'));
  });

  test('the image build and start steps, run in a clean directory (OPAL_TEST_IMAGE=1)', {
    skip: !on && 'set OPAL_TEST_IMAGE=1 to run the Dockerfile steps (several minutes: npm ci with a native compile)',
    timeout: 30 * 60_000,
  }, async () => {
    await imageSteps();
  });
});
