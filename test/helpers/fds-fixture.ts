// A real server with two developers' FDS keys (owner and a second, unrelated developer) and an
// anonymous client, as the SDK test suites use them (fds-protocol §12.1).
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { blobFilePath } from '../../src/store/blobs/fs-blob-store.ts';
import { type DbBackend, startTestServer, type TestServer } from './env.ts';
import { SdkClient } from './fds-sdk.ts';
import { type Credentials, seedFdsKey, seedUser } from './seed.ts';

export interface FdsFixture {
  t: TestServer;
  owner: SdkClient;
  other: SdkClient;
  anon: SdkClient;
  ownerKey: Credentials;
  otherKey: Credentials;
  close(): Promise<void>;
}

/** Starts the server and its clients; the owner creates `buckets`. */
export async function startFds(opts: { backend?: DbBackend; env?: Record<string, string>; buckets?: string[] } = {}): Promise<FdsFixture> {
  const t = await startTestServer({ ...(opts.backend ? { backend: opts.backend } : {}), ...(opts.env ? { env: opts.env } : {}) });
  const ownerKey = await seedFdsKey(t.ctx, 'owner-dev');
  const otherKey = await seedFdsKey(t.ctx, 'acl-dev');
  const owner = new SdkClient(t.fdsUrl, ownerKey);
  for (const b of opts.buckets ?? []) await owner.ok('PUT', `/${b}`);
  return {
    t,
    ownerKey,
    otherKey,
    owner,
    other: new SdkClient(t.fdsUrl, otherKey),
    anon: new SdkClient(t.fdsUrl),
    close: () => t.close(),
  };
}

/**
 * Creates `bucket` (owner) writable by every app user (AUTHENTICATED_USERS: SSO_WRITE) and returns
 * an SSO serviceToken of a new user `account`.
 */
export async function ssoWritableBucket(f: FdsFixture, bucket: string, account: string, nickname: string): Promise<string> {
  await f.owner.ok('PUT', `/${bucket}`);
  await f.owner.ok('PUT', `/${bucket}?acl`, {
    body: JSON.stringify({ accessControlList: [{ grantee: { id: 'AUTHENTICATED_USERS' }, permission: 'SSO_WRITE', type: 'GROUP' }] }),
  });
  const user = await seedUser(f.t.ctx, { account, password: 'correct horse battery', nickname });
  return (await f.t.ctx.services.storageTokens.issueServiceToken(user.userId, '127.0.0.1')).serviceToken;
}

export function md5Hex(data: string | Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

/** The stored bytes of a blob, changed behind the server's back (damage, loss). */
export interface StoredBlobBytes {
  /** 'row': a small blob in the embedded database (store/blobs/small-blob-store.ts); 'file': a blob file. */
  where: 'row' | 'file';
  read(): Promise<Buffer>;
  write(bytes: Buffer): Promise<void>;
  remove(): Promise<void>;
}

/** Where the blob `key` of the embedded store is kept, as a row or as a file. */
export async function storedBlob(f: FdsFixture, key: string): Promise<StoredBlobBytes> {
  const db = f.t.ctx.db.kysely;
  const row = await db.selectFrom('fds_small_blobs').select('blob_key').where('blob_key', '=', key).executeTakeFirst();
  if (row) {
    return {
      where: 'row',
      read: async () => (await db.selectFrom('fds_small_blobs').select('data').where('blob_key', '=', key).executeTakeFirstOrThrow()).data,
      write: async (data) => {
        await db.updateTable('fds_small_blobs').set({ data }).where('blob_key', '=', key).execute();
      },
      remove: async () => {
        await db.deleteFrom('fds_small_blobs').where('blob_key', '=', key).execute();
      },
    };
  }
  const file = blobFilePath(join(f.t.config.dataDir, 'blobs'), key);
  return {
    where: 'file',
    read: () => readFile(file),
    write: (bytes) => writeFile(file, bytes),
    remove: () => rm(file),
  };
}

/** The stored bytes of the current version of `name`. */
export async function storedBlobOf(f: FdsFixture, bucket: string, name: string): Promise<StoredBlobBytes> {
  const row = await f.t.ctx.db.kysely
    .selectFrom('fds_objects')
    .select('blob_key')
    .where('bucket', '=', bucket)
    .where('name', '=', name)
    .where('is_current', '=', 1)
    .executeTakeFirstOrThrow();
  return storedBlob(f, row.blob_key);
}
