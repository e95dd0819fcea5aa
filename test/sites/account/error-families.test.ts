// Each error family of the account origin renders Fastify's own request errors (validation
// failures, unreadable or oversized bodies) in its protocol's shape, through real HTTP: open-API
// envelopes (with the configured status mode), the token endpoint's &&&START&&& body, the passbook
// issuing API's envelope, RFC JSON errors, the friends API's JSON, and the HTML error page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer } from '../../helpers/env.ts';
import { type Fixture, type Jar, loggedInFixture } from '../../helpers/oauth.ts';

const json = (body: string, extra: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...extra },
  body,
});
/** Past the 64 KiB the account origin reads of an odd-typed or open-API body. */
const oversized = (type = 'application/x-www-form-urlencoded'): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': type },
  body: `a=${'x'.repeat(70 * 1024)}`,
});

describe('error families of the account origin', () => {
  let f: Fixture;
  let jar: Jar;
  before(async () => {
    ({ f, jar } = await loggedInFixture());
  });
  after(async () => {
    await f.t.close();
  });
  const answer = async (path: string, init?: RequestInit, through: Jar | undefined = undefined) => {
    const r = through ? await through.fetch(path, init) : await fetch(f.base + path, init);
    return {
      status: r.status,
      type: r.headers.get('content-type'),
      cache: r.headers.get('cache-control'),
      headers: r.headers,
      text: await r.text(),
    };
  };

  test('open API: an oversized body is a 96002 envelope with the mapped status', async () => {
    const r = await answer('/user/profile', oversized());
    assert.equal(r.status, 400);
    assert.equal(r.type, 'application/json;charset=UTF-8');
    assert.equal(r.cache, 'no-store');
    assert.equal(r.text, '{"result":"error","code":96002,"description":"invalid request: unreadable parameters"}');
  });

  test('token endpoint: unreadable and ill-typed bodies are 96002 at HTTP 200, prefixed', async () => {
    for (const init of [json('{bad'), json('[1,2]'), oversized('text/plain')]) {
      const r = await answer('/oauth2/token', init);
      assert.equal(r.status, 200);
      assert.equal(r.cache, 'no-store');
      assert.equal(r.headers.get('pragma'), 'no-cache');
      assert.equal(r.text, '&&&START&&&{"error":96002,"error_description":"invalid request: unreadable parameters"}');
    }
  });

  test('passbook issuing API: bad JSON and ill-typed fields are 400 envelopes saying what is wrong', async () => {
    const bad = await answer('/app/pass_plan/create', json('{bad'));
    assert.equal(bad.status, 400);
    assert.equal(bad.text, '{"result":"error","code":96002,"description":"invalid request: body is not valid JSON"}');
    const typed = await answer(
      '/app/pass_plan/create',
      json(JSON.stringify({ clientId: f.clientId, clientSecret: f.clientSecret, title: { nested: true } })),
    );
    assert.equal(typed.status, 400);
    assert.equal(typed.text, '{"result":"error","code":96002,"description":"invalid request: body/title must be string"}');
  });

  test('revocation (RFC 7009): unreadable and ill-typed bodies are RFC 6749 invalid_request, readable cross-origin', async () => {
    for (const init of [json('{bad'), json('{"token":{"a":1}}')]) {
      const r = await answer('/oauth2/revoke', init);
      assert.equal(r.status, 400);
      assert.equal(r.cache, 'no-store');
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      assert.equal(r.text, '{"error":"invalid_request","error_description":"unreadable parameters"}');
    }
  });

  test('/sts: a missing or wrong sid is invalid_sid before the session is looked at', async () => {
    for (const q of ['', '?sid=other', '?sid=other&sid=galaxy-fds']) {
      const r = await answer(`/sts${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.text, '{"error":"invalid_sid","error_description":"sid must be galaxy-fds"}');
    }
  });

  test('friends API: unreadable or ill-typed JSON is 400 with its documented message key', async () => {
    for (const body of ['{bad', '{"account":""}', '{"account":"   "}', `{"account":"${'a'.repeat(65)}"}`, '{"user":"bob"}', '']) {
      const r = await answer('/api/account/friends/requests', json(body), jar);
      assert.equal(r.status, 400, body);
      assert.equal(r.text, '{"error":"invalid_request","message":"body must be JSON: {\\"account\\": \\"<account name>\\"}"}');
    }
  });

  test('pages: an unreadable form and a malformed id are the HTML error page 96002', async () => {
    const form = await answer('/oauth2/authorize/decision', json('{bad'));
    const id = await answer(
      `/checkPassword?clientId=${f.clientId}&xmUserId=abc&callback=${encodeURIComponent('https://app.example.com/cb')}`,
    );
    for (const r of [form, id]) {
      assert.equal(r.status, 400);
      assert.equal(r.type, 'text/html; charset=utf-8');
      assert.equal(r.cache, 'no-store');
      assert.match(r.text, /Error code: 96002/);
    }
  });
});

test('openApiErrorStatus=200 also keeps request errors at HTTP 200', async () => {
  const t = await startTestServer({ env: { OPAL_OPEN_API_ERROR_STATUS: '200' } });
  try {
    const r = await fetch(`${t.accountUrl}/user/profile`, oversized());
    assert.equal(r.status, 200);
    assert.equal(await r.text(), '{"result":"error","code":96002,"description":"invalid request: unreadable parameters"}');
  } finally {
    await t.close();
  }
});
