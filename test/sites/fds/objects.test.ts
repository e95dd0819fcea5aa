// Objects through real HTTP (fds-protocol §5, §2): what the SDKs send for put, get, head,
// metadata, delete, rename, copy, restore and batch delete, and what they read back.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hmacBase64, stringToSign } from '../../../src/core/fds/signer.ts';
import { dbBackends } from '../../helpers/env.ts';
import { type FdsFixture, md5Hex, startFds } from '../../helpers/fds-fixture.ts';
import { rawRequest } from '../../helpers/fds-sdk.ts';

async function* chunks(...parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield p;
}

for (const backend of dbBackends()) {
  describe(`FDS objects (${backend})`, () => {
    let f: FdsFixture;
    const B = 'test-python-20261121235033';
    before(async () => {
      f = await startFds({ backend, buckets: [B] });
    });
    after(() => f.close());

    it('PY test_get_object_and_metadata: put with content-md5, get, range bytes=2-, ?metadata=true', async () => {
      const put = await f.owner.json<Record<string, unknown>>('PUT', `/${B}/test1`, {
        body: 'test1',
        headers: { 'content-md5': md5Hex('test1') },
      });
      for (const k of ['bucketName', 'objectName', 'accessKeyId', 'signature', 'expires']) assert.ok(k in put, k);
      assert.equal(put.bucketName, B);
      assert.equal(put.objectName, 'test1');
      assert.equal(put.accessKeyId, f.ownerKey.accessKeyId);
      assert.equal(put.previousVersionId, null);
      assert.ok((put.expires as number) > Date.now() + 29 * 24 * 3600 * 1000);

      const get = await f.owner.send('GET', `/${B}/test1`);
      assert.equal(get.status, 200);
      assert.equal(get.headers.get('content-length'), '5');
      assert.equal(get.headers.get('content-md5'), '5a105e8b9d40e1329780d62ea2265d8a');
      assert.equal(get.headers.get('content-type'), 'application/octet-stream');
      assert.equal(get.headers.get('x-xiaomi-meta-content-length'), '5');
      assert.match(get.headers.get('last-modified') ?? '', /^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/);
      assert.match(get.headers.get('upload-time') ?? '', /^\d{13}$/);
      assert.equal(get.headers.get('content-encoding'), null);
      assert.equal(await get.text(), 'test1');

      const ranged = await f.owner.send('GET', `/${B}/test1`, { headers: { range: 'bytes=2-' } });
      assert.equal(ranged.status, 206);
      assert.equal(ranged.headers.get('content-range'), 'bytes 2-4/5');
      assert.equal(ranged.headers.get('content-length'), '3');
      assert.equal(ranged.headers.get('x-xiaomi-meta-content-length'), '5');
      assert.equal(await ranged.text(), 'st1');

      const mid = await f.owner.send('GET', `/${B}/test1`, { headers: { range: 'bytes=1-2' } });
      assert.equal(await mid.text(), 'es');

      for (const q of ['metadata=true', 'metadata']) {
        const meta = await f.owner.send('GET', `/${B}/test1?${q}`);
        assert.equal(meta.status, 200);
        assert.equal(meta.headers.get('content-md5'), '5a105e8b9d40e1329780d62ea2265d8a');
        assert.equal(meta.headers.get('x-xiaomi-meta-content-length'), '5');
        assert.equal(meta.headers.get('content-length'), '0');
        assert.equal(await meta.text(), '');
      }
    });

    it('Range past the end is 416; bytes=0- on a zero-byte object is 200 (Go)', async () => {
      await f.owner.ok('PUT', `/${B}/five`, { body: '12345' });
      for (const range of ['bytes=5-', 'bytes=6-']) {
        const r = await f.owner.send('GET', `/${B}/five`, { headers: { range } });
        assert.equal(r.status, 416, range);
        assert.match(await r.text(), /Request Out of Range/);
      }
      await f.owner.ok('PUT', `/${B}/zero`, { body: '' });
      const z = await f.owner.send('GET', `/${B}/zero`, { headers: { range: 'bytes=0-' } });
      assert.equal(z.status, 200);
      assert.equal(z.headers.get('content-length'), '0');
      assert.equal(await z.text(), '');
    });

    it('PY test_normal_object: empty put with the MD5 of "", HEAD, list, DELETE, HEAD 404', async () => {
      await f.owner.ok('PUT', `/${B}/empty`, { body: '', headers: { 'content-md5': 'd41d8cd98f00b204e9800998ecf8427e' } });
      const head = await f.owner.send('HEAD', `/${B}/empty`);
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), '0');
      const list = await f.owner.json<{ objects: Array<{ name: string; size: number; owner: { id: string } }> }>(
        'GET',
        `/${B}?prefix=empty&delimiter=%2F`,
      );
      assert.deepEqual(
        list.objects.map((o) => [o.name, o.size, o.owner.id]),
        [['empty', 0, f.ownerKey.developerId]],
      );
      const del = await f.owner.send('DELETE', `/${B}/empty`);
      assert.equal(del.status, 200);
      assert.match(del.headers.get('object-version-id') ?? '', /^[0-9a-z]+$/);
      assert.equal((await f.owner.send('HEAD', `/${B}/empty`)).status, 404);
      assert.equal((await f.owner.send('DELETE', `/${B}/empty`)).status, 404);
    });

    it('concurrent writes of one name all succeed: one current version, the others kept', async () => {
      const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => f.owner.send('PUT', `/${B}/contended`, { body: `v${i}` })));
      assert.deepEqual(
        rs.map((r) => r.status),
        rs.map(() => 200),
      );
      assert.equal((await f.owner.json<string[]>('GET', `/${B}/contended?versionIds`)).length, 19);
      const current = await f.t.ctx.db.kysely
        .selectFrom('fds_objects')
        .select('version_id')
        .where('name', '=', 'contended')
        .where('is_current', '=', 1)
        .execute();
      assert.equal(current.length, 1);
    });

    it('a Content-MD5 that does not match is 400 Checksum Does Not Match and stores nothing', async () => {
      const r = await f.owner.send('PUT', `/${B}/bad-md5`, { body: 'abc', headers: { 'content-md5': md5Hex('abd') } });
      assert.equal(r.status, 400);
      assert.match(await r.text(), /Checksum Does Not Match/);
      assert.equal((await f.owner.send('HEAD', `/${B}/bad-md5`)).status, 404);
      const pending = await f.t.ctx.db.kysely.selectFrom('fds_blob_gc').selectAll().where('state', '=', 'pending').execute();
      assert.deepEqual(pending, []);
    });

    it('stores user metadata and standard headers verbatim (Java testObjectMetadata)', async () => {
      await f.owner.ok('PUT', `/${B}/meta.txt`, {
        body: 'hello',
        headers: {
          'content-type': 'text/plain',
          'cache-control': 'max-age=12344343',
          'content-disposition': 'attachment; filename="a.txt"',
          'x-xiaomi-meta-user-defined': 'Some Value',
        },
      });
      const r = await f.owner.send('GET', `/${B}/meta.txt`);
      assert.equal(r.headers.get('content-type'), 'text/plain');
      assert.equal(r.headers.get('cache-control'), 'max-age=12344343');
      assert.equal(r.headers.get('content-disposition'), 'attachment; filename="a.txt"');
      assert.equal(r.headers.get('x-xiaomi-meta-user-defined'), 'Some Value');
      const head = await f.owner.send('HEAD', `/${B}/meta.txt`);
      assert.equal(head.headers.get('x-xiaomi-meta-user-defined'), 'Some Value');
      // Android's response-* overrides apply only with a value.
      const o = await f.owner.send('GET', `/${B}/meta.txt?response-content-type=image/png&response-cache-control`);
      assert.equal(o.headers.get('content-type'), 'image/png');
      assert.equal(o.headers.get('cache-control'), 'max-age=12344343');
      const invalid = await f.owner.send('GET', `/${B}/meta.txt?response-content-type=a%0D%0Ab`);
      assert.equal(invalid.status, 200);
      assert.equal(invalid.headers.get('content-type'), 'text/plain');
    });

    it('Java MD5 mode: chunked body with a 16-byte MD5 trailer is stripped, checked, and the header echoed', async () => {
      const content = Buffer.from('java content '.repeat(1000));
      const trailer = createHash('md5').update(content).digest();
      const put = await f.owner.send('PUT', `/${B}/java.bin`, {
        body: chunks(
          content.subarray(0, 7),
          content.subarray(7, 5000),
          content.subarray(5000),
          trailer.subarray(0, 3),
          trailer.subarray(3),
        ),
        headers: {
          'content-type': 'application/octet-stream',
          'x-xiaomi-meta-md5-attached-stream': '1',
          'x-xiaomi-request-id': '1a2b3c4d_7',
        },
      });
      assert.equal(put.status, 200, await put.clone().text());
      const get = await f.owner.send('GET', `/${B}/java.bin`);
      const body = Buffer.from(await get.arrayBuffer());
      assert.equal(body.length, content.length);
      assert.ok(body.equals(content));
      assert.equal(get.headers.get('x-xiaomi-meta-md5-attached-stream'), '1');
      assert.equal(get.headers.get('content-md5'), md5Hex(content));

      const bad = await f.owner.send('PUT', `/${B}/java-bad.bin`, {
        body: chunks(content, Buffer.alloc(16)),
        headers: { 'x-xiaomi-meta-md5-attached-stream': '1' },
      });
      assert.equal(bad.status, 400);
      assert.match(await bad.text(), /Checksum Does Not Match/);
      assert.equal((await f.owner.send('HEAD', `/${B}/java-bad.bin`)).status, 404);
    });

    it('accepts chunked bodies, including an empty chunked body (Python file-like)', async () => {
      await f.owner.ok('PUT', `/${B}/chunked`, { body: chunks(Buffer.from('a'), Buffer.from('bc')) });
      assert.equal(await (await f.owner.send('GET', `/${B}/chunked`)).text(), 'abc');
      await f.owner.ok('PUT', `/${B}/chunked-empty`, { body: chunks() });
      assert.equal((await f.owner.send('GET', `/${B}/chunked-empty`)).headers.get('content-length'), '0');
    });

    it('POST /{b}/ stores under a generated name (Java testPostObject, Go Post_Object)', async () => {
      const r = await f.owner.json<{ bucketName: string; objectName: string; signature: string }>('POST', `/${B}/`, { body: 'posted' });
      assert.equal(r.bucketName, B);
      assert.match(r.objectName, /^[0-9a-f-]{36}$/);
      assert.ok(r.signature);
      assert.equal(await (await f.owner.send('GET', `/${B}/${r.objectName}`)).text(), 'posted');
    });

    it('the PutObjectResult triple is a working presigned GET', async () => {
      const r = await f.owner.json<{ accessKeyId: string; expires: number; signature: string }>(
        'PUT',
        `/${B}/dir/shared.txt?expires=${Date.now() + 60_000}`,
        {
          body: 'shared',
        },
      );
      const url = `/${B}/dir/shared.txt?GalaxyAccessKeyId=${r.accessKeyId}&Expires=${r.expires}&Signature=${r.signature}`;
      const g = await f.anon.send('GET', url, { date: null });
      assert.equal(g.status, 200);
      assert.equal(await g.text(), 'shared');
    });

    it('PY test_rename_object: renameTo is form-decoded; Java sends the body ""', async () => {
      await f.owner.ok('PUT', `/${B}/test_old1`, { body: 'r' });
      await f.owner.ok('PUT', `/${B}/test_old1?renameTo=test_new1`);
      assert.equal((await f.owner.send('HEAD', `/${B}/test_old1`)).status, 404);
      assert.equal((await f.owner.send('HEAD', `/${B}/test_new1`)).status, 200);
      await f.owner.ok('PUT', `/${B}/test_new1?renameTo=a+b%2Fc`, { body: '""', headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(await (await f.owner.send('GET', `/${B}/a%20b/c`)).text(), 'r');
      assert.equal((await f.owner.send('PUT', `/${B}/missing?renameTo=x`)).status, 404);
    });

    it('copy: PUT /{dst}?cp with {"srcBucketName","srcObjectName"}', async () => {
      await f.owner.ok('PUT', `/${B}/copy-src`, { body: 'copied', headers: { 'content-type': 'text/x-copy' } });
      const r = await f.owner.json<{ objectName: string }>('PUT', `/${B}/copy-dst?cp=cpparam`, {
        body: JSON.stringify({ srcBucketName: B, srcObjectName: 'copy-src' }),
      });
      assert.equal(r.objectName, 'copy-dst');
      const g = await f.owner.send('GET', `/${B}/copy-dst`);
      assert.equal(await g.text(), 'copied');
      assert.equal(g.headers.get('content-type'), 'text/x-copy');
      assert.equal(
        (await f.other.send('PUT', `/${B}/copy-x?cp=`, { body: JSON.stringify({ srcBucketName: B, srcObjectName: 'copy-src' }) })).status,
        403,
      );
    });

    it('PY test_restore: delete puts the object in trash; PUT ?restore=true brings it back', async () => {
      await f.owner.ok('PUT', `/${B}/aa/aa-1`, { body: 'restore me' });
      await f.owner.ok('DELETE', `/${B}/aa/aa-1`);
      assert.equal((await f.owner.send('GET', `/${B}/aa/aa-1`)).status, 404);
      const trash = await f.owner.json<{ name: string; objects: Array<{ name: string }> }>('GET', `/trash?prefix=${B}/aa/&delimiter=`);
      assert.equal(trash.name, 'trash');
      assert.deepEqual(
        trash.objects.map((o) => o.name),
        [`${B}/aa/aa-1`],
      );
      const fromTrash = await f.owner.send('GET', `/trash/${B}/aa/aa-1`);
      assert.equal(await fromTrash.text(), 'restore me');
      await f.owner.ok('PUT', `/${B}/aa/aa-1?restore=true`);
      assert.equal(await (await f.owner.send('GET', `/${B}/aa/aa-1`)).text(), 'restore me');
      assert.equal((await f.owner.send('PUT', `/${B}/aa/aa-1?restore=`, { body: '""' })).status, 404);
      // enableTrash=false bypasses the trash.
      await f.owner.ok('DELETE', `/${B}/aa/aa-1?enableTrash=false`);
      assert.equal((await f.owner.send('PUT', `/${B}/aa/aa-1?restore=true`)).status, 404);
    });

    it('Java testDeleteObjectsWithNameList: dedupe, null and "" fail once each, missing names are fine', async () => {
      for (const n of ['d1', 'd2']) await f.owner.ok('PUT', `/${B}/${n}`, { body: n });
      const failures = await f.owner.json<Array<{ object_name: string | null; error_code: number; error_description: string }>>(
        'PUT',
        `/${B}?deleteObjects=`,
        {
          body: JSON.stringify([null, 'd1', '', null, 'd1', 'd2', '', 'nope']),
          headers: { 'content-type': 'application/json; charset=UTF-8' },
        },
      );
      assert.equal(failures.length, 2);
      assert.deepEqual(failures.map((x) => x.object_name).sort(), ['', null].sort());
      assert.ok(failures.every((x) => x.error_code === 400 && x.error_description === 'Invalid Object Name'));
      assert.equal((await f.owner.send('HEAD', `/${B}/d1`)).status, 404);
      assert.equal((await f.owner.send('HEAD', `/${B}/d2`)).status, 404);
      const none = await f.owner.send('PUT', `/${B}?deleteObjects=true`, { body: '["nope"]' });
      assert.equal(await none.text(), '[]');
      const tooMany = await f.owner.send('PUT', `/${B}?deleteObjects=true`, {
        body: JSON.stringify(Array.from({ length: 1001 }, (_, i) => `x${i}`)),
      });
      assert.equal(tooMany.status, 400);
    });

    it('accepts absolute-form request targets and ignores Host (HTTP proxy setting, §11.3)', async () => {
      const date = new Date().toUTCString();
      const path = `/${B}/proxied`;
      const sig = hmacBase64(f.ownerKey.accessSecret, `PUT\n\n\n${date}\n${path}`);
      const put = await rawRequest(
        f.t.fdsUrl,
        'PUT',
        `http://cnbj0-fds.api.xiaomi.net${path}`,
        { host: 'cnbj0-fds.api.xiaomi.net', date, authorization: `Galaxy-V2 ${f.ownerKey.accessKeyId}:${sig}`, 'content-length': '3' },
        Buffer.from('via'),
      );
      assert.equal(put.status, 200, put.body.toString());
      const listSig = hmacBase64(f.ownerKey.accessSecret, `GET\n\n\n${date}\n/${B}`);
      const list = await rawRequest(f.t.fdsUrl, 'GET', `http://cdn.cnbj0.fds.api.mi-img.com/${B}?prefix=prox&delimiter=%2F`, {
        host: 'cdn.cnbj0.fds.api.mi-img.com',
        date,
        authorization: `Galaxy-V2 ${f.ownerKey.accessKeyId}:${listSig}`,
      });
      assert.equal(list.status, 200);
      assert.deepEqual(
        (JSON.parse(list.body.toString()) as { objects: Array<{ name: string }> }).objects.map((o) => o.name),
        ['proxied'],
      );
    });

    it('PY path quirk: a name with "?" signed over the truncated decoded path verifies (§2.2.6 a)', async () => {
      const date = new Date().toUTCString();
      const target = `/${B}/dir/%E4%B8%AD%E6%96%87%20x%3Fy`;
      const sts = stringToSign({ method: 'PUT', path: target, query: '', headers: [['date', date]] }, { pythonPath: true });
      assert.equal(sts, `PUT\n\n\n${date}\n/${B}/dir/中文 x`);
      const r = await f.owner.send('PUT', target, {
        body: 'q',
        sign: false,
        headers: { date, authorization: `Galaxy-V2 ${f.ownerKey.accessKeyId}:${hmacBase64(f.ownerKey.accessSecret, sts)}` },
      });
      assert.equal(r.status, 200);
      assert.equal(await (await f.owner.send('GET', target)).text(), 'q');
    });

    it('PY test_generate_presigned_uri: UTF-8 name, raw "+" signature, no Date header; expiry and tampering', async () => {
      await f.owner.ok('PUT', `/${B}/${encodeURIComponent('中文测试')}`, { body: 'presigned' });
      const url = f.owner.presign({ bucket: B, object: '中文测试', expires: Date.now() + 60_000 });
      const g = await fetch(url);
      assert.equal(g.status, 200);
      assert.equal(await g.text(), 'presigned');
      const expired = await fetch(f.owner.presign({ bucket: B, object: '中文测试', expires: Date.now() - 1000 }));
      assert.equal(expired.status, 403);
      assert.match(await expired.text(), /Request Expired/);
      const tampered = await fetch(url.replace(encodeURIComponent('中文测试'), 'other'));
      assert.equal(tampered.status, 403);
      assert.match(await tampered.text(), /Signature Does Not Match/);
      // Go: presigned HEAD carries `metadata`; presigned PUT signs its content type.
      const head = await fetch(
        f.owner.presign({ method: 'HEAD', bucket: B, object: '中文测试', expires: Date.now() + 60_000, subResources: ['metadata='] }),
        {
          method: 'HEAD',
        },
      );
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('x-xiaomi-meta-content-length'), '9');
      const putUrl = f.owner.presign({
        method: 'PUT',
        bucket: B,
        object: 'go-presigned',
        expires: Date.now() + 60_000,
        contentType: 'text/plain',
      });
      const put = await fetch(putUrl, { method: 'PUT', body: Buffer.from('go'), headers: { 'content-type': 'text/plain' } });
      assert.equal(put.status, 200, await put.clone().text());
      assert.equal((await f.owner.send('GET', `/${B}/go-presigned`)).headers.get('content-type'), 'text/plain');
    });

    it('a captured header signature cannot be replayed as a presigned URL, nor a presigned one as a header', async () => {
      await f.owner.ok('PUT', `/${B}/replay-secret`, { body: 'secret' });
      const threeDaysAgo = new Date(Date.now() - 3 * 24 * 3600_000).toUTCString();
      const sig = hmacBase64(
        f.ownerKey.accessSecret,
        stringToSign({ method: 'GET', path: `/${B}/replay-secret`, query: '', headers: [['date', threeDaysAgo]] }),
      );
      const header = await fetch(`${f.t.fdsUrl}/${B}/replay-secret`, {
        headers: { date: threeDaysAgo, authorization: `Galaxy-V2 ${f.ownerKey.accessKeyId}:${sig}` },
      });
      assert.equal(header.status, 403);
      assert.match(await header.text(), /Request Time Too Skewed/);
      const ak = f.ownerKey.accessKeyId;
      for (const expires of ['9999999999999+', '9999999999999%20', '%39999999999999', '1e16', '-1', '99999999999999999']) {
        const r = await fetch(`${f.t.fdsUrl}/${B}/replay-secret?GalaxyAccessKeyId=${ak}&Expires=${expires}&Signature=${sig}`, {
          headers: { date: threeDaysAgo },
        });
        assert.notEqual(r.status, 200, expires);
        assert.doesNotMatch(await r.text(), /secret/, expires);
      }
      // Each credential parameter at most once.
      const good = f.owner.presign({ bucket: B, object: 'replay-secret', expires: Date.now() + 60_000 });
      assert.equal((await fetch(good)).status, 200);
      for (const extra of [`&Expires=${Date.now() + 1e9}`, `&Signature=${sig}`, `&GalaxyAccessKeyId=${ak}`]) {
        const r = await fetch(good + extra);
        assert.equal(r.status, 400, extra);
        assert.match(await r.text(), /Authentication Failed/, extra);
      }
      // An expired presigned signature sent as a header-signed request with a fresh Date.
      const past = Date.now() - 3600_000;
      const oldUrl = new URL(f.owner.presign({ bucket: B, object: 'replay-secret', expires: past }));
      const oldSig = oldUrl.search.split('&Signature=')[1] ?? '';
      const asHeader = await fetch(`${f.t.fdsUrl}/${B}/replay-secret?Expires=${past}`, {
        headers: { date: new Date().toUTCString(), authorization: `Galaxy-V2 ${ak}:${oldSig}` },
      });
      assert.equal(asHeader.status, 403);
      assert.match(await asHeader.text(), /Request Expired/);
    });

    it('signature, clock skew and unknown keys are 403 with FDS error bodies', async () => {
      await f.owner.ok('PUT', `/${B}/test1`, { body: 'test1' }); // the object the requests name (whatever ran before)
      const wrong = await f.owner.send('GET', `/${B}/test1`, {
        sign: false,
        headers: { authorization: `Galaxy-V2 ${f.ownerKey.accessKeyId}:AAAAAAAAAAAAAAAAAAAAAAAAAAA=` },
      });
      assert.equal(wrong.status, 403);
      assert.match(await wrong.text(), /Signature Does Not Match/);
      assert.match(wrong.headers.get('x-xiaomi-request-id') ?? '', /./);
      const unknown = await f.anon.send('GET', `/${B}/test1`, {
        headers: { authorization: 'Galaxy-V2 AKNOPE:AAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
      });
      assert.equal(unknown.status, 403);
      const old = await f.owner.send('GET', `/${B}/test1`, { date: new Date(Date.now() - 3600_000).toUTCString() });
      assert.equal(old.status, 403);
      assert.match(await old.text(), /Request Time Too Skewed/);
      const noDate = await f.owner.send('GET', `/${B}/test1`, { date: null });
      assert.equal(noDate.status, 403);
      // x-xiaomi-date wins over Date (V5 form).
      const xdate = await f.owner.send('GET', `/${B}/test1`, {
        date: 'Tue, 18 Feb 2020 05:05:51 GMT',
        headers: { 'x-xiaomi-date': new Date().toUTCString() },
      });
      assert.equal(xdate.status, 200);
      // HEAD errors carry no body.
      const headDenied = await f.anon.send('HEAD', `/${B}/test1`);
      assert.equal(headDenied.status, 403);
      assert.equal(await headDenied.text(), '');
    });

    it('deleting a version frees its bytes without breaking a download in progress', async () => {
      const big = Buffer.alloc(4 * 1024 * 1024, 7);
      await f.owner.ok('PUT', `/${B}/big-live`, { body: big });
      const row = await f.t.ctx.db.kysely
        .selectFrom('fds_objects')
        .selectAll()
        .where('name', '=', 'big-live')
        .where('is_current', '=', 1)
        .executeTakeFirstOrThrow();
      const res = await f.owner.send('GET', `/${B}/big-live`);
      const reader = res.body!.getReader();
      const first = await reader.read();
      assert.ok(first.value && first.value.length > 0);
      const del = await f.owner.send('DELETE', `/${B}/big-live?versionId=${row.version_id}`);
      assert.equal(del.status, 200);
      assert.equal(await f.t.ctx.blobs.size(row.blob_key), undefined);
      let total = first.value.length;
      const hash = createHash('md5').update(first.value);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        hash.update(value);
      }
      assert.equal(total, big.length);
      assert.equal(hash.digest('hex'), md5Hex(big));
      assert.equal((await f.owner.send('GET', `/${B}/big-live?versionId=${row.version_id}`)).status, 404);
    });

    it('an upload the client abandons mid-body leaves nothing behind', async () => {
      // Every file under dataDir/blobs: stored blobs and the store's temp files.
      const blobFiles = async () =>
        (await readdir(join(f.t.ctx.config.dataDir, 'blobs'), { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length;
      const filesBefore = await blobFiles();
      const date = new Date().toUTCString();
      const sig = hmacBase64(f.ownerKey.accessSecret, `PUT\n\n\n${date}\n/${B}/abandoned`);
      const req = request(`${f.t.fdsUrl}/${B}/abandoned`, {
        method: 'PUT',
        headers: { date, authorization: `Galaxy-V2 ${f.ownerKey.accessKeyId}:${sig}`, 'content-length': '100000' },
      });
      req.on('error', () => undefined);
      req.write(Buffer.alloc(10_000, 1));
      await new Promise((r) => setTimeout(r, 100));
      req.destroy();
      const db = f.t.ctx.db.kysely;
      for (let i = 0; i < 50; i++) {
        if ((await db.selectFrom('fds_blob_gc').selectAll().execute()).length === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepEqual(await db.selectFrom('fds_blob_gc').selectAll().execute(), []);
      for (let i = 0; i < 50 && (await blobFiles()) !== filesBefore; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(await blobFiles(), filesBefore);
      assert.equal((await f.owner.send('HEAD', `/${B}/abandoned`)).status, 404);
    });

    it('object headers keep the casing Android and iOS compare case-sensitively (§3)', async () => {
      await f.owner.ok('PUT', `/${B}/cased`, {
        body: 'cased',
        headers: { 'cache-control': 'no-cache', 'content-encoding': 'identity', 'X-Xiaomi-Meta-Kind': 'k' },
      });
      const url = `${f.t.fdsUrl}/${B}/cased`;
      for (const method of ['GET', 'HEAD']) {
        const names = await new Promise<string[]>((resolve, reject) => {
          const date = new Date().toUTCString();
          const sig = hmacBase64(f.ownerKey.accessSecret, `${method}\n\n\n${date}\n/${B}/cased`);
          request(url, { method, headers: { date, authorization: `Galaxy-V2 ${f.ownerKey.accessKeyId}:${sig}` } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.rawHeaders.filter((_, i) => i % 2 === 0)));
          })
            .on('error', reject)
            .end();
        });
        for (const n of [
          'Content-Type',
          'Content-Length',
          'Last-Modified',
          'Content-MD5',
          'Cache-Control',
          'Content-Encoding',
          'x-xiaomi-meta-kind',
          'x-xiaomi-meta-content-length',
        ]) {
          assert.ok(names.includes(n), `${method} ${n} in ${names.join(' ')}`);
        }
      }
    });

    it('malformed paths and unknown methods get FDS error bodies', async () => {
      const bad = await f.owner.send('GET', `/${B}/%ZZ`);
      assert.equal(bad.status, 400);
      assert.match(await bad.text(), /"error":"InvalidRequest"/);
      const patch = await f.owner.send('PATCH', `/${B}/x`);
      assert.equal(patch.status, 405);
      assert.match(await patch.text(), /Request Not Supported/);
      const nul = await f.owner.send('PUT', `/${B}/a%00b`, { body: 'x' });
      assert.equal(nul.status, 400);
      assert.match(await nul.text(), /Invalid Object Name/);
    });

    it('OPTIONS answers 200 with the CORS headers on any path', async () => {
      const r = await fetch(`${f.t.fdsUrl}/${B}/whatever`, { method: 'OPTIONS', headers: { origin: 'https://app.example' } });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('access-control-allow-methods'), 'GET, POST, PUT, HEAD, DELETE, OPTIONS');
      assert.equal(r.headers.get('access-control-expose-headers'), 'content-md5, upload-time, x-xiaomi-meta-content-length');
      assert.equal(r.headers.get('access-control-allow-origin'), 'https://app.example');
    });
  });
}
