#!/usr/bin/env node
// Launcher for the `opal` command. Runs the prebuilt bundle (dist/opal.mjs, made by
// `npm run build`, which `npm ci` runs) while it is newer than every source file; otherwise runs
// the TypeScript sources through the tsx loader, so an edited checkout never runs stale code.
import { readdirSync, statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// Keep V8's young generation at its initial size (two 1 MiB semi-spaces) instead of letting it
// grow to 2 × 16 MiB: module loading and start-up would grow it at once, and it then stays that
// size for good (about 25 MiB of the idle RSS). Set before anything is loaded; under load it costs
// more frequent, short scavenges and no measurable throughput (bench/README.md, issue 10).
// test/helpers/child-server.ts gives the test and bench servers the same flag.
setFlagsFromString('--semi-space-growth-factor=1');
// Let the old generation grow to 1.5 × what survived the last full GC before the next one, instead
// of V8's dynamic factor (up to 4 ×): with the small young generation much short-lived garbage is
// promoted under load, and the old space grew to ~4 × its live size (code exchange and refresh at
// 50 connections: 183 → 145 MiB peak; CPU per request within noise; bench/README.md, issue 10).
setFlagsFromString('--heap-growing-percent=50');

const src = new URL('../src/', import.meta.url);
const bundle = new URL('../dist/opal.mjs', import.meta.url);

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = new URL(e.name + (e.isDirectory() ? '/' : ''), dir);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Whether to run the bundle: it exists and no source is newer (an installed image has no src/). */
function bundleIsFresh() {
  let built;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return false;
  }
  try {
    return built >= newestMtime(src);
  } catch {
    return true;
  }
}

if (bundleIsFresh()) {
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
