// Multipart uploads belong to the app user who started them (issue 11, finding 3): with only
// SSO_WRITE, another app user may not list them, read or replace their parts, complete them (which
// would make the object theirs) or abort them. The bucket's developer still sees and manages all.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dbBackends } from '../../helpers/env.ts';
import { type FdsFixture, ssoWritableBucket, startFds } from '../../helpers/fds-fixture.ts';
import { seedUser } from '../../helpers/seed.ts';

const B = 'mp-owner';

for (const backend of dbBackends()) {
  describe(`FDS multipart uploads tied to their initiator (${backend})`, () => {
    let f: FdsFixture;
    let alice: string;
    let mallory: string;

    const sso = (token: string, method: string, path: string, body?: string) =>
      fetch(`${f.t.fdsUrl}${path}${path.includes('?') ? '&' : '?'}serviceToken=${token}`, {
        method,
        headers: { authorization: 'SSO' },
        ...(body !== undefined ? { body } : {}),
      });
    const denied = async (r: Response) => {
      assert.equal(r.status, 403);
      assert.equal(((await r.json()) as { error: string }).error, 'ObjectAccessDenied');
    };
    const listed = async (token: string) =>
      ((await (await sso(token, 'GET', `/${B}/?uploads`)).json()) as { uploads: { uploadId: string }[] }).uploads.map((u) => u.uploadId);

    before(async () => {
      f = await startFds({ backend });
      alice = await ssoWritableBucket(f, B, 'alice-mp', 'A');
      const m = await seedUser(f.t.ctx, { account: 'mallory-mp', password: 'correct horse battery', nickname: 'M' });
      mallory = (await f.t.ctx.services.storageTokens.issueServiceToken(m.userId, '127.0.0.1')).serviceToken;
    });
    after(() => f.close());

    it("another app user cannot list, read, replace, complete or abort someone's upload", async () => {
      const { uploadId } = (await (await sso(alice, 'PUT', `/${B}/doc?uploads`, '')).json()) as { uploadId: string };
      const part = (await (await sso(alice, 'PUT', `/${B}/doc?uploadId=${uploadId}&partNumber=1`, 'alice part')).json()) as Record<
        string,
        unknown
      >;

      assert.deepEqual(await listed(mallory), []);
      await denied(await sso(mallory, 'GET', `/${B}/doc?uploadId=${uploadId}`));
      await denied(await sso(mallory, 'PUT', `/${B}/doc?uploadId=${uploadId}&partNumber=1`, 'mallory part'));
      await denied(await sso(mallory, 'PUT', `/${B}/doc?uploadId=${uploadId}`, JSON.stringify({ uploadPartResultList: [part] })));
      await denied(await sso(mallory, 'DELETE', `/${B}/doc?uploadId=${uploadId}`));

      // Nothing changed: Alice's part is intact, her upload listed, and she completes it as hers.
      assert.deepEqual(await listed(alice), [uploadId]);
      assert.deepEqual(
        await f.owner.json('GET', `/${B}/?uploads`).then((r) => (r as { uploads: { uploadId: string }[] }).uploads.length),
        1,
      );
      const parts = (await (await sso(alice, 'GET', `/${B}/doc?uploadId=${uploadId}`)).json()) as {
        uploadPartResultList: { etag: string }[];
      };
      assert.equal(parts.uploadPartResultList[0]?.etag, part.etag);
      const done = await sso(alice, 'PUT', `/${B}/doc?uploadId=${uploadId}`, JSON.stringify({ uploadPartResultList: [part] }));
      assert.equal(done.status, 200);
      assert.equal(await (await f.owner.ok('GET', `/${B}/doc`)).text(), 'alice part');
    });

    it('the bucket developer still manages every upload', async () => {
      const { uploadId } = (await (await sso(alice, 'PUT', `/${B}/other?uploads`, '')).json()) as { uploadId: string };
      await f.owner.ok('GET', `/${B}/other?uploadId=${uploadId}`);
      await f.owner.ok('DELETE', `/${B}/other?uploadId=${uploadId}`);
      assert.deepEqual(await listed(alice), []);
    });
  });
}
