// StrykerJS configuration, driven by scripts/mutation.mjs (which sets the scope's files through
// the environment; run `npm run test:mutation`, not `stryker run`, directly). The node:test files
// run through the TAP runner: `node --import tsx --test-reporter=tap FILE`, one process per file.
const env = (name, fallback) => (process.env[name] ? JSON.parse(process.env[name]) : fallback);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'tap',
  plugins: ['@stryker-mutator/tap-runner'],
  tap: {
    testFiles: env('OPAL_MUTATION_TESTS', ['test/core/**/*.test.ts']),
    nodeArgs: ['--import', 'tsx', '--test-reporter=tap', '-r', '{{hookFile}}', '{{testFile}}'],
  },
  mutate: env('OPAL_MUTATION_MUTATE', ['src/core/**/*.ts']),
  coverageAnalysis: process.env.OPAL_MUTATION_COVERAGE ?? 'perTest',
  concurrency: Number(process.env.OPAL_MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 30_000,
  // The initial run collects per-file coverage of every test file of the part: minutes on a busy machine.
  dryRunTimeoutMinutes: 60,
  timeoutFactor: 3,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `reports/mutation/${process.env.OPAL_MUTATION_NAME ?? 'scope'}/index.html` },
  jsonReporter: { fileName: `reports/mutation/${process.env.OPAL_MUTATION_NAME ?? 'scope'}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['data', '.tmp', 'reports', 'bench/results', 'dist', 'dist.tmp-*'],
  cleanTempDir: true,
};
