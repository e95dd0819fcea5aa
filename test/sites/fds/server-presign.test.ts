// Server-signed URLs through real HTTP (fds-protocol §2.3, §5.1): app users (SSO serviceToken
// callers here) have no access key, so their PutObjectResult is signed with the server key bound
// to the version they wrote. That URL reads exactly that version — not older or newer versions
// under the same name, not other operations — lives at most a day, and `?versionIds` shows an app
// user only versions it could read.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { presignedPath } from '../../../src/core/fds/presign.ts';
import { SERVER_PRESIGN_MAX_MS } from '../../../src/services/fds/keys.ts';
import { type FdsFixture, ssoWritableBucket, startFds } from '../../helpers/fds-fixture.ts';

const B = 'sso-drop';
const DAY = 24 * 3600 * 1000;

interface PutResult {
  bucketName: string;
  objectName: string;
  accessKeyId: string;
  signature: string;
  expires: number;
  previousVersionId: string | null;
}

describe('FDS server-signed URLs (app users)', () => {
  let f: FdsFixture;
  let token: string;

  /** An SSO call as Android/iOS send it: `Authorization: SSO` and `?serviceToken=`. */
  const sso = (method: string, path: string, body?: string) =>
    fetch(`${f.t.fdsUrl}${path}${path.includes('?') ? '&' : '?'}serviceToken=${token}`, {
      method,
      headers: { authorization: 'SSO' },
      ...(body !== undefined ? { body } : {}),
    });

  /** The URL CORE `PutObjectResult.getRelativePreSignedUri()` builds from the triple. */
  const relativeUri = (r: PutResult) =>
    `${f.t.fdsUrl}/${r.bucketName}/${r.objectName}?GalaxyAccessKeyId=${r.accessKeyId}&Expires=${r.expires}&Signature=${r.signature}`;

  async function ssoPut(path: string, body: string): Promise<PutResult> {
    const r = await sso('PUT', path, body);
    const text = await r.text();
    assert.equal(r.status, 200, text);
    return JSON.parse(text) as PutResult;
  }

  before(async () => {
    f = await startFds();
    token = await ssoWritableBucket(f, B, 'dropper', 'D');
  });
  after(() => f.close());

  it("an app user's URL cannot read the owner's older version under the same name", async () => {
    await f.owner.ok('PUT', `/${B}/payroll.csv`, { body: 'owner secret payroll' });
    const del = await f.owner.ok('DELETE', `/${B}/payroll.csv`);
    const old = del.headers.get('object-version-id') ?? '';
    assert.match(old, /^[0-9a-z]+$/);

    const put = await ssoPut(`/${B}/payroll.csv`, 'my upload');
    // ?versionIds shows the app user only what it could read: not the owner's old version.
    const ids = await sso('GET', `/${B}/payroll.csv?versionIds=true`);
    assert.equal(ids.status, 200);
    assert.deepEqual(await ids.json(), []);
    // The owner still sees every version.
    assert.deepEqual(await f.owner.json('GET', `/${B}/payroll.csv?versionIds=true`), [old]);

    const url = relativeUri(put);
    const stolen = await fetch(`${url}&versionId=${old}`);
    assert.equal(stolen.status, 403);
    assert.doesNotMatch(await stolen.text(), /owner secret/);
    // The SDK's own URL reads the version just written; naming that same version is fine too.
    assert.equal(await (await fetch(url)).text(), 'my upload');
    assert.equal(put.accessKeyId.startsWith('OPAL-SERVER.'), true);
    const own = put.accessKeyId.slice('OPAL-SERVER.'.length);
    assert.equal(await (await fetch(`${url}&versionId=${own}`)).text(), 'my upload');

    // The key id is bound by the signature: another version id, or the bare server key, fails.
    for (const ak of [`OPAL-SERVER.${old}`, 'OPAL-SERVER']) {
      const r = await fetch(url.replace(`GalaxyAccessKeyId=${put.accessKeyId}`, `GalaxyAccessKeyId=${ak}`));
      assert.equal(r.status, 403, ak);
      assert.doesNotMatch(await r.text(), /owner secret/, ak);
    }
    // Nothing but reading that version: no version listing, no ACL, no listing through it.
    for (const extra of ['versionIds=true', 'acl', 'uploads']) {
      const r = await fetch(`${url}&${extra}`);
      assert.equal(r.status, 403, extra);
    }
  });

  it("an app user's URL keeps reading its own version after the owner overwrites the name, until that version is gone", async () => {
    const put = await ssoPut(`/${B}/later`, 'user content');
    const url = relativeUri(put);
    await f.owner.ok('PUT', `/${B}/later`, { body: 'owner content, not for the user' });
    const g = await fetch(url);
    assert.equal(g.status, 200);
    assert.equal(await g.text(), 'user content');
    const own = put.accessKeyId.slice('OPAL-SERVER.'.length);
    await f.owner.ok('DELETE', `/${B}/later?versionId=${own}`);
    const gone = await fetch(url);
    assert.equal(gone.status, 404);
    assert.doesNotMatch(await gone.text(), /owner content/);
  });

  it('server-signed URLs live at most one day, whatever expires the caller asks for', async () => {
    const before = Date.now();
    const asked = before + 30 * DAY;
    const put = await ssoPut(`/${B}/capped?expires=${asked}`, 'x');
    assert.ok(put.expires <= Date.now() + SERVER_PRESIGN_MAX_MS, String(put.expires));
    assert.ok(put.expires >= before + SERVER_PRESIGN_MAX_MS - 60_000, String(put.expires));
    const short = await ssoPut(`/${B}/short?expires=${before + 60_000}`, 'y');
    assert.equal(short.expires, before + 60_000);
    const dflt = await ssoPut(`/${B}/default`, 'z');
    assert.ok(dflt.expires <= Date.now() + SERVER_PRESIGN_MAX_MS && dflt.expires > before + DAY - 60_000);
    // A long-lived URL under a server key is refused even when correctly signed.
    const own = put.accessKeyId.slice('OPAL-SERVER.'.length);
    const keys = f.t.ctx.services.fdsKeys;
    const forged = presignedPath({
      bucket: B,
      object: 'capped',
      expires: Date.now() + 30 * DAY,
      accessKeyId: put.accessKeyId,
      secret: keys.serverSecretKey(own),
    });
    const r = await fetch(f.t.fdsUrl + forged);
    assert.equal(r.status, 403);
    assert.match(await r.text(), /Request Expired/);
    // Developers' own results keep the caller's key and the 30-day default (§2.3).
    const dev = await f.owner.json<PutResult>('PUT', `/${B}/dev-object`, { body: 'd' });
    assert.equal(dev.accessKeyId, f.ownerKey.accessKeyId);
    assert.ok(dev.expires > Date.now() + 29 * DAY);
  });
});
