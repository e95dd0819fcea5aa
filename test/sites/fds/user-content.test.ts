// User content on the FDS origin (issue 11, findings 1, 6, 7): every object GET/HEAD is sandboxed
// and nosniff; active types are attachments unless the bucket has a website configuration; only
// signed requests may override the served type or disposition; CORS never allows credentials.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SANDBOX, WEBSITE_SANDBOX } from '../../../src/core/fds/user-content.ts';
import { type FdsFixture, startFds } from '../../helpers/fds-fixture.ts';

const B = 'user-content';
const WEB = 'user-content-site';
const PUBLIC_READ = JSON.stringify({ accessControlList: [{ grantee: { id: 'ALL_USERS' }, permission: 'READ', type: 'GROUP' }] });
const HTML = '<!doctype html><script>document.cookie="opal_pre=x; path=/oauth2/authorize"</script>';

describe('FDS user content served to browsers', () => {
  let f: FdsFixture;

  async function putPublic(bucket: string, name: string, type: string, extra: Record<string, string> = {}, body = HTML): Promise<void> {
    await f.owner.ok('PUT', `/${bucket}/${name}`, { body, headers: { 'content-type': type, ...extra } });
    await f.owner.ok('PUT', `/${bucket}/${name}?acl=true`, { body: PUBLIC_READ });
  }

  before(async () => {
    f = await startFds({ buckets: [B, WEB] });
    await f.owner.ok('PUT', `/${WEB}?website=`, { body: JSON.stringify({ indexDocument: 'index.html' }) });
  });
  after(async () => {
    await f.close();
  });

  it('active types are sandboxed, nosniff attachments on GET, HEAD and ranged GET', async () => {
    const types = [
      'text/html; charset=utf-8',
      'TEXT/HTML',
      'application/xhtml+xml',
      'image/svg+xml',
      'text/xml',
      'application/xml',
      'application/atom+xml',
      'application/javascript',
      'text/javascript',
    ];
    for (const [i, type] of types.entries()) {
      await putPublic(B, `active-${i}`, type);
      for (const [method, headers] of [
        ['GET', {}],
        ['HEAD', {}],
        ['GET', { range: 'bytes=0-9' }],
      ] as const) {
        const r = await f.anon.send(method, `/${B}/active-${i}`, { headers });
        assert.ok(r.status === 200 || r.status === 206, `${type} ${method} ${r.status}`);
        assert.equal(r.headers.get('content-security-policy'), SANDBOX, type);
        assert.equal(r.headers.get('x-content-type-options'), 'nosniff', type);
        assert.equal(r.headers.get('content-disposition'), 'attachment', `${type} ${method}`);
        assert.equal(r.headers.get('content-type'), type, 'the stored type is kept');
        await r.arrayBuffer();
      }
    }
  });

  it("an uploader's inline disposition becomes an attachment with its filename; passive types keep theirs", async () => {
    await putPublic(B, 'page.html', 'text/html', { 'content-disposition': 'inline; filename="page.html"' });
    const r = await f.anon.send('GET', `/${B}/page.html`);
    assert.equal(r.headers.get('content-disposition'), 'attachment; filename="page.html"');
    await putPublic(B, 'pic.png', 'image/png', {}, 'png');
    const p = await f.anon.send('GET', `/${B}/pic.png`);
    assert.equal(p.headers.get('content-disposition'), null, 'images stay viewable');
    assert.equal(p.headers.get('content-security-policy'), SANDBOX);
    await putPublic(B, 'note.txt', 'text/plain', { 'content-disposition': 'inline' }, 'hello');
    assert.equal((await f.anon.send('GET', `/${B}/note.txt`)).headers.get('content-disposition'), 'inline');
  });

  it('anonymous readers cannot change the served type or disposition; signed requests can', async () => {
    await putPublic(B, 'plain.txt', 'text/plain', {}, '<script>alert(1)</script>');
    const anon = await f.anon.send('GET', `/${B}/plain.txt?response-content-type=text/html&response-content-disposition=inline`);
    assert.equal(anon.headers.get('content-type'), 'text/plain');
    assert.equal(anon.headers.get('content-disposition'), null);
    const anonHtml = await f.anon.send('GET', `/${B}/page.html?response-content-disposition=inline`);
    assert.equal(anonHtml.headers.get('content-disposition'), 'attachment; filename="page.html"');

    // Signed with the owner's key: the overrides hold, and an asked-for disposition is kept as asked.
    const signed = await f.owner.send(
      'GET',
      `/${B}/page.html?response-content-disposition=${encodeURIComponent('inline; filename="x.html"')}`,
    );
    assert.equal(signed.status, 200);
    assert.equal(signed.headers.get('content-disposition'), 'inline; filename="x.html"');
    assert.equal(signed.headers.get('content-security-policy'), SANDBOX, 'still sandboxed');

    // A presigned URL: the type override is honoured, and an active result is an attachment.
    const url = f.owner.presign({ bucket: B, object: 'plain.txt', expires: Date.now() + 60_000 });
    const asHtml = await fetch(`${url}&response-content-type=text/html`);
    assert.equal(asHtml.status, 200);
    assert.equal(asHtml.headers.get('content-type'), 'text/html');
    assert.equal(asHtml.headers.get('content-disposition'), 'attachment');
    const asPng = await fetch(`${url}&response-content-type=image/png`);
    assert.equal(asPng.headers.get('content-type'), 'image/png');
    assert.equal(asPng.headers.get('content-disposition'), null);
  });

  it('a bucket with a website configuration shows active content, in a sandbox that runs scripts', async () => {
    await putPublic(WEB, 'index.html', 'text/html');
    const r = await f.anon.send('GET', `/${WEB}/index.html`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-disposition'), null);
    assert.equal(r.headers.get('content-security-policy'), WEBSITE_SANDBOX);
    assert.doesNotMatch(WEBSITE_SANDBOX, /allow-same-origin|allow-top-navigation/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    // Without it again, back to attachments.
    await f.owner.ok('DELETE', `/${WEB}?website=`);
    assert.equal((await f.anon.send('GET', `/${WEB}/index.html`)).headers.get('content-disposition'), 'attachment');
    await f.owner.ok('PUT', `/${WEB}?website=`, { body: JSON.stringify({ indexDocument: 'index.html' }) });
  });

  it('CORS echoes the Origin without allowing credentials', async () => {
    const r = await f.anon.send('GET', `/${B}/pic.png`, { headers: { origin: 'https://evil.example' } });
    assert.equal(r.headers.get('access-control-allow-origin'), 'https://evil.example');
    assert.equal(r.headers.get('access-control-allow-credentials'), null);
    const o = await f.anon.send('OPTIONS', `/${B}/pic.png`, { headers: { origin: 'https://evil.example' } });
    assert.equal(o.status, 200);
    assert.equal(o.headers.get('access-control-allow-credentials'), null);
    assert.match(o.headers.get('access-control-allow-methods') ?? '', /GET/);
  });
});
