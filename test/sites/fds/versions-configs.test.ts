// Versions, the versioning flag, lifecycle and CORS configurations, and the background sweeper
// through real HTTP (fds-protocol §8, §9; PY test_get_version_ids, test_get_and_delete_version,
// test_versioning, test_lifecycle_config, test_cors_config).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { type FdsFixture, startFds } from '../../helpers/fds-fixture.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('FDS versions and bucket configurations', () => {
  let f: FdsFixture;
  const B = 'ver';
  before(async () => {
    if (existsSync('/dev/shm')) process.env.TMPDIR = '/dev/shm';
    f = await startFds({ buckets: [B] });
  });
  after(() => f.close());

  const runtime = () => f.t.ctx.services;

  it('PY test_get_version_ids: 10 puts leave 9 non-current ids, newest first', async () => {
    const results: Array<{ previousVersionId: string | null }> = [];
    for (let i = 0; i < 10; i++) results.push(await f.owner.json('PUT', `/${B}/obj`, { body: `data-${i}` }));
    assert.equal(results[0]?.previousVersionId, null);
    assert.ok(results.slice(1).every((r) => typeof r.previousVersionId === 'string'));
    const ids = await f.owner.json<string[]>('GET', `/${B}/obj?versionIds=true`);
    assert.equal(ids.length, 9);
    const oldestFirst = [...ids].reverse();
    for (let i = 0; i < 9; i++) {
      assert.equal(await (await f.owner.send('GET', `/${B}/obj?versionId=${oldestFirst[i]}`)).text(), `data-${i}`);
    }
    assert.equal(await (await f.owner.send('GET', `/${B}/obj`)).text(), 'data-9');
    assert.equal(results[9]?.previousVersionId, ids[0]);
  });

  it('PY test_get_and_delete_version: 101 puts and a delete; versions survive the delete', async () => {
    let first: string | undefined;
    for (let i = 0; i < 101; i++) {
      const r = await f.owner.json<{ versionId: string }>('PUT', `/${B}/many`, { body: `data-${i}` });
      first ??= r.versionId;
    }
    const del = await f.owner.send('DELETE', `/${B}/many`);
    const deleted = del.headers.get('object-version-id');
    assert.ok(deleted);
    assert.equal(await (await f.owner.send('GET', `/${B}/many?versionId=${deleted}`)).text(), 'data-100');
    assert.equal(await (await f.owner.send('GET', `/${B}/many?versionId=${first}`)).text(), 'data-0');
    assert.equal((await f.owner.send('GET', `/${B}/many`)).status, 404);
    const ids = await f.owner.json<string[]>('GET', `/${B}/many?versionIds=true`);
    assert.equal(ids.length, 101);
    assert.equal(ids[0], deleted);
    assert.equal(await (await f.owner.send('GET', `/${B}/many?versionId=${ids[2]}`)).text(), 'data-98');
    assert.deepEqual(await f.owner.json('GET', `/${B}/never-existed?versionIds=true`), []);
    // A version of another name is not reachable through this name.
    assert.equal((await f.owner.send('GET', `/${B}/obj?versionId=${first}`)).status, 404);
  });

  it('Java listVersions: every version, names ascending, newest first, delimiter roll-up, exclusive markers', async () => {
    await f.owner.ok('PUT', '/vlist');
    for (const [name, body] of [
      ['a/1', 'one'],
      ['a/1', 'two'],
      ['b', 'b'],
      ['c/x', 'c'],
    ]) {
      await f.owner.ok('PUT', `/vlist/${name}`, { body });
    }
    interface Listing {
      versionSummaries: Array<{ objectName: string; versionId: string; latest: boolean; size: number; owner: { id: string } }>;
      commonPrefixes: string[];
      truncated: boolean;
      nextKeyMarker: string | null;
      nextVersionIdMarker: string | null;
    }
    const all = await f.owner.json<Listing>('GET', '/vlist?versions&prefix=&delimiter=');
    assert.deepEqual(
      all.versionSummaries.map((v) => [v.objectName, v.latest, v.size]),
      [
        ['a/1', true, 3],
        ['a/1', false, 3],
        ['b', true, 1],
        ['c/x', true, 1],
      ],
    );
    assert.equal(all.truncated, false);
    const rolled = await f.owner.json<Listing>('GET', '/vlist?versions&prefix=&delimiter=%2F');
    assert.deepEqual(
      rolled.versionSummaries.map((v) => v.objectName),
      ['b'],
    );
    assert.deepEqual(rolled.commonPrefixes, ['a/', 'c/']);
    const seen: string[] = [];
    let q = 'versions&prefix=&delimiter=&maxKeys=1';
    for (let i = 0; i < 10; i++) {
      const page = await f.owner.json<Listing>('GET', `/vlist?${q}`);
      seen.push(...page.versionSummaries.map((v) => v.versionId));
      if (!page.truncated) break;
      q = `versions&prefix=&delimiter=&maxKeys=1&keyMarker=${encodeURIComponent(page.nextKeyMarker ?? '')}&versionIdMarker=${page.nextVersionIdMarker}`;
    }
    assert.deepEqual(
      seen,
      all.versionSummaries.map((v) => v.versionId),
    );
    assert.equal((await f.other.send('GET', '/vlist?versions&prefix=')).status, 403);
  });

  it('PY test_versioning: the integer is stored and returned as bare text', async () => {
    for (const v of [2, 3, 6, 7, 8, 12, 2]) {
      const put = await f.owner.send('PUT', `/${B}?versioning=${v}`);
      assert.equal(put.status, 200);
      const text = await put.text();
      assert.ok(text === '' || JSON.parse(text) !== undefined);
      const get = await f.owner.send('GET', `/${B}?versioning=true`);
      assert.equal(await get.text(), String(v));
    }
  });

  it('PY test_lifecycle_config: ids "1","2" assigned, fractional days kept, ?lifecycle=rule adds "3"', async () => {
    const config = {
      rules: [
        { enabled: true, prefix: 'image/', actions: { nonCurrentVersionExpiration: { days: 0.01 }, expiration: { days: 0.01 } } },
        {
          enabled: false,
          prefix: 'log/',
          actions: { abortIncompleteMultipartUpload: { days: 1 }, lifeCycleStorageClass: { days: 2, storageClass: 'ARCHIVE' } },
        },
      ],
    };
    await f.owner.ok('PUT', `/${B}?lifecycle=true`, { body: JSON.stringify(config) });
    const got = await f.owner.json<{ rules: Array<Record<string, unknown>> }>('GET', `/${B}?lifecycle=`);
    assert.deepEqual(
      got.rules.map((r) => r.id),
      ['1', '2'],
    );
    assert.deepEqual(got.rules[0], { id: '1', ...config.rules[0] });
    assert.deepEqual(got.rules[1], { id: '2', ...config.rules[1] });
    const rule = { enabled: true, prefix: 'log/tmp/', actions: { expiration: { days: 0.00001 } } };
    await f.owner.ok('PUT', `/${B}?lifecycle=rule`, { body: JSON.stringify(rule) });
    assert.deepEqual(await f.owner.json('GET', `/${B}?lifecycle=3`), { id: '3', ...rule });
    // A rule with an existing id replaces it.
    await f.owner.ok('PUT', `/${B}?lifecycle=rule`, { body: JSON.stringify({ id: '2', enabled: true, prefix: 'x/', actions: {} }) });
    const after = await f.owner.json<{ rules: Array<{ id: string; prefix: string }> }>('GET', `/${B}?lifecycle=`);
    assert.deepEqual(
      after.rules.map((r) => [r.id, r.prefix]),
      [
        ['1', 'image/'],
        ['2', 'x/'],
        ['3', 'log/tmp/'],
      ],
    );
    assert.equal((await f.owner.send('GET', `/${B}?lifecycle=9`)).status, 404);
    assert.equal(
      (await f.owner.send('PUT', `/${B}?lifecycle=true`, { body: JSON.stringify({ rules: [{ actions: { explode: { days: 1 } } }] }) }))
        .status,
      400,
    );
    assert.equal((await f.other.send('GET', `/${B}?lifecycle=`)).status, 403);
  });

  it('PY test_cors_config and Java testCORSCongifuration; rules decide Access-Control-Allow-Origin', async () => {
    await f.owner.ok('PUT', '/cors-b');
    await f.owner.ok('PUT', '/cors-b?cors=true', {
      body: JSON.stringify({
        rules: [
          { id: '1', allowOrigin: '*.example.com' },
          { id: '2', allowOrigin: 'https://exact.test' },
        ],
      }),
    });
    await f.owner.ok('PUT', '/cors-b?cors=rule', { body: JSON.stringify({ allowOrigin: 'https://cloud.d.xiaomi.net' }) });
    assert.deepEqual(await f.owner.json('GET', '/cors-b?cors=3'), { id: '3', allowOrigin: 'https://cloud.d.xiaomi.net' });
    await f.owner.ok('PUT', '/cors-b?cors=', {
      body: JSON.stringify({ rules: [{ id: '1', allowOrigin: '*' }, { allowOrigin: 'https://b.test' }] }),
    });
    await f.owner.ok('PUT', '/cors-b?cors=rule', {
      body: JSON.stringify({ id: '1', allowOrigin: 'https://a.example.com' }),
      headers: { 'content-type': 'application/json; charset=UTF-8' },
    });
    const cfg = await f.owner.json<{ rules: Array<{ id: string; allowOrigin: string }> }>('GET', '/cors-b?cors=');
    assert.deepEqual(cfg.rules, [
      { id: '1', allowOrigin: 'https://a.example.com' },
      { id: '2', allowOrigin: 'https://b.test' },
    ]);
    const ok = await fetch(`${f.t.fdsUrl}/cors-b/x`, { method: 'OPTIONS', headers: { origin: 'https://b.test' } });
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://b.test');
    const no = await fetch(`${f.t.fdsUrl}/cors-b/x`, { method: 'OPTIONS', headers: { origin: 'https://evil.test' } });
    assert.equal(no.status, 200);
    assert.equal(no.headers.get('access-control-allow-origin'), null);
  });

  it('other configurations are stored and returned; prefetch answers a JSON number; metrics push is accepted', async () => {
    const log = { bucketName: B, enabled: true, logBucketName: 'logs', logPrefix: 'p/', cdnEnabled: false, cdnLogPrefix: '' };
    await f.owner.ok('PUT', `/${B}?accessLog=true`, { body: JSON.stringify(log) });
    assert.deepEqual(await f.owner.json('GET', `/${B}?accessLog=`), log);
    assert.equal((await f.owner.send('GET', `/${B}?webpQuality=true`)).status, 404);
    await f.owner.ok('PUT', `/${B}?webpQuality=80`);
    assert.equal(await (await f.owner.send('GET', `/${B}?webpQuality=true`)).text(), '80');
    await f.owner.ok('PUT', `/${B}/obj`, { body: 'data' }); // the object it sets metadata on (whatever ran before)
    await f.owner.ok('PUT', `/${B}/obj?setMetaData`, {
      body: JSON.stringify({ rawMeta: { 'content-type': 'text/x-set', 'x-xiaomi-meta-set': 'yes' } }),
    });
    const meta = await f.owner.send('HEAD', `/${B}/obj`);
    assert.equal(meta.headers.get('content-type'), 'text/x-set');
    assert.equal(meta.headers.get('x-xiaomi-meta-set'), 'yes');
    const bad = await f.owner.send('PUT', `/${B}/obj?setMetaData`, { body: JSON.stringify({ rawMeta: { 'x-xiaomi-meta-x': 'a\r\nb' } }) });
    assert.equal(bad.status, 400);
    assert.equal((await f.owner.send('GET', `/${B}/obj`)).status, 200);
    await f.owner.ok('PUT', `/${B}/obj?prefetch=true`, { body: '""' });
    assert.equal(await (await f.owner.send('PUT', `/${B}/obj?refresh`)).text(), '0');
    assert.equal((await f.owner.send('PUT', '/?clientMetrics', { body: '{"metrics":[]}' })).status, 200);
  });

  it('the sweeper applies lifecycle expiration, non-current expiration and upload abort', async () => {
    await f.owner.ok('PUT', '/life');
    await f.owner.ok('PUT', '/life/tmp/a', { body: 'a' });
    await f.owner.ok('PUT', '/life/keep/b', { body: 'b' });
    await f.owner.ok('PUT', '/life/old/x', { body: 'v1' });
    await f.owner.ok('PUT', '/life/old/x', { body: 'v2' });
    const up = await f.owner.json<{ uploadId: string }>('PUT', '/life/up/y?uploads');
    await f.owner.ok('PUT', `/life/up/y?uploadId=${up.uploadId}&partNumber=1`, { body: 'part' });
    const v1 = (await f.owner.json<string[]>('GET', '/life/old/x?versionIds'))[0];
    const v1Row = await f.t.ctx.db.kysely
      .selectFrom('fds_objects')
      .selectAll()
      .where('version_id', '=', v1 ?? '')
      .executeTakeFirstOrThrow();
    await f.owner.ok('PUT', '/life?lifecycle=true', {
      body: JSON.stringify({
        rules: [
          { enabled: true, prefix: 'tmp/', actions: { expiration: { days: 0.00001 } } },
          { enabled: true, prefix: 'old/', actions: { nonCurrentVersionExpiration: { days: 0.00001 } } },
          { enabled: true, prefix: 'up/', actions: { abortIncompleteMultipartUpload: { days: 0.00001 } } },
          { enabled: false, prefix: 'keep/', actions: { expiration: { days: 0.00001 } } },
        ],
      }),
    });
    await sleep(1000);
    await runtime().fdsSweeper.runOnce();
    assert.equal((await f.owner.send('HEAD', '/life/tmp/a')).status, 404);
    assert.equal((await f.owner.send('HEAD', '/life/keep/b')).status, 200);
    assert.equal(await (await f.owner.send('GET', '/life/old/x')).text(), 'v2');
    assert.deepEqual(await f.owner.json('GET', '/life/old/x?versionIds'), []);
    assert.equal(await f.t.ctx.blobs.size(v1Row.blob_key), undefined);
    assert.equal((await f.owner.send('GET', `/life/up/y?uploadId=${up.uploadId}`)).status, 400);
  });

  it('the sweeper frees blobs whose upload never committed (crash mid-upload)', async () => {
    const rt = runtime();
    const key = 'orphanBlobKey0123456789abcdef';
    await f.t.ctx.blobs.put(key, Readable.from([Buffer.from('orphan')]));
    await f.t.ctx.db.kysely.insertInto('fds_blob_gc').values({ blob_key: key, state: 'pending', at: Date.now() }).execute();
    await rt.fdsSweeper.runOnce();
    assert.equal(await f.t.ctx.blobs.size(key), 6, 'a young pending blob may still be uploading');
    await f.t.ctx.db.kysely
      .updateTable('fds_blob_gc')
      .set({ at: Date.now() - 7 * 3600 * 1000 })
      .where('blob_key', '=', key)
      .execute();
    await rt.fdsSweeper.runOnce();
    assert.equal(await f.t.ctx.blobs.size(key), undefined);
    assert.deepEqual(await f.t.ctx.db.kysely.selectFrom('fds_blob_gc').selectAll().execute(), []);
  });
});
