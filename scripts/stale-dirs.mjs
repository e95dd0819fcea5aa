// Removes directories under .tmp/ that a process left behind when it was killed before its own
// cleanup ran: each such directory's name carries its process id, and it is removed once no
// process has that id any more. Used by the test runner (scripts/test-bundle.mjs) and the tests'
// child-server bundles (test/helpers/child-server.ts).
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Removes the entries of `dir` whose name matches `pattern` (its first group: a process id) and
 * whose process is gone.
 * @param {string} dir
 * @param {RegExp} pattern
 */
export function removeDirsOfDeadProcesses(dir, pattern) {
  let names = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (e) {
      if (e.code === 'ESRCH') rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
}
