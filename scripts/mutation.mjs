// Mutation testing with StrykerJS over the rules that matter most, one Stryker run per part of the
// scope, each with the test files that exercise it (a mutant runs only the files that reach it).
//   npm run test:mutation                        every part (long: hours on a small machine)
//   npm run test:mutation -- core oauth          the named parts
//   npm run test:mutation -- --changed [BASE]    only the files of the scope changed against BASE
//                                                (default main), each with its part's tests
//   npm run test:mutation -- --mutate FILE…      the given files (each must lie in the scope; FILE:10-40
//                                                mutates lines 10 to 40 only)
// OPAL_MUTATION_TESTS='["test/a.test.ts"]' replaces the part's test files (a quicker, partial run).
// Reports: reports/mutation/<part>/index.html (and mutation.json). The fuzz suites run with
// OPAL_FUZZ_RUNS=100 here: a mutant the fuzzers catch is caught within a hundred cases, and the
// unit tests pin the exact rules. OPAL_MUTATION_CONCURRENCY (default 2) sets the parallel runs.
import { spawnSync } from 'node:child_process';

const PARTS = {
  core: {
    mutate: ['src/core/**/*.ts'],
    tests: ['test/core/**/*.test.ts'],
  },
  oauth: {
    mutate: ['src/services/oauth/**/*.ts'],
    tests: [
      'test/services/oauth/single-use.test.ts',
      'test/services/oauth/lifecycle-refusals.test.ts',
      'test/services/oauth/lifecycle.test.ts',
      'test/services/oauth/grants.test.ts',
      'test/services/oauth/token-lookup.test.ts',
      'test/sites/account/oauth/token.test.ts',
      'test/sites/account/oauth/standards.test.ts',
      'test/sites/account/oauth/grant-revocation.test.ts',
      'test/sites/account/open/user-api.test.ts',
    ],
  },
  'fds-access': {
    mutate: ['src/sites/fds/access.ts'],
    tests: [
      'test/sites/fds/acl.test.ts',
      'test/sites/fds/access-rules.test.ts',
      'test/sites/fds/server-presign.test.ts',
      'test/sites/fds/app-user-writes.test.ts',
    ],
  },
  mac: {
    mutate: ['src/sites/account/open/mac-check.ts'],
    tests: ['test/sites/account/open/mac-clients.test.ts', 'test/sites/account/open/user-api.test.ts'],
  },
  blobs: {
    mutate: ['src/store/blobs/fs-blob-store.ts'],
    // The fsync and crash tests exercise the store in child processes, which report no coverage to
    // Stryker (the TAP runner runs a file for a mutant only when the file's own process reached it,
    // whatever the coverage setting): each of them also opens and uses a store in its own process.
    tests: [
      'test/store/blobs.test.ts',
      'test/store/blob-errors.test.ts',
      'test/store/blob-sync.test.ts',
      'test/store/blob-fsync.test.ts',
      'test/store/blob-crash.test.ts',
    ],
    coverage: 'all',
  },
};

/** Whether `file` matches a scope pattern (`dir/**` + `/*.ts`, or an exact path). */
const inPattern = (file, pattern) =>
  pattern.endsWith('/**/*.ts') ? file.startsWith(pattern.slice(0, -'**/*.ts'.length)) && file.endsWith('.ts') : file === pattern;
/** The part a file (optionally with Stryker's `:line-line` range) belongs to. */
const partOf = (file) => {
  const path = file.replace(/:\d+(?::\d+)?-\d+(?::\d+)?$/, '');
  return Object.keys(PARTS).find((p) => PARTS[p].mutate.some((m) => inPattern(path, m)));
};

const args = process.argv.slice(2);
/** part → files to mutate (undefined: the whole part). */
const runs = new Map();
if (args[0] === '--changed' || args[0] === '--mutate') {
  let files;
  if (args[0] === '--changed') {
    const base = args[1] ?? 'main';
    const diff = spawnSync('git', ['diff', '--name-only', '--diff-filter=AMR', base, '--', 'src'], { encoding: 'utf8' });
    if (diff.status !== 0) throw new Error(diff.stderr);
    files = diff.stdout.split('\n').filter(Boolean);
  } else files = args.slice(1);
  for (const f of files) {
    const part = partOf(f);
    if (!part) {
      if (args[0] === '--mutate') throw new Error(`${f} is outside the mutation scope`);
      continue;
    }
    runs.set(part, [...(runs.get(part) ?? []), f]);
  }
  if (runs.size === 0) {
    console.log('no file of the mutation scope changed');
    process.exit(0);
  }
} else {
  for (const p of args.length > 0 ? args : Object.keys(PARTS)) {
    if (!PARTS[p]) throw new Error(`unknown part ${p}; parts: ${Object.keys(PARTS).join(', ')}`);
    runs.set(p, undefined);
  }
}

let failed = false;
for (const [part, files] of runs) {
  const p = PARTS[part];
  console.log(`\n== mutation testing: ${part} (${(files ?? p.mutate).join(' ')})`);
  const r = spawnSync(process.execPath, ['node_modules/@stryker-mutator/core/bin/stryker.js', 'run', 'stryker.config.mjs'], {
    stdio: 'inherit',
    env: {
      ...process.env,
      OPAL_FUZZ_RUNS: process.env.OPAL_FUZZ_RUNS ?? '100',
      OPAL_MUTATION_NAME: part,
      OPAL_MUTATION_MUTATE: JSON.stringify(files ?? p.mutate),
      OPAL_MUTATION_TESTS: process.env.OPAL_MUTATION_TESTS ?? JSON.stringify(p.tests),
      ...(p.coverage ? { OPAL_MUTATION_COVERAGE: p.coverage } : {}),
    },
  });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
