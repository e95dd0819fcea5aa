// The embedded data directory holds the SQLite store (with the server secret and sealed client
// secrets) and the blobs: nothing in it is for other local users. Opal creates the directory and
// its sub-directories 0700 and every file 0600, whatever the umask; startPermissions() finds what
// an operator left looser (a directory made by hand, an old install), so that `opal serve` warns,
// or refuses to start with --strict-permissions.
import { closeSync, existsSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Mode of every directory Opal creates under the data directory. */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode of every file Opal creates there (SQLite's -wal and -shm files copy the database's). */
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `path` empty and 0600 unless it exists (so that SQLite opens a file only we can read). */
export function createPrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
}

export interface LoosePath {
  path: string;
  /** Permission bits, e.g. 0o644. */
  mode: number;
}

/**
 * The data directory and each entry directly in it (the database, its -wal and -shm, blobs/) when
 * group or others have any access. Deeper entries are covered by their 0700 parents.
 */
export function loosePermissions(dataDir: string): LoosePath[] {
  if (!existsSync(dataDir)) return [];
  const out: LoosePath[] = [];
  const check = (path: string) => {
    const st = statSync(path, { throwIfNoEntry: false }); // -shm may go meanwhile
    if (!st) return;
    const mode = st.mode & 0o777;
    if ((mode & 0o077) !== 0) out.push({ path, mode });
  };
  check(dataDir);
  for (const name of readdirSync(dataDir)) check(join(dataDir, name));
  return out;
}

export function describeLoose(p: LoosePath): string {
  return `${p.path} is ${p.mode.toString(8).padStart(4, '0')}`;
}
