// The bucket browser over real HTTP (cookie jar, CSRF, 303s) against the real FDS origin: a
// developer creates a bucket, uploads with the form that needs no JavaScript, pages through a
// listing with folders, makes a presigned link, opens an object to everyone with the ACL editor
// (an anonymous GET then reads it), deletes into the trash and restores, saves CORS and lifecycle
// rules, and uploads in parts through the presigned URLs the console signs. Another developer
// is refused every action on that bucket (the console's 404 page) and nothing changes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FdsKey } from '../../../../src/services/fds/keys.ts';
import { signedFetch } from '../../../../src/services/fds/signed-fetch.ts';
import { FORM_UPLOAD_MAX } from '../../../../src/sites/account/console/buckets-routes.ts';
import { bucketDeveloper, startBucketServer } from '../../../helpers/console-buckets.ts';
import type { TestServer } from '../../../helpers/env.ts';
import { hidden, type Jar } from '../../../helpers/oauth.ts';

const B = 'alice-files';

async function csrfOf(jar: Jar, path: string): Promise<string> {
  const r = await jar.fetch(path);
  assert.equal(r.status, 200, path);
  return hidden(await r.text(), 'csrf');
}

async function post(jar: Jar, path: string, form: Record<string, string>, csrfFrom = '/console/buckets'): Promise<Response> {
  return jar.fetch(path, { method: 'POST', form: { csrf: await csrfOf(jar, csrfFrom), ...form } });
}

async function formUpload(jar: Jar, prefix: string, name: string, bytes: Buffer): Promise<Response> {
  const fd = new FormData();
  fd.set('csrf', await csrfOf(jar, `/console/buckets/${B}`));
  fd.set('prefix', prefix);
  fd.set('file', new Blob([bytes], { type: 'text/plain' }), name);
  return jar.fetch(`/console/buckets/${B}/upload`, { method: 'POST', body: fd });
}

describe('the bucket browser over HTTP', () => {
  let t: TestServer;
  let alice: Jar;
  let bob: Jar;
  let aliceKey: FdsKey;
  const fds = (path: string, init?: RequestInit) => fetch(`${t.fdsUrl}${path}`, init);

  before(async () => {
    t = await startBucketServer();
    ({ jar: alice, key: aliceKey } = await bucketDeveloper(t, 'alice-buckets'));
    ({ jar: bob } = await bucketDeveloper(t, 'bob-buckets'));
    const r = await post(alice, '/console/buckets', { name: B });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), `/console/buckets/${B}?done=created`);
  });
  after(async () => t?.close());

  test('the form upload (no JavaScript), folders and pages of the listing', async () => {
    const r = await formUpload(alice, 'docs/', 'hello.txt', Buffer.from('hello bucket'));
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), `/console/buckets/${B}?prefix=docs%2F&done=uploaded`);
    const got = await signedFetch(t.fdsUrl, aliceKey, { method: 'GET', bucket: B, object: 'docs/hello.txt' });
    assert.equal(await got.text(), 'hello bucket');
    const rootPage = await alice.fetch(`/console/buckets/${B}`);
    // The page's script may send parts to the FDS origin, and only this page's policy allows it.
    const csp = rootPage.headers.get('content-security-policy') ?? '';
    assert.ok(csp.endsWith(`;connect-src 'self' ${new URL(t.fdsUrl).origin}`), csp);
    assert.match(csp, /^default-src 'self';/);
    assert.doesNotMatch((await alice.fetch('/console/buckets')).headers.get('content-security-policy') ?? '', /connect-src/);
    const root = await rootPage.text();
    assert.match(root, /href="\/console\/buckets\/alice-files\?prefix=docs%2F"/);
    for (let i = 0; i < 55; i++) {
      const body = `n${i}`;
      await (
        await signedFetch(t.fdsUrl, aliceKey, { method: 'PUT', bucket: B, object: `many/${String(i).padStart(2, '0')}`, body })
      ).text();
    }
    const page1 = await (await alice.fetch(`/console/buckets/${B}?prefix=many%2F`)).text();
    assert.equal((page1.match(/data-object="many\//g) ?? []).length, 50);
    const next = /id="next-page" href="([^"]+)"/.exec(page1)?.[1]?.replace(/&amp;/g, '&') ?? '';
    assert.ok(next.includes('marker='), next);
    const page2 = await (await alice.fetch(next)).text();
    assert.deepEqual(
      [...page2.matchAll(/data-object="(many\/\d+)"/g)].map((m) => m[1]),
      ['many/50', 'many/51', 'many/52', 'many/53', 'many/54'],
    );
    assert.doesNotMatch(page2, /id="next-page"/);
  });

  test('a form upload past the limit is refused and stores nothing', async () => {
    const r = await formUpload(alice, '', 'too-big.bin', Buffer.alloc(FORM_UPLOAD_MAX + 1, 1));
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location') ?? '', /\?error=/);
    const head = await signedFetch(t.fdsUrl, aliceKey, { method: 'HEAD', bucket: B, object: 'too-big.bin' }).catch((e) => e);
    assert.equal(head.status, 404);
  });

  test('presigned link, ACL editor, delete to the trash and restore', async () => {
    await formUpload(alice, '', 'pub.txt', Buffer.from('public soon'));
    const page = await (await alice.fetch(`/console/buckets/${B}/object?name=pub.txt&expires=900`)).text();
    const link = (/id="download" href="([^"]+)"/.exec(page)?.[1] ?? '').replace(/&amp;/g, '&');
    assert.ok(link.startsWith(`${t.fdsUrl}/${B}/pub.txt?GalaxyAccessKeyId=`), link);
    const expires = Number(new URL(link).searchParams.get('Expires'));
    assert.ok(Math.abs(expires - (Date.now() + 900_000)) < 60_000, 'the picked lifetime');
    assert.equal(await (await fetch(link)).text(), 'public soon');
    assert.equal((await fds(`/${B}/pub.txt`)).status, 403, 'not public yet');

    const objectPage = `/console/buckets/${B}/object?name=pub.txt`;
    let r = await post(
      alice,
      `/console/buckets/${B}/object`,
      { name: 'pub.txt', action: 'grant', grantee: 'ALL_USERS', permission: 'READ' },
      objectPage,
    );
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), `/console/buckets/${B}/object?name=pub.txt&done=granted`);
    const anon = await fds(`/${B}/pub.txt`);
    assert.equal(anon.status, 200);
    assert.equal(await anon.text(), 'public soon');
    assert.match(await (await alice.fetch(objectPage)).text(), /data-grant="ALL_USERS:READ"/);
    r = await post(
      alice,
      `/console/buckets/${B}/object`,
      { name: 'pub.txt', action: 'revoke', grantee: 'ALL_USERS', permission: 'READ' },
      objectPage,
    );
    assert.equal(r.status, 303);
    assert.equal((await fds(`/${B}/pub.txt`)).status, 403, 'private again');

    r = await post(alice, `/console/buckets/${B}/object`, { name: 'pub.txt', action: 'delete' }, objectPage);
    assert.equal(r.headers.get('location'), `/console/buckets/${B}?done=deleted`);
    assert.equal((await signedFetch(t.fdsUrl, aliceKey, { method: 'HEAD', bucket: B, object: 'pub.txt' }).catch((e) => e)).status, 404);
    const settings = await (await alice.fetch(`/console/buckets/${B}/settings`)).text();
    assert.match(settings, /data-trash="pub.txt"/);
    r = await post(alice, `/console/buckets/${B}/settings`, { action: 'restore', name: 'pub.txt' }, `/console/buckets/${B}/settings`);
    assert.equal(r.headers.get('location'), `/console/buckets/${B}/settings?done=restored`);
    const back = await signedFetch(t.fdsUrl, aliceKey, { method: 'GET', bucket: B, object: 'pub.txt' });
    assert.equal(await back.text(), 'public soon');
  });

  test('the bucket ACL, CORS and lifecycle editors write what FDS stores', async () => {
    const path = `/console/buckets/${B}/settings`;
    let r = await post(alice, path, { action: 'grant', grantee: 'user', userId: '123456', permission: 'READ' }, path);
    assert.equal(r.headers.get('location'), `${path}?done=granted`);
    const acl = await (await signedFetch(t.fdsUrl, aliceKey, { method: 'GET', bucket: B, query: 'acl' })).json();
    assert.ok(JSON.stringify(acl).includes('{"grantee":{"id":"123456"},"permission":"READ","type":"USER"}'), JSON.stringify(acl));
    r = await post(alice, path, { action: 'cors', config: '{"rules":[{"allowOrigin":"https://app.example"}]}' }, path);
    assert.equal(r.headers.get('location'), `${path}?done=saved`);
    const cors = await (await signedFetch(t.fdsUrl, aliceKey, { method: 'GET', bucket: B, query: 'cors=' })).json();
    assert.deepEqual(cors, { rules: [{ id: '1', allowOrigin: 'https://app.example' }] });
    const lifecycle = '{"rules":[{"enabled":true,"prefix":"tmp/","actions":{"expiration":{"days":7}}}]}';
    r = await post(alice, path, { action: 'lifecycle', config: lifecycle }, path);
    assert.equal(r.headers.get('location'), `${path}?done=saved`);
    assert.match(await (await alice.fetch(path)).text(), /&quot;prefix&quot;: &quot;tmp\/&quot;/);
    r = await post(alice, path, { action: 'lifecycle', config: '{"rules":[{"actions":{"explode":{}}}]}' }, path);
    assert.match(r.headers.get('location') ?? '', /\?error=/, 'FDS refusal shown');
    r = await post(alice, path, { action: 'cors', config: 'not json' }, path);
    assert.match(r.headers.get('location') ?? '', /\?error=cors/);
    // The CORS rule now applies: the console origin is not among the allowed ones.
    await post(alice, path, { action: 'cors', config: '' }, path);
  });

  test('a multipart upload through the URLs the console presigns', async () => {
    const csrf = await csrfOf(alice, `/console/buckets/${B}`);
    const size = 9 * 1024 * 1024 + 17;
    const bytes = Buffer.alloc(size, 7);
    const start = await alice.fetch(`/console/buckets/${B}/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ csrf, name: 'big/part.bin', size, type: 'application/x-test' }),
    });
    assert.equal(start.status, 200);
    const s = (await start.json()) as { partSize: number; parts: string[]; complete: string };
    assert.equal(s.parts.length, 2);
    const done = [];
    for (const [i, url] of s.parts.entries()) {
      const part = bytes.subarray(i * s.partSize, (i + 1) * s.partSize);
      const r = await fetch(url, { method: 'PUT', body: part, headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(r.status, 200);
      done.push(await r.json());
    }
    const c = await fetch(s.complete, {
      method: 'PUT',
      body: JSON.stringify({ uploadPartResultList: done }),
      headers: { 'content-type': 'application/x-test' },
    });
    assert.equal(c.status, 200, await c.clone().text());
    const got = await signedFetch(t.fdsUrl, aliceKey, { method: 'GET', bucket: B, object: 'big/part.bin' });
    assert.equal(got.headers.get('content-type'), 'application/x-test');
    assert.ok(Buffer.from(await got.arrayBuffer()).equals(bytes));
    const bad = await alice.fetch(`/console/buckets/${B}/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ csrf: 'wrong', name: 'x', size: 1 }),
    });
    assert.equal(bad.status, 403);
  });

  test('another developer is refused every action on the bucket, and nothing changes', async () => {
    const before = await (await signedFetch(t.fdsUrl, aliceKey, { method: 'GET', bucket: B, query: 'prefix=&maxKeys=1000' })).text();
    const bobCsrf = await csrfOf(bob, '/console/buckets');
    const bobList = await (await bob.fetch('/console/buckets')).text();
    assert.doesNotMatch(bobList, /alice-files/);
    for (const path of [`/console/buckets/${B}`, `/console/buckets/${B}/object?name=docs%2Fhello.txt`, `/console/buckets/${B}/settings`]) {
      assert.equal((await bob.fetch(path)).status, 404, path);
    }
    const posts: Array<[string, Record<string, string>]> = [
      [`/console/buckets/${B}/object`, { name: 'docs/hello.txt', action: 'delete' }],
      [`/console/buckets/${B}/object`, { name: 'docs/hello.txt', action: 'grant', grantee: 'ALL_USERS', permission: 'READ' }],
      [`/console/buckets/${B}/settings`, { action: 'grant', grantee: 'ALL_USERS', permission: 'FULL_CONTROL' }],
      [`/console/buckets/${B}/settings`, { action: 'cors', config: '{"rules":[]}' }],
      [`/console/buckets/${B}/settings`, { action: 'lifecycle', config: '{"rules":[]}' }],
      [`/console/buckets/${B}/settings`, { action: 'restore', name: 'pub.txt' }],
    ];
    for (const [path, form] of posts) {
      const r = await bob.fetch(path, { method: 'POST', form: { csrf: bobCsrf, ...form } });
      assert.equal(r.status, 404, `${path} ${form.action}`);
    }
    const fd = new FormData();
    fd.set('csrf', bobCsrf);
    fd.set('prefix', '');
    fd.set('file', new Blob(['bob was here']), 'bob.txt');
    assert.equal((await bob.fetch(`/console/buckets/${B}/upload`, { method: 'POST', body: fd })).status, 404);
    const start = await bob.fetch(`/console/buckets/${B}/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ csrf: bobCsrf, name: 'bob.bin', size: 10 }),
    });
    assert.equal(start.status, 404);
    const after = await (await signedFetch(t.fdsUrl, aliceKey, { method: 'GET', bucket: B, query: 'prefix=&maxKeys=1000' })).text();
    assert.equal(after, before);
    assert.equal((await fds(`/${B}/docs/hello.txt`)).status, 403, 'still private');
    const acl = await (await signedFetch(t.fdsUrl, aliceKey, { method: 'GET', bucket: B, query: 'acl' })).text();
    assert.doesNotMatch(acl, /ALL_USERS/);
  });

  test('forms without the CSRF token change nothing', async () => {
    const r = await alice.fetch(`/console/buckets/${B}/object`, { method: 'POST', form: { name: 'docs/hello.txt', action: 'delete' } });
    assert.equal(r.status, 403);
    const still = await signedFetch(t.fdsUrl, aliceKey, { method: 'GET', bucket: B, object: 'docs/hello.txt' });
    assert.equal(await still.text(), 'hello bucket');
  });
});
