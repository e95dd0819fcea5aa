#!/usr/bin/env node
// Launcher for the `opal` command. Runs the prebuilt bundle (dist/opal.mjs, made by
// `npm run build`, which `npm ci` runs) while it is newer than every source file; otherwise runs
// the TypeScript sources through the tsx loader, so an edited checkout never runs stale code.

// V8's heap settings first, before anything else is loaded.
import './heap-flags.js';
import { readdirSync, statSync } from 'node:fs';

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

// Node.js 20.12+ or 21.7+ (the one-shot crypto.hash); an older one would stop at the first import
// with a bare SyntaxError.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 12) || (major === 21 && minor < 7)) {
  process.stderr.write(`opal needs Node.js 20.12 or later (21.7 or later on 21); this is ${process.version}\n`);
  process.exit(1);
}

if (bundleIsFresh()) {
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
