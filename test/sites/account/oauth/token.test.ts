// /oauth2/token through real HTTP: account-protocol §13 items 1–6 and 21, §4.1–§4.6.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sha256Hex } from '../../../../src/lib/hash.ts';
import { dbBackends } from '../../../helpers/env.ts';
import { type Fixture, fixture, PREFIX, parseTokenBody } from '../../../helpers/oauth.ts';

const REDIRECT = 'https://app.example.com/cb';

for (const backend of dbBackends())
  describe(`/oauth2/token (${backend})`, () => {
    let f: Fixture;
    before(async () => {
      f = await fixture({ backend, redis: true });
    });
    after(async () => {
      await f.t.close();
    });

    const mint = (scopes = [1, 3]) =>
      f.t.ctx.services.oauth.issueCode({ clientId: f.clientId, userId: f.userId, scopes, redirectUri: REDIRECT });
    const get = (q: Record<string, string>) => fetch(`${f.base}/oauth2/token?${new URLSearchParams(q)}`);
    const codeQuery = (code: string, extra: Record<string, string> = {}) => ({
      client_id: f.clientId,
      redirect_uri: REDIRECT,
      client_secret: f.clientSecret,
      grant_type: 'authorization_code',
      code,
      token_type: 'mac',
      ...extra,
    });

    test('1. success body is exactly &&&START&&&{…} with the nine keys and their types', async () => {
      const r = await get(codeQuery(await mint()));
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('cache-control'), 'no-store');
      assert.match(r.headers.get('content-type') ?? '', /^application\/json;\s?charset=UTF-8$/i);
      const text = await r.text();
      assert.match(text, /^&&&START&&&\{.*\}$/s);
      assert.equal(text.endsWith('}'), true);
      const j = parseTokenBody(text);
      assert.deepEqual(Object.keys(j).sort(), [
        'access_token',
        'expires_in',
        'mac_algorithm',
        'mac_key',
        'openId',
        'refresh_token',
        'scope',
        'token_type',
        'union_id',
      ]);
      for (const k of ['access_token', 'refresh_token', 'scope', 'mac_key', 'openId', 'union_id']) assert.equal(typeof j[k], 'string', k);
      assert.equal(j.expires_in, 7776000);
      assert.equal(j.token_type, 'mac');
      assert.equal(j.mac_algorithm, 'HmacSHA1');
      assert.equal(j.scope, '1 3');
      for (const k of ['access_token', 'refresh_token', 'mac_key', 'openId', 'union_id'])
        assert.match(j[k] as string, /^[A-Za-z0-9_-]+$/, k);
      assert.equal((j.mac_key as string).length, 27);
      assert.equal('error' in j, false);
      // The token resolves for the open-API side, with the same ids and the derived MAC key.
      const info = await f.t.ctx.services.oauth.resolveAccessToken(j.access_token as string);
      assert.equal(info?.userId, f.userId);
      assert.equal(info?.clientId, f.clientId);
      assert.equal(info?.macKey, j.mac_key);
      assert.equal(info?.openId, j.openId);
      assert.equal(info?.unionId, j.union_id);
      assert.deepEqual(info?.scopes, [1, 3]);
    });

    test('2. error body: HTTP 200, integer error, description, no access_token', async () => {
      const r = await get(codeQuery('nope'));
      assert.equal(r.status, 200);
      const text = await r.text();
      assert.equal(text, '&&&START&&&{"error":96013,"error_description":"invalid authorization code"}');
    });

    test('error table of §4.1 / §9', async () => {
      const err = async (q: Record<string, string>) => parseTokenBody(await (await get(q)).text()).error;
      const full = codeQuery(await mint());
      const without = (k: string) => Object.fromEntries(Object.entries(full).filter(([n]) => n !== k));
      assert.equal(await err(without('client_id')), 96002);
      assert.equal(await err({ ...full, client_id: 'abc' }), 96001);
      assert.equal(await err({ ...full, client_id: '2882303761517999999' }), 96001);
      assert.equal(await err({ ...full, client_secret: 'wrong' }), 96003);
      assert.equal(await err(without('client_secret')), 96002);
      assert.equal(await err(without('grant_type')), 96002);
      assert.equal(await err({ ...full, grant_type: 'password' }), 96006);
      assert.equal(await err({ ...full, grant_type: 'client_credentials' }), 96006);
      assert.equal(await err(without('code')), 96002);
      assert.equal(await err({ ...full, redirect_uri: 'https://evil.example.com/cb' }), 96010);
      assert.equal(await err({ ...full, grant_type: 'refresh_token', refresh_token: '' }), 96002);
    });

    test('an unreadable body still gets the protocol error shape', async () => {
      const r = await fetch(`${f.base}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad' });
      assert.equal(r.status, 200);
      assert.equal(await r.text(), '&&&START&&&{"error":96002,"error_description":"invalid request: unreadable parameters"}');
    });

    test('3. GET, POST form, and POST with parameters in the query (body wins) all work', async () => {
      const g = parseTokenBody(await (await get(codeQuery(await mint()))).text());
      assert.equal(typeof g.access_token, 'string');
      const p = await fetch(`${f.base}/oauth2/token`, { method: 'POST', body: new URLSearchParams(codeQuery(await mint())) });
      assert.equal(typeof parseTokenBody(await p.text()).access_token, 'string');
      const q = await fetch(`${f.base}/oauth2/token?${new URLSearchParams(codeQuery(await mint()))}`, { method: 'POST' });
      assert.equal(typeof parseTokenBody(await q.text()).access_token, 'string');
      // Query says a wrong secret, body the right one: body wins.
      const both = await fetch(`${f.base}/oauth2/token?${new URLSearchParams({ ...codeQuery('x'), client_secret: 'wrong' })}`, {
        method: 'POST',
        body: new URLSearchParams({ client_secret: f.clientSecret, code: await mint() }),
      });
      assert.equal(typeof parseTokenBody(await both.text()).access_token, 'string');
    });

    test('4. client_secret sent unencoded with + and = (JustAuth) is accepted', async () => {
      let secret = '';
      for (let i = 0; i < 200 && !secret.includes('+'); i++) secret = await f.t.ctx.services.apps.rotateSecret(f.clientId);
      assert.ok(secret.includes('+') && secret.includes('='), secret);
      f.clientSecret = secret;
      const raw = `client_id=${f.clientId}&client_secret=${secret}&grant_type=authorization_code&code=${await mint()}&redirect_uri=${REDIRECT}`;
      const r = await fetch(`${f.base}/oauth2/token?${raw}`);
      const j = parseTokenBody(await r.text());
      assert.equal(typeof j.access_token, 'string', JSON.stringify(j));
    });

    test('5. code reuse, random code, expired code → 96013; codes live 10 minutes', async () => {
      const code = await mint();
      const first = parseTokenBody(await (await get(codeQuery(code))).text());
      assert.equal(typeof first.access_token, 'string');
      assert.equal(parseTokenBody(await (await get(codeQuery(code))).text()).error, 96013);
      assert.equal(parseTokenBody(await (await get(codeQuery('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'))).text()).error, 96013);
      const old = await mint();
      const row = await f.t.ctx.db.kysely
        .selectFrom('oauth_codes')
        .selectAll()
        .where('code_hash', '=', sha256Hex(old))
        .executeTakeFirstOrThrow();
      assert.equal(row.expires_at - row.created_at, 600_000);
      // Ten minutes pass.
      await f.t.ctx.db.kysely
        .updateTable('oauth_codes')
        .set({ expires_at: Date.now() - 1 })
        .where('code_hash', '=', sha256Hex(old))
        .execute();
      assert.equal(parseTokenBody(await (await get(codeQuery(old))).text()).error, 96013);
      // A code of another client is invalid for this one.
      const other = await f.t.ctx.services.apps.create({ name: 'Other', redirectUris: REDIRECT, scopes: [1] });
      const foreign = await f.t.ctx.services.oauth.issueCode({
        clientId: other.app.clientId,
        userId: f.userId,
        scopes: [1],
        redirectUri: REDIRECT,
      });
      assert.equal(parseTokenBody(await (await get(codeQuery(foreign))).text()).error, 96013);
    });

    test('code reuse revokes the tokens issued from that code', async () => {
      const code = await mint();
      const first = parseTokenBody(await (await get(codeQuery(code))).text());
      assert.ok(await f.t.ctx.services.oauth.resolveAccessToken(first.access_token as string));
      await get(codeQuery(code));
      assert.equal(await f.t.ctx.services.oauth.resolveAccessToken(first.access_token as string), undefined);
      const refresh = parseTokenBody(
        await (await get({ ...codeQuery(''), grant_type: 'refresh_token', refresh_token: first.refresh_token as string })).text(),
      );
      assert.equal(refresh.error, 96009);
    });

    test('strict mode (exactRedirect apps): the exchange must send the authorize-time redirect_uri', async () => {
      const registered = 'https://strict.example.com/cb;https://strict.example.com/other';
      const { app, clientSecret } = await f.t.ctx.services.apps.create({
        name: 'Strict',
        redirectUris: registered,
        scopes: [1],
        flags: { exactRedirect: true },
      });
      const strictMint = () =>
        f.t.ctx.services.oauth.issueCode({
          clientId: app.clientId,
          userId: f.userId,
          scopes: [1],
          redirectUri: 'https://strict.example.com/cb',
        });
      const exchange = async (code: string, redirectUri?: string) =>
        parseTokenBody(
          await (
            await get({
              client_id: app.clientId,
              client_secret: clientSecret,
              grant_type: 'authorization_code',
              code,
              ...(redirectUri === undefined ? {} : { redirect_uri: redirectUri }),
            })
          ).text(),
        );
      // Another registered URI, or none at all, is refused and leaves the code redeemable.
      const code = await strictMint();
      assert.equal((await exchange(code, 'https://strict.example.com/other')).error, 96010);
      assert.equal((await exchange(code)).error, 96010);
      assert.equal(typeof (await exchange(code, 'https://strict.example.com/cb')).access_token, 'string');
      // Lenient apps (the default) may send any valid redirect_uri, or none.
      assert.equal(typeof parseTokenBody(await (await get(codeQuery(await mint(), { redirect_uri: '' }))).text()).access_token, 'string');
    });

    test('6. refresh rotation: new pair, same ids; old refresh → 96009 (and family revoked); random → 96009', async () => {
      const first = parseTokenBody(await (await get(codeQuery(await mint()))).text());
      const refreshQuery = (rt: string) => ({
        client_id: f.clientId,
        redirect_uri: '',
        client_secret: f.clientSecret,
        grant_type: 'refresh_token',
        token_type: 'mac',
        refresh_token: rt,
      });
      const second = parseTokenBody(await (await get(refreshQuery(first.refresh_token as string))).text());
      assert.equal(typeof second.access_token, 'string');
      assert.notEqual(second.access_token, first.access_token);
      assert.notEqual(second.refresh_token, first.refresh_token);
      assert.notEqual(second.mac_key, first.mac_key);
      assert.equal(second.openId, first.openId);
      assert.equal(second.union_id, first.union_id);
      assert.equal(second.scope, first.scope);
      assert.deepEqual(Object.keys(second).sort(), Object.keys(first).sort());
      // The previous access token stays valid until its own expiry.
      assert.ok(await f.t.ctx.services.oauth.resolveAccessToken(first.access_token as string));
      assert.equal(
        await (await get(refreshQuery(first.refresh_token as string))).text(),
        '&&&START&&&{"error":96009,"error_description":"invalid refresh token"}',
      );
      // Reuse of a rotated-out refresh token revoked the family: the newest pair is dead too.
      assert.equal(await f.t.ctx.services.oauth.resolveAccessToken(second.access_token as string), undefined);
      assert.equal(parseTokenBody(await (await get(refreshQuery(second.refresh_token as string))).text()).error, 96009);
      assert.equal(parseTokenBody(await (await get(refreshQuery('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'))).text()).error, 96009);
    });

    test('21. 19-digit client_id survives as a string end to end', async () => {
      assert.equal(f.clientId.length, 19);
      assert.ok(BigInt(f.clientId) > BigInt(Number.MAX_SAFE_INTEGER));
      const j = parseTokenBody(await (await get(codeQuery(await mint()))).text());
      const info = await f.t.ctx.services.oauth.resolveAccessToken(j.access_token as string);
      assert.equal(info?.clientId, f.clientId);
      const intro = await fetch(`${f.base}/oauth2/introspect`, {
        method: 'POST',
        body: new URLSearchParams({ client_id: f.clientId, client_secret: f.clientSecret, token: j.access_token as string }),
      });
      const text = await intro.text();
      assert.ok(text.includes(`"client_id":"${f.clientId}"`), text);
    });
  });

describe('/oauth2/token policies', () => {
  test('tokenPrefix=get-only: POST answers bare JSON, GET keeps the prefix; hyperos lifetimes', async () => {
    const f = await fixture({ env: { OPAL_TOKEN_PREFIX: 'get-only', OPAL_LIFETIME_PROFILE: 'hyperos' } });
    try {
      const mint = () => f.t.ctx.services.oauth.issueCode({ clientId: f.clientId, userId: f.userId, scopes: [1], redirectUri: REDIRECT });
      const q = async () => ({
        client_id: f.clientId,
        client_secret: f.clientSecret,
        grant_type: 'authorization_code',
        code: await mint(),
      });
      const post = await (await fetch(`${f.base}/oauth2/token`, { method: 'POST', body: new URLSearchParams(await q()) })).text();
      assert.equal(post.startsWith('{"access_token"'), true);
      assert.equal(JSON.parse(post).expires_in, 259200);
      const get = await (await fetch(`${f.base}/oauth2/token?${new URLSearchParams(await q())}`)).text();
      assert.equal(get.startsWith(PREFIX), true);
    } finally {
      await f.t.close();
    }
  });

  test('failed token requests are limited per IP', async () => {
    const f = await fixture();
    try {
      const bad = () => fetch(`${f.base}/oauth2/token?client_id=${f.clientId}&client_secret=x&grant_type=authorization_code&code=x`);
      for (let i = 0; i < 100; i++) await (await bad()).text();
      const r = await bad();
      assert.equal(r.status, 200);
      assert.ok(Number(r.headers.get('retry-after')) > 0);
      assert.match(await r.text(), /too many failed requests/);
    } finally {
      await f.t.close();
    }
  });
});
