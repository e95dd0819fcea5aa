// Scale-out: two FDS nodes on one PostgreSQL schema and one S3-compatible bucket (s3rver). What
// one node writes, the other serves; deletions, ACL changes and key rotation take effect on both.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import S3rver from 's3rver';
import { type RunningServer, startServer } from '../../../src/server.ts';
import { PG_URL, testConfig, tmpDir } from '../../helpers/env.ts';
import { SdkClient } from '../../helpers/fds-sdk.ts';
import { createPgSchema, type PgSchema } from '../../helpers/pg-schema.ts';
import { type Credentials, seedFdsKey } from '../../helpers/seed.ts';

const skip = !PG_URL && 'needs OPAL_TEST_DATABASE_URL';

describe('FDS on two nodes (PostgreSQL + S3)', { skip }, () => {
  let schema: PgSchema;
  let s3: S3rver;
  const dirs = [tmpDir('opal-fds2-s3-'), tmpDir('opal-fds2-a-'), tmpDir('opal-fds2-b-')];
  const nodes: RunningServer[] = [];
  let key: Credentials;
  let a: SdkClient;
  let b: SdkClient;

  before(async () => {
    schema = await createPgSchema(PG_URL ?? '');
    s3 = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: dirs[0]?.path ?? '',
      configureBuckets: [{ name: 'fds2', configs: [] }],
    });
    const addr = (await s3.run()) as AddressInfo;
    const env = {
      OPAL_DATABASE_URL: schema.url,
      OPAL_BLOB_URL: `s3://S3RVER:S3RVER@fds2?endpoint=http://127.0.0.1:${addr.port}&region=us-east-1`,
      OPAL_SERVER_SECRET: 'x'.repeat(48),
      OPAL_SITES: 'fds',
    };
    for (const d of dirs.slice(1)) nodes.push(await startServer(testConfig(d.path, env), { logger: false }));
    key = await seedFdsKey(nodes[0]!.ctx, 'two-nodes');
    a = new SdkClient(nodes[0]!.urls.fds ?? '', key);
    b = new SdkClient(nodes[1]!.urls.fds ?? '', key);
    await a.ok('PUT', '/shared');
  });
  after(async () => {
    for (const n of nodes) await n.close();
    await s3?.close();
    await schema?.drop();
    for (const d of dirs) d.remove();
  });

  it('an object written through one node is listed, read and deleted through the other', async () => {
    await a.ok('PUT', '/shared/dir/x.txt', { body: 'from node A' });
    const list = await b.json<{ objects: Array<{ name: string }> }>('GET', '/shared?prefix=dir%2F&delimiter=%2F');
    assert.deepEqual(
      list.objects.map((o) => o.name),
      ['dir/x.txt'],
    );
    assert.equal(await (await b.send('GET', '/shared/dir/x.txt', { headers: { range: 'bytes=5-' } })).text(), 'node A');
    await b.ok('DELETE', '/shared/dir/x.txt');
    assert.equal((await a.send('HEAD', '/shared/dir/x.txt')).status, 404);
    await a.ok('PUT', '/shared/dir/x.txt?restore=true');
    assert.equal(await (await b.send('GET', '/shared/dir/x.txt')).text(), 'from node A');
  });

  it('an overwrite through one node is served by the other at once, though it had the old bytes in its read cache', async () => {
    await a.ok('PUT', '/shared/cached.txt', { body: 'old bytes' });
    assert.equal(await (await b.ok('GET', '/shared/cached.txt')).text(), 'old bytes');
    await a.ok('PUT', '/shared/cached.txt', { body: 'new bytes' });
    assert.equal(await (await b.ok('GET', '/shared/cached.txt')).text(), 'new bytes');
    await a.ok('DELETE', '/shared/cached.txt');
    assert.equal((await b.send('GET', '/shared/cached.txt')).status, 404);
  });

  it('a multipart upload may send its parts to different nodes', async () => {
    const init = await a.json<{ uploadId: string }>('PUT', '/shared/mp?uploads');
    const p1 = await a.json('PUT', `/shared/mp?uploadId=${init.uploadId}&partNumber=1`, { body: 'one-' });
    const p2 = await b.json('PUT', `/shared/mp?uploadId=${init.uploadId}&partNumber=2`, { body: 'two' });
    await b.ok('PUT', `/shared/mp?uploadId=${init.uploadId}`, { body: JSON.stringify({ uploadPartResultList: [p1, p2] }) });
    assert.equal(await (await a.send('GET', '/shared/mp')).text(), 'one-two');
  });

  it('ACL changes and key rotation on one node apply on the other at once', async () => {
    await a.ok('PUT', '/shared/pub', { body: 'public' });
    const anonB = new SdkClient(nodes[1]!.urls.fds ?? '');
    assert.equal((await anonB.send('GET', '/shared/pub')).status, 403);
    await a.ok('PUT', '/shared/pub?acl', {
      body: JSON.stringify({ accessControlList: [{ grantee: { id: 'ALL_USERS' }, permission: 'READ', type: 'GROUP' }] }),
    });
    assert.equal((await anonB.send('GET', '/shared/pub')).status, 200);
    const rotated = await nodes[0]!.ctx.services.fdsKeys.rotate(key.clientId);
    assert.equal((await b.send('GET', '/')).status, 403);
    assert.equal(
      (await new SdkClient(nodes[1]!.urls.fds ?? '', { ...key, accessSecret: rotated.accessSecret }).send('GET', '/')).status,
      200,
    );
  });
});
