// Builds dist/: the CLI and server bundled into one ES module (packages external but for the few
// of bundle-options.mjs) plus the page templates it reads at run time. `npm ci` runs this (prepare); bin/opal.js uses the bundle
// while it is newer than every file under src/, and runs the TypeScript sources through tsx
// otherwise. The bundle starts in about half the time and memory of the tsx path.
// Usage: node scripts/build.mjs [outDir]   (default dist/; outDir must be inside the checkout so
// that the bundle's packages resolve from its node_modules)
import { cpSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS } from './bundle-options.mjs';

const root = new URL('..', import.meta.url).pathname;
const out = resolve(process.argv[2] ?? join(root, 'dist'));
const tmp = `${out}.tmp-${process.pid}`;

// Directories that modules locate next to themselves (import.meta.url) and read at run time; in
// the bundle every module's directory is dist/.
const ASSETS = [['src/web/templates', 'templates']];

rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
try {
  await build({
    entryPoints: [join(root, 'src/cli/main.ts')],
    outfile: join(tmp, 'opal.mjs'),
    ...BUNDLE_OPTIONS,
    sourcemap: true,
    logLevel: 'warning',
  });
  for (const [from, to] of ASSETS) cpSync(join(root, from), join(tmp, to), { recursive: true });
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
} catch (e) {
  rmSync(tmp, { recursive: true, force: true });
  throw e;
}
