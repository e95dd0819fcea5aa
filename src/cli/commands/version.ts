// `opal --version` and `opal version [--json]`: the package version, the commit it was built from
// (OPAL_COMMIT, else `git rev-parse` in the checkout, else null), the Node version and the
// backends the configuration selects (database, cache, blob store).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { type Config, loadConfig } from '../../config.ts';
import { execute } from '../run.ts';

/** The directory of Opal's package.json, from the sources or from the bundle in dist/. */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p) && (JSON.parse(readFileSync(p, 'utf8')) as { name?: string }).name === 'opal') return dir;
    dir = dirname(dir);
  }
  return undefined;
}

export function packageVersion(): string {
  const root = packageRoot();
  return root ? ((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0') : '0.0.0';
}

function commit(): string | null {
  if (process.env.OPAL_COMMIT) return process.env.OPAL_COMMIT;
  const root = packageRoot();
  if (!root) return null;
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 })
        .toString()
        .trim() || null
    );
  } catch {
    return null;
  }
}

export interface VersionInfo {
  version: string;
  commit: string | null;
  node: string;
  backends: { database: 'sqlite' | 'postgres'; cache: 'memory' | 'redis'; blobs: 'filesystem' | 's3' };
}

export function versionInfo(config: Pick<Config, 'databaseUrl' | 'redisUrl' | 'blobUrl'>): VersionInfo {
  return {
    version: packageVersion(),
    commit: commit(),
    node: process.version,
    backends: {
      database: config.databaseUrl ? 'postgres' : 'sqlite',
      cache: config.redisUrl ? 'redis' : 'memory',
      blobs: config.blobUrl ? 's3' : 'filesystem',
    },
  };
}

export function registerVersion(program: Command): void {
  program.version(packageVersion(), '-V, --version', 'print the version');
  program
    .command('version')
    .description('print the version, commit, Node version and the backends in use')
    .action(async (_o: unknown, cmd: Command) => {
      await execute(
        cmd,
        async () => versionInfo(loadConfig()),
        (v) =>
          `opal ${v.version}${v.commit ? ` (${v.commit.slice(0, 12)})` : ''}, Node ${v.node}; database ${v.backends.database}, cache ${v.backends.cache}, blobs ${v.backends.blobs}`,
      );
    });
}
