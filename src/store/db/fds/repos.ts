// The FDS repositories, one per table family, sharing one handle (transactions.ts).
import type { Kysely } from 'kysely';
import type { Cache } from '../../cache/cache.ts';
import type { Dialect } from '../dialect.ts';
import type { Database } from '../schema.ts';
import { FdsAccessKeysRepo } from './access-keys-repo.ts';
import { FdsBlobGcRepo } from './blob-gc-repo.ts';
import { FdsBucketsRepo } from './buckets-repo.ts';
import { FdsDerivedRepo } from './derived-repo.ts';
import { FdsObjectsRepo } from './objects-repo.ts';
import { FdsDb } from './transactions.ts';
import { FdsTrashRepo } from './trash-repo.ts';
import { FdsUploadsRepo } from './uploads-repo.ts';

export type { Bucket, ObjectVersion, Upload } from './columns.ts';
export type { Derived } from './derived-repo.ts';
export type { MayReplace } from './transactions.ts';

export interface FdsRepos {
  buckets: FdsBucketsRepo;
  objects: FdsObjectsRepo;
  trash: FdsTrashRepo;
  uploads: FdsUploadsRepo;
  blobGc: FdsBlobGcRepo;
  accessKeys: FdsAccessKeysRepo;
  derived: FdsDerivedRepo;
}

/**
 * `cache`: the shared cache whose broadcasts reach every node (the bucket cache); none by default.
 * `readFence`: the database's (connect.ts, Db.readFence), for the reads that free blobs.
 */
export function createFdsRepos(
  db: Kysely<Database>,
  dialect: Dialect,
  now: () => number,
  cache: (() => Cache) | undefined,
  readFence: () => () => Promise<void>,
): FdsRepos {
  const d = new FdsDb(db, dialect, now, readFence);
  return {
    buckets: new FdsBucketsRepo(d, cache),
    objects: new FdsObjectsRepo(d),
    trash: new FdsTrashRepo(d),
    uploads: new FdsUploadsRepo(d),
    blobGc: new FdsBlobGcRepo(d),
    accessKeys: new FdsAccessKeysRepo(d),
    derived: new FdsDerivedRepo(d),
  };
}
