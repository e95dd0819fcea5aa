// The client tolerances of the account origin, each in its one place: repeated parameters take the
// first value (src/http/params.ts), the token endpoint merges query and body with the body winning
// (core/account/params.ts), OAuth endpoints read any content type as a form and open APIs keep their
// bodies raw (sites/account/client-quirks.ts), and the MAC host names (open/mac-check.ts macHosts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { firstOfRepeats } from '../../../src/http/params.ts';
import { macHosts } from '../../../src/sites/account/open/mac-check.ts';
import { openRequest } from '../../../src/sites/account/open/request.ts';
import { type Fixture, fixture, PREFIX } from '../../helpers/oauth.ts';

const CB = 'https://app.example.com/cb';

test('firstOfRepeats keeps the first of repeated values and leaves the rest alone', () => {
  assert.deepEqual(firstOfRepeats({ a: ['1', '2'], b: 'x', n: 3, o: { k: 'v' } }), { a: '1', b: 'x', n: 3, o: { k: 'v' } });
});

test('macHosts: each request host without and with its port first, then the configured names, once each', () => {
  assert.deepEqual(macHosts(['open.account.xiaomi.com', 'api.passbook.xiaomi.com', 'opal.test'], ['Opal.test:8080', 'opal.test']), [
    'Opal.test',
    'opal.test',
    'Opal.test:8080',
    'open.account.xiaomi.com',
    'api.passbook.xiaomi.com',
  ]);
  assert.deepEqual(macHosts([], ['[::1]:80']), ['[::1]', '[::1]:80']);
});

test('openRequest: the host Fastify derives (the forwarded one behind a trusted proxy) before the Host header', () => {
  const req = (host: string, header: string) =>
    ({ url: '/user/profile?a=1', method: 'GET', host, headers: { host: header } }) as unknown as FastifyRequest;
  assert.deepEqual(openRequest(req('id.example.com', 'opal-upstream:7000'), '').hosts, ['id.example.com', 'opal-upstream:7000']);
  assert.deepEqual(openRequest(req('opal.test:8080', 'opal.test:8080'), '').hosts, ['opal.test:8080']);
});

describe('client tolerances over HTTP', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(async () => {
    await f.t.close();
  });
  const code = () => f.t.ctx.services.oauth.issueCode({ clientId: f.clientId, userId: f.userId, scopes: [1], redirectUri: CB });
  const codeForm = async () =>
    new URLSearchParams({ client_id: f.clientId, client_secret: f.clientSecret, grant_type: 'authorization_code', code: await code() });
  const token = async (init: RequestInit, query = '') => (await fetch(`${f.base}/oauth2/token${query}`, init)).text();
  const accessToken = async () => (await f.t.ctx.services.oauth.redeemCode({ clientId: f.clientId, code: await code() })).accessToken;

  test('repeated parameters: the first value counts (token endpoint and open APIs)', async () => {
    const repeated = async () => `${await codeForm()}&grant_type=password&client_secret=wrong`;
    assert.match(await token({ method: 'GET' }, `?${await repeated()}`), /^&&&START&&&\{"access_token":/);
    const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: await repeated() };
    assert.match(await token(form), /"access_token"/);
    const good = await accessToken();
    const first = await fetch(`${f.base}/user/profile?clientId=${f.clientId}&token=${good}&token=nope`);
    assert.equal(((await first.json()) as { code: number }).code, 0);
    const second = await fetch(`${f.base}/user/profile?clientId=${f.clientId}&token=nope&token=${good}`);
    assert.equal(((await second.json()) as { code: number }).code, 96008);
  });

  test('token endpoint: query and body merged, the body wins', async () => {
    const form = await codeForm();
    const query = new URLSearchParams({ client_id: f.clientId, client_secret: 'wrong', grant_type: 'refresh_token' });
    const r = await token({ method: 'POST', body: form }, `?${query}`);
    assert.match(r, /^&&&START&&&\{"access_token":/);
  });

  test('OAuth endpoints read a form of any content type (text/plain, octet-stream)', async () => {
    for (const type of ['text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded; charset=GBK']) {
      const r = await token({ method: 'POST', headers: { 'content-type': type }, body: String(await codeForm()) });
      assert.ok(r.startsWith(`${PREFIX}{"access_token":`), `${type}: ${r}`);
    }
  });

  test('open APIs read parameters from the query and form bodies only; other bodies stay raw text', async () => {
    const t = await accessToken();
    const post = (type: string, body: string) =>
      fetch(`${f.base}/user/profile?clientId=${f.clientId}`, { method: 'POST', headers: { 'content-type': type }, body });
    const form = await post('application/x-www-form-urlencoded', `token=${t}`);
    assert.equal(((await form.json()) as { code: number }).code, 0);
    for (const [type, body] of [
      ['application/json', JSON.stringify({ token: t })],
      ['text/plain', `token=${t}`],
    ] as const) {
      const r = await post(type, body);
      assert.equal(await r.text(), '{"result":"error","code":96002,"description":"invalid request: missing token"}', type);
    }
  });
});
