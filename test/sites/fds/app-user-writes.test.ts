// App users' writes through real HTTP (docs/storage-tokens.md): with only SSO_WRITE an app user
// may not replace someone else's object. The check runs before the body streams in and again when
// the new version commits, so a name someone else creates meanwhile is not replaced: the upload is
// refused with 403 in FDS shape and its bytes are dropped. Same for a multipart complete.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { dbBackends } from '../../helpers/env.ts';
import { type FdsFixture, ssoWritableBucket, startFds } from '../../helpers/fds-fixture.ts';

const B = 'sso-race';

for (const backend of dbBackends()) {
  describe(`FDS app-user writes re-checked at commit (${backend})`, () => {
    let f: FdsFixture;
    let token: string;

    const ssoUrl = (path: string) => `${f.t.fdsUrl}${path}${path.includes('?') ? '&' : '?'}serviceToken=${token}`;
    const sso = (method: string, path: string, body?: string) =>
      fetch(ssoUrl(path), { method, headers: { authorization: 'SSO' }, ...(body !== undefined ? { body } : {}) });

    const pendingBlobs = async () =>
      (await f.t.ctx.db.kysely.selectFrom('fds_blob_gc').select('blob_key').where('state', '=', 'pending').execute()).length;

    /** Starts a PUT whose body the test finishes later; resolves once the server is storing it. */
    async function slowPut(path: string, first: string): Promise<{ finish(rest: string): Promise<Response> }> {
      let ctrl: ReadableStreamDefaultController<Uint8Array> | undefined;
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          ctrl = c;
          c.enqueue(Buffer.from(first));
        },
      });
      const pending = fetch(ssoUrl(path), { method: 'PUT', headers: { authorization: 'SSO' }, body, duplex: 'half' } as RequestInit);
      // The server inserts a pending blob entry when the body starts streaming (after every check).
      for (let i = 0; (await pendingBlobs()) === 0; i++) {
        assert.ok(i < 200, 'the upload never started');
        await sleep(10);
      }
      return {
        async finish(rest) {
          ctrl?.enqueue(Buffer.from(rest));
          ctrl?.close();
          return pending;
        },
      };
    }

    before(async () => {
      f = await startFds({ backend });
      token = await ssoWritableBucket(f, B, 'racer', 'R');
    });
    after(() => f.close());

    it('a slow PUT does not replace the object someone else created while it streamed', async () => {
      const upload = await slowPut(`/${B}/f`, 'app user ');
      await f.owner.ok('PUT', `/${B}/f`, { body: 'created meanwhile by the owner' });
      const r = await upload.finish('bytes');
      assert.equal(r.status, 403);
      const body = (await r.json()) as { code: number; error: string; message: string };
      assert.equal(body.error, 'ObjectAccessDenied');
      assert.match(body.message, /Access Denied/);
      assert.equal(await (await f.owner.ok('GET', `/${B}/f`)).text(), 'created meanwhile by the owner');
      assert.deepEqual(await f.owner.json('GET', `/${B}/f?versionIds=true`), []);
      assert.equal(await pendingBlobs(), 0);
    });

    it('a slow PUT over nothing, or over its own object, still succeeds', async () => {
      const first = await slowPut(`/${B}/mine`, 'one ');
      assert.equal((await first.finish('two')).status, 200);
      const again = await slowPut(`/${B}/mine`, 'three ');
      assert.equal((await again.finish('four')).status, 200);
      assert.equal(await (await sso('GET', `/${B}/mine`)).text(), 'three four');
    });

    it('a multipart complete does not replace the object someone else created since init', async () => {
      const init = (await (await sso('PUT', `/${B}/g?uploads`, '')).json()) as { uploadId: string };
      const part = (await (await sso('PUT', `/${B}/g?uploadId=${init.uploadId}&partNumber=1`, 'part')).json()) as Record<string, unknown>;
      await f.owner.ok('PUT', `/${B}/g`, { body: 'owner g' });
      const r = await sso('PUT', `/${B}/g?uploadId=${init.uploadId}`, JSON.stringify({ uploadPartResultList: [part] }));
      assert.equal(r.status, 403);
      assert.equal(((await r.json()) as { error: string }).error, 'ObjectAccessDenied');
      assert.equal(await (await f.owner.ok('GET', `/${B}/g`)).text(), 'owner g');
      assert.equal(await pendingBlobs(), 0);
    });

    it('a multipart complete does not replace the object someone else created while the parts were joined', async () => {
      const init = (await (await sso('PUT', `/${B}/h?uploads`, '')).json()) as { uploadId: string };
      const big = Buffer.alloc(32 * 1024 * 1024, 'h');
      const up = await fetch(ssoUrl(`/${B}/h?uploadId=${init.uploadId}&partNumber=1`), {
        method: 'PUT',
        headers: { authorization: 'SSO' },
        body: big,
      });
      const part = (await up.json()) as Record<string, unknown>;
      const completing = sso('PUT', `/${B}/h?uploadId=${init.uploadId}`, JSON.stringify({ uploadPartResultList: [part] }));
      // The joined blob is being written (after every check that runs before the handler).
      for (let i = 0; (await pendingBlobs()) === 0; i++) {
        assert.ok(i < 2000, 'the complete never started');
        await sleep(1);
      }
      await f.owner.ok('PUT', `/${B}/h`, { body: 'owner h' });
      const r = await completing;
      assert.equal(r.status, 403);
      assert.equal(((await r.json()) as { error: string }).error, 'ObjectAccessDenied');
      assert.equal(await (await f.owner.ok('GET', `/${B}/h`)).text(), 'owner h');
      assert.equal(await pendingBlobs(), 0);
    });
  });
}
