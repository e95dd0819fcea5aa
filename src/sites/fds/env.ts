// What every FDS handler works with: the context, the FDS repositories (one per table family),
// access keys, the authenticator chain, and the blob helpers of the FDS storage service.
import type { Readable } from 'node:stream';
import type { Context } from '../../context.ts';
import type { FdsKeys } from '../../services/fds/keys.ts';
import type { FdsStorage, StoredBlob } from '../../services/fds/storage.ts';
import type { FdsBucketsRepo } from '../../store/db/fds/buckets-repo.ts';
import type { FdsObjectsRepo } from '../../store/db/fds/objects-repo.ts';
import type { FdsTrashRepo } from '../../store/db/fds/trash-repo.ts';
import type { FdsUploadsRepo } from '../../store/db/fds/uploads-repo.ts';
import { AuthChain } from './auth/index.ts';

export type { StoredBlob };

/** Content-MD5 as lower-case hex; FDS sends hex, S3-style clients base64. */
export function normalizeMd5(v: string | undefined): string | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const t = v.trim();
  if (/^[0-9a-fA-F]{32}$/.test(t)) return t.toLowerCase();
  const b = Buffer.from(t, 'base64');
  return b.length === 16 ? b.toString('hex') : t;
}

export class FdsEnv {
  readonly buckets: FdsBucketsRepo;
  readonly objects: FdsObjectsRepo;
  readonly trash: FdsTrashRepo;
  readonly uploads: FdsUploadsRepo;
  readonly keys: FdsKeys;
  readonly auth: AuthChain;
  readonly now: () => number;
  private readonly storage: FdsStorage;

  constructor(readonly ctx: Context) {
    this.storage = ctx.services.fds;
    ({ buckets: this.buckets, objects: this.objects, trash: this.trash, uploads: this.uploads } = this.storage.repos);
    this.now = this.storage.now;
    this.keys = ctx.services.fdsKeys;
    this.auth = new AuthChain({ ctx, keys: this.keys, now: this.now });
  }

  storeBlob(body: Readable, expectMd5?: string, size?: number): Promise<StoredBlob> {
    return this.storage.storeBlob(body, expectMd5, size);
  }

  discard(key: string): Promise<void> {
    return this.storage.discard(key);
  }

  free(keys: string[]): Promise<void> {
    return this.storage.free(keys);
  }
}
