// The JS SDK's server-side presign over real HTTP (fds-protocol §5.13, §2.3). The official JS SDK
// (XiaoMi/galaxy-fds-sdk-javascript) is not published on npm, so `jsGetPresignedUrl` reproduces the
// exact request its `getPresignedUrl` sends with an SSOCredential: `formatUri` joins
// `presignedUrl`, `subResources=<a:b>`, `expiration=`, `httpMethod=`, `enableCdn=`, `enableHttps=`,
// `signAlgorithm=` and then `appId=…&serviceToken=…&sid=galaxy-fds`, with `Authorization: SSO`;
// the SDK hands `responseText` (the URL) to its caller.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sha256Hex } from '../../../src/lib/hash.ts';
import { SERVER_PRESIGN_MAX_MS } from '../../../src/services/fds/keys.ts';
import { StorageTokensRepo } from '../../../src/store/db/storage-tokens-repo.ts';
import { type FdsFixture, ssoWritableBucket, startFds } from '../../helpers/fds-fixture.ts';

const B = 'js-presign';
const DAY = 24 * 3600 * 1000;

describe('FDS server-side presign (?presignedUrl)', () => {
  let f: FdsFixture;
  let token: string;
  let publicUrl: string;

  interface Presign {
    subResources?: string[] | null;
    expiration?: string;
    httpMethod?: string;
    signAlgorithm?: string;
  }

  function jsGetPresignedUrl(
    object: string,
    p: Presign = {},
    credential = `appId=2882303761517436430&serviceToken=${token}&sid=galaxy-fds`,
  ) {
    const sub = (p.subResources ?? []).join(':');
    const uri =
      `${f.t.fdsUrl}/${B}/${object}?presignedUrl&subResources=${sub}&expiration=${p.expiration ?? String(Date.now() + 3600_000)}` +
      `&httpMethod=${p.httpMethod ?? 'GET'}&enableCdn=false&enableHttps=false&signAlgorithm=${p.signAlgorithm ?? 'HmacSHA1'}`;
    return fetch(`${uri}&${credential}`, { headers: { authorization: 'SSO' } });
  }

  /** The URL text, checked to be on the configured public base; then fetched on the test listener. */
  async function presigned(object: string, p: Presign = {}): Promise<string> {
    const r = await jsGetPresignedUrl(object, p);
    const text = await r.text();
    assert.equal(r.status, 200, text);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
    assert.ok(text.startsWith(`${publicUrl}/${B}/`), text);
    return f.t.fdsUrl + text.slice(publicUrl.length);
  }

  before(async () => {
    f = await startFds();
    publicUrl = f.t.ctx.config.fdsPublicUrl;
    token = await ssoWritableBucket(f, B, 'jsuser', 'J');
    const put = await fetch(`${f.t.fdsUrl}/${B}/mine.txt?serviceToken=${token}`, {
      method: 'PUT',
      headers: { authorization: 'SSO' },
      body: 'my bytes',
    });
    assert.equal(put.status, 200);
    await f.owner.ok('PUT', `/${B}/owner-private.txt`, { body: 'owner secret' });
  });
  after(() => f.close());

  it('the URL an SSO caller gets fetches the bytes, in the §2.3 form under the server key of that version', async () => {
    const url = await presigned('mine.txt');
    const u = new URL(url);
    assert.match(u.search, /^\?GalaxyAccessKeyId=OPAL-SERVER\.[0-9a-z]+&Expires=\d+&Signature=[A-Za-z0-9+/]+=*$/);
    const got = await fetch(url);
    assert.equal(got.status, 200);
    assert.equal(await got.text(), 'my bytes');
    // Bound to the version presigned: after an overwrite it still reads what it was issued for.
    const again = await fetch(`${f.t.fdsUrl}/${B}/mine.txt?serviceToken=${token}`, {
      method: 'PUT',
      headers: { authorization: 'SSO' },
      body: 'v2',
    });
    assert.equal(again.status, 200);
    assert.equal(await (await fetch(url)).text(), 'my bytes');
    assert.equal(await (await fetch(await presigned('mine.txt'))).text(), 'v2');
    // HmacSHA256 and a metadata sub-resource; HEAD.
    const meta = await fetch(await presigned('mine.txt', { subResources: ['metadata'], signAlgorithm: 'HmacSHA256' }));
    assert.equal(meta.status, 200);
    assert.equal(meta.headers.get('x-xiaomi-meta-content-length'), '2');
    const head = await fetch(await presigned('mine.txt', { httpMethod: 'HEAD' }), { method: 'HEAD' });
    assert.equal(head.status, 200);
    // The URL does nothing but that read.
    const asPut = await fetch(url, { method: 'PUT', body: 'overwrite' });
    assert.equal(asPut.status, 403);
  });

  it('an object the caller may not read is refused, and so is anything but a read', async () => {
    const r = await jsGetPresignedUrl('owner-private.txt');
    assert.equal(r.status, 403);
    const text = await r.text();
    assert.match(text, /Object Access Denied/);
    assert.doesNotMatch(text, /Signature|owner secret/);
    // Once the owner grants READ on the object, it is allowed.
    await f.owner.ok('PUT', `/${B}/owner-private.txt?acl`, {
      body: JSON.stringify({ accessControlList: [{ grantee: { id: 'AUTHENTICATED_USERS' }, permission: 'READ', type: 'GROUP' }] }),
    });
    assert.equal(await (await fetch(await presigned('owner-private.txt'))).text(), 'owner secret');
    for (const p of [{ httpMethod: 'PUT' }, { httpMethod: 'DELETE' }, { subResources: ['acl'] }, { subResources: ['versionIds'] }]) {
      const no = await jsGetPresignedUrl('mine.txt', p);
      assert.equal(no.status, 403, JSON.stringify(p));
    }
    assert.equal((await jsGetPresignedUrl('missing.txt')).status, 404);
    // No credential at all: refused.
    const anon = await fetch(`${f.t.fdsUrl}/${B}/mine.txt?presignedUrl&expiration=&httpMethod=GET`);
    assert.equal(anon.status, 403);
  });

  it('expiry is capped at one day (also the default); bad parameters are 400 in the FDS shape', async () => {
    const before = Date.now();
    for (const expiration of [String(before + 30 * DAY), '']) {
      const url = new URL(await presigned('mine.txt', { expiration }));
      const exp = Number(url.searchParams.get('Expires'));
      assert.ok(exp <= Date.now() + SERVER_PRESIGN_MAX_MS && exp >= before + SERVER_PRESIGN_MAX_MS - 60_000, String(exp));
    }
    const short = new URL(await presigned('mine.txt', { expiration: String(before + 60_000) }));
    assert.equal(short.searchParams.get('Expires'), String(before + 60_000));
    const expired = await fetch(await presigned('mine.txt', { expiration: String(before - 1000) }));
    assert.equal(expired.status, 403);
    assert.match(await expired.text(), /Request Expired/);
    for (const p of [
      { expiration: '1e12' },
      { httpMethod: 'PATCH' },
      { signAlgorithm: 'RSA' },
      { signAlgorithm: 'constructor' },
      { signAlgorithm: '__proto__' },
      { subResources: ['Signature=x'] },
    ]) {
      const r = await jsGetPresignedUrl('mine.txt', p);
      assert.equal(r.status, 400, JSON.stringify(p));
      assert.equal(((await r.json()) as { error: string }).error, 'InvalidRequest');
    }
  });

  it('an OAuth storage-token caller (Authorization: OAuth, ?appId=&storageAccessToken=) gets the same reads', async () => {
    // A storage token as the exchange stores it (the exchange itself: storage-token-exchange.test.ts).
    const oauthToken = `oauth-presign-${'t'.repeat(30)}`;
    const now = Date.now();
    await new StorageTokensRepo(f.t.ctx.db.kysely).insert({
      id: 'presign-oauth-1',
      token_hash: sha256Hex(oauthToken),
      kind: 'oauth',
      app_id: '2882303761517000001',
      developer_id: null,
      provider: 'QQ',
      provider_app_id: '101364207',
      provider_user_id: 'qq-user-1',
      opal_user_id: null,
      grant_id: null,
      created_at: now,
      expires_at: now + 3600_000,
      revoked_at: null,
    });
    const cred = `appId=2882303761517000001&storageAccessToken=${oauthToken}`;
    const put = await fetch(`${f.t.fdsUrl}/${B}/oauth.txt?${cred}`, {
      method: 'PUT',
      headers: { authorization: 'OAuth' },
      body: 'oauth bytes',
    });
    assert.equal(put.status, 200, await put.clone().text());
    const ask = (object: string) =>
      fetch(
        `${f.t.fdsUrl}/${B}/${object}?presignedUrl&subResources=&expiration=&httpMethod=GET&enableCdn=false&enableHttps=false&signAlgorithm=HmacSHA1&${cred}`,
        {
          headers: { authorization: 'OAuth' },
        },
      );
    const r = await ask('oauth.txt');
    const text = await r.text();
    assert.equal(r.status, 200, text);
    assert.equal(await (await fetch(f.t.fdsUrl + text.slice(publicUrl.length))).text(), 'oauth bytes');
    // The SSO user's object is not this caller's to read.
    assert.equal((await ask('mine.txt')).status, 403);
  });

  it('a developer gets a URL under its own key, for reads and writes it may do', async () => {
    const exp = Date.now() + 7 * DAY;
    const r = await f.owner.send(
      'GET',
      `/${B}/dev.txt?presignedUrl&subResources=&expiration=${exp}&httpMethod=PUT&enableCdn=false&enableHttps=false&signAlgorithm=HmacSHA1`,
    );
    const text = await r.text();
    assert.equal(r.status, 200, text);
    assert.match(text, new RegExp(`GalaxyAccessKeyId=${f.ownerKey.accessKeyId}&Expires=${exp}&`));
    const put = await fetch(f.t.fdsUrl + text.slice(publicUrl.length), { method: 'PUT', body: Buffer.from('via url') }); // no Content-Type: none was signed
    assert.equal(put.status, 200);
    assert.equal(await (await f.owner.ok('GET', `/${B}/dev.txt`)).text(), 'via url');
    // The other developer may not write in this bucket, so it gets no URL for that.
    const other = await f.other.send('GET', `/${B}/dev.txt?presignedUrl&httpMethod=PUT`);
    assert.equal(other.status, 403);
  });
});
