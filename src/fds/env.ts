// What every FDS handler works with: the context, the metadata repository, access keys, the
// authenticator chain, and the blob helpers (store a body with a pending GC entry; free blobs after
// the metadata that referenced them is gone).
import type { Readable } from 'node:stream';
import type { Context } from '../context.ts';
import { FdsError } from '../core/fds/errors.ts';
import { AuthChain } from './auth/index.ts';
import { newBlobKey } from './ids.ts';
import { FdsKeys } from './keys.ts';
import { FdsRepo } from './store/fds-repo.ts';

export interface StoredBlob {
  key: string;
  size: number;
  md5: string;
}

/** Content-MD5 as lower-case hex; FDS sends hex, S3-style clients base64. */
export function normalizeMd5(v: string | undefined): string | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const t = v.trim();
  if (/^[0-9a-fA-F]{32}$/.test(t)) return t.toLowerCase();
  const b = Buffer.from(t, 'base64');
  return b.length === 16 ? b.toString('hex') : t;
}

export class FdsEnv {
  readonly repo: FdsRepo;
  readonly keys: FdsKeys;
  readonly auth: AuthChain;

  constructor(
    readonly ctx: Context,
    readonly now: () => number = Date.now,
  ) {
    this.repo = new FdsRepo(ctx.db.kysely, now, ctx.db.dialect);
    this.keys = new FdsKeys(ctx.db.kysely, ctx.serverSecret, now);
    this.auth = new AuthChain({ ctx, keys: this.keys, now });
  }

  /** Streams a body into a new blob (durable on return); checks Content-MD5 when given. */
  async storeBlob(body: Readable, expectMd5?: string): Promise<StoredBlob> {
    const key = newBlobKey();
    await this.repo.pending(key);
    let r: { size: number; md5: string };
    try {
      r = await this.ctx.blobs.put(key, body);
    } catch (e) {
      await this.discard(key);
      throw e;
    }
    if (expectMd5 !== undefined && expectMd5 !== r.md5) {
      await this.discard(key);
      throw new FdsError('ChecksumDoesNotMatch', `Content-MD5 ${expectMd5} but the body hashes to ${r.md5}`);
    }
    return { key, ...r };
  }

  /** Deletes a blob that metadata never referenced. */
  async discard(key: string): Promise<void> {
    await this.ctx.blobs.delete(key).catch(() => undefined);
    await this.repo.dropGc(key).catch(() => undefined);
  }

  /** Frees blobs already queued as dead (after their metadata commit); the sweeper retries failures. */
  async free(keys: string[]): Promise<void> {
    for (const key of keys) {
      try {
        await this.ctx.blobs.delete(key);
        await this.repo.dropGc(key);
      } catch {
        /* left for the sweeper */
      }
    }
  }
}
