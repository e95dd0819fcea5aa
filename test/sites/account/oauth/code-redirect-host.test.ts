// A code from /oauth2/authorize is bound to the host of its redirect_uri (issue 11, finding 7):
// lenient apps may still send another path or parameters, or no redirect_uri, at the exchange
// (the SDKs need it), but a redirect_uri on another host is refused with 96004 invalid grant in the
// Xiaomi token error shape, and the code stays redeemable. checkPassword codes are not bound
// (account-protocol §7: "redeemable with any redirect_uri valid for the client").
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authorizeCode, type Fixture, fixture, Jar, login, PASSWORD, parseTokenBody } from '../../../helpers/oauth.ts';

describe('authorization codes are bound to the host of their redirect_uri', () => {
  let f: Fixture;
  let jar: Jar;
  let clientId = '';
  let clientSecret = '';
  before(async () => {
    f = await fixture();
    const created = await f.t.ctx.services.apps.create({
      name: 'Two hosts',
      redirectUris: 'https://app.example.com/cb;https://other.example.net/cb;https://example.org/',
      scopes: [1],
    });
    clientId = created.app.clientId;
    clientSecret = created.clientSecret;
    jar = new Jar(f.base);
    assert.equal((await login(jar, f.account, PASSWORD)).status, 303);
  });
  after(async () => {
    await f.t.close();
  });

  const code = (redirectUri: string) =>
    authorizeCode(f, jar, { client_id: clientId, response_type: 'code', redirect_uri: redirectUri, scope: '1' });
  const exchange = async (c: string, redirectUri?: string) => {
    const q = { client_id: clientId, client_secret: clientSecret, grant_type: 'authorization_code', code: c, token_type: 'mac' };
    const r = await fetch(
      `${f.base}/oauth2/token?${new URLSearchParams(redirectUri === undefined ? q : { ...q, redirect_uri: redirectUri })}`,
    );
    return { status: r.status, text: await r.text() };
  };

  test('another registered host is refused with 96004; the code then still redeems on its own host', async () => {
    const c = await code('https://app.example.com/cb');
    const refused = await exchange(c, 'https://other.example.net/cb');
    assert.equal(
      refused.text,
      '&&&START&&&{"error":96004,"error_description":"invalid grant: redirect_uri is not on the host the code was issued for"}',
    );
    const ok = parseTokenBody((await exchange(c, 'https://app.example.com/cb/deeper?from=sdk')).text);
    assert.equal(typeof ok.access_token, 'string');
  });

  test('a sibling subdomain of a registered domain is another host', async () => {
    const c = await code('https://a.example.org/cb');
    assert.equal(parseTokenBody((await exchange(c, 'https://b.example.org/cb')).text).error, 96004);
    assert.equal(typeof parseTokenBody((await exchange(c, 'https://A.example.org/')).text).access_token, 'string');
  });

  test('the lenient rule stays: no redirect_uri, or an empty one, redeems', async () => {
    assert.equal(typeof parseTokenBody((await exchange(await code('https://app.example.com/cb'))).text).access_token, 'string');
    assert.equal(typeof parseTokenBody((await exchange(await code('https://app.example.com/cb'), '')).text).access_token, 'string');
  });

  test('a checkPassword code (no authorize request) redeems with any redirect_uri valid for the app', async () => {
    const { userId } = f;
    const c = await f.t.ctx.services.oauth.issueCode({ clientId, userId, scopes: [1], redirectUri: 'https://app.example.com/xm/cb' });
    assert.equal(typeof parseTokenBody((await exchange(c, 'https://other.example.net/cb')).text).access_token, 'string');
  });
});
