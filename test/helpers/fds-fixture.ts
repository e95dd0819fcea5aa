// A real server with two developers' FDS keys (owner and a second, unrelated developer) and an
// anonymous client, as the SDK test suites use them (fds-protocol §12.1).
import { createHash } from 'node:crypto';
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

/** The file of the current version of `name` in the fixture's embedded blob store. */
export async function blobFileOf(f: FdsFixture, bucket: string, name: string): Promise<string> {
  const row = await f.t.ctx.db.kysely
    .selectFrom('fds_objects')
    .select('blob_key')
    .where('bucket', '=', bucket)
    .where('name', '=', name)
    .where('is_current', '=', 1)
    .executeTakeFirstOrThrow();
  return blobFilePath(join(f.t.config.dataDir, 'blobs'), row.blob_key);
}
