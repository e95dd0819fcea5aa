// The esbuild options shared by the `opal` bundle (scripts/build.mjs) and the tests' child-server
// bundle (test/helpers/child-server.ts), so that what the memory tests measure is what ships.
// Packages stay external (resolved from node_modules at run time) except the few ES-module
// packages made of hundreds of small files: loading Kysely (~260 modules) and TypeBox (~220) as ES
// modules costs ~10 MiB of heap in module records alone and a third of the start-up CPU, while
// inlined they are one module among ours. Whitespace and syntax are minified (names are kept, the
// source map maps back), which halves the source text V8 keeps in memory.
// See "Start-up and idle memory" in bench/README.md.

/** Packages compiled into the bundle; every other bare import stays external. */
export const INLINED_PACKAGES = ['kysely', '@sinclair/typebox'];

const packageName = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

/** @type {import('esbuild').Plugin} */
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (a) =>
      !a.path.startsWith('node:') && INLINED_PACKAGES.includes(packageName(a.path)) ? undefined : { external: true },
    );
  },
};

/** @type {import('esbuild').BuildOptions} */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  plugins: [externalPackages],
};
