// Compiles the test files ahead of the run: one esbuild build with every test file as an entry
// point (shared modules split into common chunks) into .tmp/test-build-<pid>/, inside the checkout
// so that packages resolve from its node_modules. Each test process then loads plain JavaScript
// instead of going through the tsx loader module by module, which cost about 0.4 s of CPU per
// test file (bench/README.md, "The test suite's time").
//
// Every module keeps its own location: `import.meta.url`, `import.meta.dirname` and
// `import.meta.filename` are replaced in each source by the values of its original file, so fixtures,
// templates and child processes are found where they are in the checkout; any other use of
// `import.meta` fails the build. Names are kept (`keepNames`); source maps are written for
// OPAL_TEST_SOURCE_MAPS=1 (scripts/test.mjs), which maps stack traces to the TypeScript lines.
// Packages stay external but for the ones the shipped bundle inlines.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS } from './bundle-options.mjs';
import { removeDirsOfDeadProcesses } from './stale-dirs.mjs';

const ROOT = resolve(import.meta.dirname, '..');

/** Replaces `import.meta.*` in the source of `file` by the values of that file. */
function withOwnLocation(source, file) {
  const values = { url: pathToFileURL(file).href, dirname: dirname(file), filename: file };
  const out = source.replace(/\bimport\.meta\.(url|dirname|filename)\b/g, (_, name) => JSON.stringify(values[name]));
  const other = /\bimport\.meta\b.{0,20}/.exec(out);
  if (other) throw new Error(`${file}: \`${other[0]}\` is not replaced by scripts/test-bundle.mjs`);
  return out;
}

/** @type {import('esbuild').Plugin} */
const ownLocation = {
  name: 'own-location',
  setup(b) {
    b.onLoad({ filter: /\.(ts|mjs|js)$/ }, (a) => {
      if (a.path.includes('/node_modules/')) return undefined;
      const source = readFileSync(a.path, 'utf8');
      if (!source.includes('import.meta')) return undefined;
      return { contents: withOwnLocation(source, a.path), loader: a.path.endsWith('.ts') ? 'ts' : 'js', resolveDir: dirname(a.path) };
    });
  },
};

/**
 * Builds `files` (paths of *.test.ts) and returns the compiled files in the same order, with a
 * `remove()` for the build directory (`dir`, relative to the checkout).
 */
export async function bundleTests(files, { sourceMaps = false } = {}) {
  removeDirsOfDeadProcesses(join(ROOT, '.tmp'), /^test-build-(\d+)$/);
  const out = join(ROOT, '.tmp', `test-build-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  await build({
    ...BUNDLE_OPTIONS,
    minifyWhitespace: false,
    minifySyntax: false,
    keepNames: true,
    entryPoints: files.map((f) => resolve(f)),
    outdir: out,
    outbase: ROOT,
    splitting: true,
    sourcemap: sourceMaps,
    plugins: [ownLocation, ...BUNDLE_OPTIONS.plugins],
    logLevel: 'error',
  });
  const compiled = files.map((f) => join(out, relative(ROOT, resolve(f))).replace(/\.ts$/, '.js'));
  for (const c of compiled) statSync(c);
  return { dir: relative(ROOT, out), files: compiled, remove: () => rmSync(out, { recursive: true, force: true }) };
}
