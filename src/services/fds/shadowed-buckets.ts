// Buckets created before their name became reserved (core/fds/names.ts): the FDS origin answers
// /healthz, /readyz, /metrics, /openapi.json and the /trash listing itself, so a bucket of one of
// those names still exists but cannot be reached under its name. Start-up warns once for each.
import { RESERVED_BUCKETS } from '../../core/fds/names.ts';
import type { FdsRepos } from '../../store/db/fds/repos.ts';

/** The existing buckets whose names are reserved, in name order. */
export async function shadowedBuckets(repos: Pick<FdsRepos, 'buckets'>): Promise<string[]> {
  const found: string[] = [];
  for (const name of [...RESERVED_BUCKETS].sort()) if (await repos.buckets.get(name)) found.push(name);
  return found;
}
