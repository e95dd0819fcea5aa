// Runs each given test file alone, in a process of its own (`node --import tsx --test FILE`), one
// after the other, and reports the files that fail: a file that passes only next to others
// depends on their side effects. Usage: node scripts/test-each.mjs test/a.test.ts test/b.test.ts
// (with no files: the test files changed against main, `git diff --name-only main -- test`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

let files = process.argv.slice(2);
if (files.length === 0) {
  const diff = spawnSync('git', ['diff', '--name-only', 'main', '--', 'test'], { encoding: 'utf8' });
  files = diff.stdout.split('\n').filter((f) => f.endsWith('.test.ts') && existsSync(f));
}
if (files.length === 0) {
  console.error('usage: node scripts/test-each.mjs FILE.test.ts…');
  process.exit(2);
}
const failed = [];
for (const file of files) {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=dot', file], { encoding: 'utf8' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = r.status === 0;
  console.log(`${ok ? 'pass' : 'FAIL'} ${file} (${seconds} s)`);
  if (!ok) {
    failed.push(file);
    process.stdout.write(r.stdout.split('\n').slice(-40).join('\n'));
    process.stderr.write(r.stderr.split('\n').slice(-40).join('\n'));
  }
}
console.log(`${files.length - failed.length} of ${files.length} files pass alone${failed.length ? `; failing: ${failed.join(' ')}` : ''}`);
process.exit(failed.length ? 1 : 0);
