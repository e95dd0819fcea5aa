// The developer console and the OAuth playground over real HTTP (cookie jar, CSRF, 303s): a
// developer creates an app (secret shown once), signs in with it, and sees its usage; another
// developer can neither see nor touch it (every route answers the same 404 page and nothing
// changes); the live redirect check; the playground end to end (code → GET/POST exchange → each
// open API MAC-signed and accepted); item 8: the authorize error page explains a bad redirect_uri
// to the app's developer only, and a refused token request is audited and shown on the app page
// while the wire answer stays the Xiaomi one. The playground's exchanges spend the developer's
// token-failure budget, not the server address's, and an exchange the server cannot make is a
// playground error page (502), not a store outage.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FailureLimiter } from '../../../../src/services/throttle.ts';
import { PLAYGROUND_HEADER, playgroundPass } from '../../../../src/sites/account/oauth/playground-budget.ts';
import { startTestServer, type TestServer } from '../../../helpers/env.ts';
import { hidden, Jar, login, PREFIX } from '../../../helpers/oauth.ts';

const PASSWORD = 'console-Test-pass-42';

async function developer(t: TestServer, account: string) {
  return t.ctx.services.admin.createUser({ account, password: PASSWORD, nickname: account, role: 'developer' }, { actor: 'test' });
}

async function signedIn(t: TestServer, account: string): Promise<Jar> {
  const jar = new Jar(t.accountUrl);
  const r = await login(jar, account, PASSWORD);
  assert.equal(r.status, 303);
  return jar;
}

async function csrfOf(jar: Jar, path: string): Promise<string> {
  return hidden(await (await jar.fetch(path)).text(), 'csrf');
}

/** Creates an app through the console form; returns its client id and the secret shown once. */
async function createApp(jar: Jar, form: Record<string, string>): Promise<{ clientId: string; secret: string; page: string }> {
  const csrf = await csrfOf(jar, '/console');
  const r = await jar.fetch('/console/apps', { method: 'POST', form: { csrf, ...form } });
  assert.equal(r.status, 303);
  const loc = r.headers.get('location') ?? '';
  const clientId = /\/console\/apps\/(\d+)\?shown=/.exec(loc)?.[1] ?? '';
  assert.ok(clientId, `created: ${loc}`);
  const page = await (await jar.fetch(loc)).text();
  const secret = /id="client-secret">([^<]+)</.exec(page)?.[1] ?? '';
  return { clientId, secret, page };
}

/** Authorize (with consent) on a signed-in jar; returns the redirect Location. */
async function authorizeVia(jar: Jar, query: string): Promise<string> {
  let r = await jar.fetch(`/oauth2/authorize?${query}`);
  if (r.status === 302) return r.headers.get('location') ?? '';
  const html = await r.text();
  assert.equal(r.status, 200, html);
  r = await jar.fetch('/oauth2/authorize/decision', {
    method: 'POST',
    form: { csrf: hidden(html, 'csrf'), request: hidden(html, 'request'), uid: hidden(html, 'uid'), decision: 'allow' },
  });
  assert.equal(r.status, 303);
  return r.headers.get('location') ?? '';
}

/** A playground run up to its callback page (start with PKCE → authorize → callback). */
async function playgroundCallback(t: TestServer, jar: Jar, clientId: string): Promise<string> {
  const csrf = await csrfOf(jar, `/playground?app=${clientId}`);
  const start = await jar.fetch('/playground/start', {
    method: 'POST',
    form: { csrf, app: clientId, scope_1: 'on', response_type: 'code', pkce: 'S256' },
  });
  assert.equal(start.status, 303);
  const cb = await authorizeVia(jar, new URL(start.headers.get('location') ?? '', t.accountUrl).search.slice(1));
  return (await jar.fetch(cb)).text();
}

/** Posts the exchange of a callback page; returns the answer to the POST. */
function exchange(jar: Jar, cbPage: string): Promise<Response> {
  return jar.fetch('/playground/exchange', {
    method: 'POST',
    form: { csrf: hidden(cbPage, 'csrf'), code: hidden(cbPage, 'code'), state: hidden(cbPage, 'state'), method: 'GET' },
  });
}

describe('developer console and playground over HTTP', () => {
  let t: TestServer;
  let alice: Jar;
  let bob: Jar;
  let app: { clientId: string; secret: string };
  const CB = 'https://alice.example/cb';

  before(async () => {
    t = await startTestServer();
    await developer(t, 'alice-dev');
    await developer(t, 'bob-dev');
    await t.ctx.services.users.create({ account: 'plain-user', password: PASSWORD });
    alice = await signedIn(t, 'alice-dev');
    bob = await signedIn(t, 'bob-dev');
    app = await createApp(alice, {
      name: 'Alice App',
      redirectUris: `${CB}\n${t.accountUrl}/playground/callback`,
      scope_1: 'on',
      scope_2: 'on',
      scope_3: 'on',
      scope_4: 'on',
      scope_6: 'on',
      flag_allowImplicit: 'on',
      flag_emitUserId: 'on',
      flag_requireMac: 'on',
    });
  });
  after(async () => t?.close());

  test('signed out → the sign-in page; a plain user → 403; a developer → the console', async () => {
    const anon = new Jar(t.accountUrl);
    const r = await anon.fetch('/console');
    assert.equal(r.status, 302);
    assert.match(r.headers.get('location') ?? '', /^\/login\?return_to=%2Fconsole/);
    const plain = await signedIn(t, 'plain-user');
    assert.equal((await plain.fetch('/console')).status, 403);
    assert.equal((await plain.fetch('/playground')).status, 403);
    const page = await (await alice.fetch('/console')).text();
    assert.match(page, /Alice App/);
  });

  test('the created app works with the secret shown once, which is not shown again', async () => {
    assert.match(app.secret, /^\S{20,}$/);
    assert.equal(await t.ctx.services.apps.verifySecret(app.clientId, app.secret), true);
    const again = await (await alice.fetch(`/console/apps/${app.clientId}`)).text();
    assert.doesNotMatch(again, /client-secret/);
    const a = await t.ctx.services.apps.require(app.clientId);
    assert.deepEqual(a.scopes, [1, 2, 3, 4, 6]);
    assert.equal(a.flags.requireMac, true);
    assert.equal(a.flags.exactRedirect, false);
  });

  test('a redirect URI the matcher can never match is refused on submit, nothing created', async () => {
    const before = (await t.ctx.services.apps.list()).length;
    const csrf = await csrfOf(alice, '/console');
    const r = await alice.fetch('/console/apps', {
      method: 'POST',
      form: { csrf, name: 'Bad', redirectUris: 'https://u:p@evil.example/cb', scope_1: 'on' },
    });
    assert.equal(r.status, 303);
    const page = await (await alice.fetch(r.headers.get('location') ?? '')).text();
    assert.match(page, /id="form-error"/);
    assert.match(page, /u:p@evil\.example/);
    assert.equal((await t.ctx.services.apps.list()).length, before);
    const noCsrf = await alice.fetch('/console/apps', { method: 'POST', form: { name: 'X', redirectUris: CB, scope_1: 'on' } });
    assert.equal(noCsrf.status, 403);
  });

  test('the redirect check answers with the rule of each entry (same matcher as authorize)', async () => {
    const q = (uri: string, registered: string, exact = false) =>
      alice.fetch(`/console/redirect-check?${new URLSearchParams({ uri, registered, ...(exact ? { exact: '1' } : {}) })}`, {
        headers: { accept: 'application/json' },
      });
    const rules = async (uri: string, registered: string, exact = false) => {
      const v = (await (await q(uri, registered, exact)).json()) as { matches: boolean; entries: Array<{ rule: string }> };
      return [v.matches, ...v.entries.map((e) => e.rule)];
    };
    assert.deepEqual(await rules('https://a.example/cb/x', 'https://a.example/cb'), [true, 'ok']);
    assert.deepEqual(await rules('https://sub.a.example/cb', 'https://a.example/cb'), [true, 'ok']);
    assert.deepEqual(await rules('http://a.example/cb', 'https://a.example/cb'), [false, 'scheme']);
    assert.deepEqual(await rules('https://a.example:8443/cb', 'https://a.example/cb'), [false, 'port']);
    assert.deepEqual(await rules('https://b.example/cb', 'https://a.example/cb'), [false, 'host']);
    assert.deepEqual(await rules('https://a.example/other', 'https://a.example/cb\nhttps://b.example/'), [false, 'path', 'host']);
    assert.deepEqual(await rules('https://a.example/cb/x', 'https://a.example/cb', true), [false, 'exact']);
    assert.deepEqual(await rules('https://a.example/%2e%2e/cb', 'https://a.example/'), [false, 'malformed']);
    const html = await (
      await alice.fetch(
        `/console/redirect-check?uri=${encodeURIComponent('http://a.example/cb')}&registered=${encodeURIComponent('https://a.example/cb')}`,
      )
    ).text();
    assert.match(html, /<html/);
  });

  test('another developer can neither see nor touch the app', async () => {
    const id = app.clientId;
    assert.doesNotMatch(await (await bob.fetch('/console')).text(), /Alice App/);
    for (const page of [`/console/apps/${id}`, `/console/apps/${id}/bindings`, `/console/apps/${id}/passes`]) {
      assert.equal((await bob.fetch(page)).status, 404, page);
    }
    const csrf = await csrfOf(bob, '/console');
    for (const [path, form] of [
      [`/console/apps/${id}`, { name: 'Owned', redirectUris: 'https://bob.example/', scope_1: 'on' }],
      [`/console/apps/${id}/rotate-secret`, {}],
      [`/console/apps/${id}/fds-key`, {}],
      [`/console/apps/${id}/fds-key/revoke`, {}],
      [`/console/apps/${id}/delete`, { confirm: 'Alice App' }],
      ['/playground/start', { app: id, scope_1: 'on' }],
      [`/console/apps/${id}/bindings`, { provider: 'QQ', oauthAppId: '1234' }],
      [`/console/apps/${id}/passes/plans`, { title: 'Stolen plan' }],
      [`/console/apps/${id}/passes`, { planId: '1', user: 'bob-dev' }],
    ] as const) {
      const r = await bob.fetch(path, { method: 'POST', form: { csrf, ...form } });
      assert.equal(r.status, 404, path);
    }
    assert.doesNotMatch(await (await bob.fetch('/playground')).text(), /Alice App/);
    const a = await t.ctx.services.apps.require(id);
    assert.equal(a.name, 'Alice App');
    assert.equal(await t.ctx.services.apps.verifySecret(id, app.secret), true);
    assert.equal(await t.ctx.services.fdsKeys.forApp(id), undefined);
    assert.deepEqual(await t.ctx.services.storageTokens.listBindings(id), []);
    assert.deepEqual(await t.ctx.services.passbook.plans(id), []);
  });

  test('the playground: code → GET and POST exchange → each open API MAC-signed and accepted', async () => {
    for (const method of ['GET', 'POST']) {
      const csrf = await csrfOf(alice, `/playground?app=${app.clientId}`);
      const start = await alice.fetch('/playground/start', {
        method: 'POST',
        form: {
          csrf,
          app: app.clientId,
          scope_1: 'on',
          scope_2: 'on',
          scope_3: 'on',
          scope_4: 'on',
          scope_6: 'on',
          response_type: 'code',
          pkce: 'S256',
        },
      });
      assert.equal(start.status, 303);
      const authorizeUrl = new URL(start.headers.get('location') ?? '', t.accountUrl);
      assert.equal(authorizeUrl.searchParams.get('code_challenge_method'), 'S256');
      const cb = await authorizeVia(alice, authorizeUrl.search.slice(1));
      assert.ok(cb.startsWith(`${t.accountUrl}/playground/callback?code=`), cb);
      const cbPage = await (await alice.fetch(cb)).text();
      const code = hidden(cbPage, 'code');
      const x = await alice.fetch('/playground/exchange', {
        method: 'POST',
        form: { csrf: hidden(cbPage, 'csrf'), code, state: hidden(cbPage, 'state'), method },
      });
      assert.equal(x.status, 303);
      const run = await (await alice.fetch(x.headers.get('location') ?? '')).text();
      const raw =
        /id="raw-body">([^<]*)</
          .exec(run)?.[1]
          ?.replace(/&quot;/g, '"')
          .replace(/&amp;/g, '&') ?? '';
      assert.ok(raw.startsWith(PREFIX), raw);
      assert.match(raw, /"mac_key":/);
      assert.match(run, method === 'GET' ? /GET \/oauth2\/token\?/ : /POST \/oauth2\/token/);
      assert.match(run, /client_secret=\*{8}/);
      assert.doesNotMatch(run, new RegExp(app.secret.replace(/[+/=]/g, '.')));
      const calls = [...run.matchAll(/data-path="([^"]+)"[\s\S]*?class="mac">([^<]+)<[\s\S]*?class="response">([^<]*)</g)];
      assert.deepEqual(
        calls.map((c) => c[1]),
        ['/user/profile', '/user/openIdV2', '/user/phoneAndEmail', '/user/relation'],
      );
      for (const c of calls) assert.match(c[3] ?? '', /&quot;result&quot;:&quot;ok&quot;/, `${c[1]}: ${c[3]}`);
      // The server checked each MAC: the app requires one (requireMac) and a wrong one is refused.
      assert.match(run, /class="canonical">[^<]*\\n/);
    }
  });

  test('item 8: a bad redirect_uri is explained to the app developer only; the wire page stays 96010', async () => {
    const q = new URLSearchParams({ client_id: app.clientId, response_type: 'code', redirect_uri: 'https://evil.example/cb', scope: '1' });
    const own = await alice.fetch(`/oauth2/authorize?${q}`);
    assert.equal(own.status, 400);
    const ownHtml = await own.text();
    assert.match(ownHtml, /96010/);
    assert.match(ownHtml, /id="redirect-received">https:\/\/evil\.example\/cb</);
    assert.match(ownHtml, /alice\.example\/cb<\/code>: the host is neither/);
    for (const jar of [bob, new Jar(t.accountUrl)]) {
      const r = await jar.fetch(`/oauth2/authorize?${q}`);
      assert.equal(r.status, 400);
      const html = await r.text();
      assert.match(html, /96010/);
      assert.doesNotMatch(html, /redirect-received|alice\.example/);
    }
  });

  test('item 8: a refused token request keeps its wire answer, is audited and shown on the app page', async () => {
    const r = await fetch(
      `${t.accountUrl}/oauth2/token?client_id=${app.clientId}&client_secret=wrong&grant_type=authorization_code&code=nope`,
    );
    const body = await r.text();
    assert.equal(r.status, 200);
    assert.match(body, /^&&&START&&&\{"error":\d+,"error_description":"[^"]+"\}$/);
    const events = await t.ctx.services.audit.list({ clientId: app.clientId, type: 'oauth.token_refused' });
    assert.equal(events.length, 1);
    const code = String(JSON.parse(body.slice(PREFIX.length)).error);
    assert.equal(String(JSON.parse(events[0]?.detail ?? '{}').code), code);
    const page = await (await alice.fetch(`/console/apps/${app.clientId}`)).text();
    assert.match(page, new RegExp(`<table id="refusals">[\\s\\S]*<td>${code}</td>`));
  });

  test('usage: authorizations, tokens, refusals and open-API calls by endpoint and day', async () => {
    const page = await (await alice.fetch(`/console/apps/${app.clientId}`)).text();
    const day = new Date().toISOString().slice(0, 10);
    const count = (what: string) => Number(new RegExp(`<td>${day}</td><td>${what}</td><td>(\\d+)</td>`).exec(page)?.[1] ?? 0);
    assert.equal(count('authorizations'), 2);
    assert.equal(count('tokens issued'), 2);
    assert.equal(count('token requests refused'), 1);
    for (const p of ['/user/profile', '/user/openIdV2', '/user/phoneAndEmail', '/user/relation']) assert.equal(count(p), 2, p);
  });

  test('storage-token bindings: add and remove; pass plans: create, issue, revoke', async () => {
    const id = app.clientId;
    let csrf = await csrfOf(alice, `/console/apps/${id}/bindings`);
    let r = await alice.fetch(`/console/apps/${id}/bindings`, { method: 'POST', form: { csrf, provider: 'QQ', oauthAppId: '101234' } });
    assert.equal(r.status, 303);
    assert.deepEqual(
      (await t.ctx.services.storageTokens.listBindings(id)).map((b) => [b.provider, b.oauth_app_id]),
      [['QQ', '101234']],
    );
    assert.match(await (await alice.fetch(`/console/apps/${id}/bindings`)).text(), /<code>101234<\/code>/);
    const bad = await alice.fetch(`/console/apps/${id}/bindings`, { method: 'POST', form: { csrf, provider: 'Nope', oauthAppId: 'x' } });
    assert.match(bad.headers.get('location') ?? '', /error=other/);
    await alice.fetch(`/console/apps/${id}/bindings`, {
      method: 'POST',
      form: { csrf, action: 'remove', provider: 'QQ', oauthAppId: '101234' },
    });
    assert.deepEqual(await t.ctx.services.storageTokens.listBindings(id), []);

    csrf = await csrfOf(alice, `/console/apps/${id}/passes`);
    r = await alice.fetch(`/console/apps/${id}/passes/plans`, {
      method: 'POST',
      form: { csrf, title: 'Gold card', validStart: '2026-01-01', validEnd: '2027-01-01' },
    });
    assert.equal(r.headers.get('location'), `/console/apps/${id}/passes`);
    const [plan] = await t.ctx.services.passbook.plans(id);
    assert.equal(plan?.title, 'Gold card');
    assert.equal(plan?.validStartDate, Date.parse('2026-01-01T00:00:00Z'));
    r = await alice.fetch(`/console/apps/${id}/passes`, {
      method: 'POST',
      form: { csrf, planId: plan?.planId ?? '', user: 'plain-user', passCode: 'G-1' },
    });
    assert.equal(r.headers.get('location'), `/console/apps/${id}/passes`);
    const [pass] = await t.ctx.services.passbook.passes({ clientId: id });
    assert.equal(pass?.passCode, 'G-1');
    const none = await alice.fetch(`/console/apps/${id}/passes`, { method: 'POST', form: { csrf, planId: plan?.planId ?? '' } });
    assert.match(none.headers.get('location') ?? '', /error=other/);
    await alice.fetch(`/console/apps/${id}/passes`, { method: 'POST', form: { csrf, action: 'revoke', passId: pass?.passId ?? '' } });
    const [revoked] = await t.ctx.services.passbook.passes({ clientId: id, includeRevoked: true });
    assert.ok(revoked?.revokedAt);
    assert.match(await (await alice.fetch(`/console/apps/${id}/passes`)).text(), /Gold card/);
  });

  test('FDS access key: created and rotated with the secret shown once, then revoked', async () => {
    const id = app.clientId;
    const csrf = await csrfOf(alice, `/console/apps/${id}`);
    const shownAfter = async (path: string) => {
      const r = await alice.fetch(path, { method: 'POST', form: { csrf } });
      const page = await (await alice.fetch(r.headers.get('location') ?? '')).text();
      return { keyId: /id="fds-key-id">([^<]+)</.exec(page)?.[1], secret: /id="fds-secret">([^<]+)</.exec(page)?.[1] };
    };
    const created = await shownAfter(`/console/apps/${id}/fds-key`);
    const k = await t.ctx.services.fdsKeys.forApp(id);
    assert.deepEqual(created, { keyId: k?.accessKeyId, secret: k?.accessSecret });
    const rotated = await shownAfter(`/console/apps/${id}/fds-key`);
    assert.equal(rotated.keyId, created.keyId);
    assert.notEqual(rotated.secret, created.secret);
    assert.equal((await t.ctx.services.fdsKeys.lookup(created.keyId ?? ''))?.accessSecret, rotated.secret);
    const r = await alice.fetch(`/console/apps/${id}/fds-key/revoke`, { method: 'POST', form: { csrf } });
    assert.equal(r.status, 303);
    assert.equal(await t.ctx.services.fdsKeys.lookup(created.keyId ?? ''), undefined);
    assert.equal(await t.ctx.services.fdsKeys.forApp(id), undefined);
    const events = await t.ctx.services.audit.list({ clientId: id, type: 'app.fds_key_revoked' });
    assert.equal(events.length, 1);
  });

  test('secret rotation is shown once; delete needs the name', async () => {
    const csrf = await csrfOf(alice, `/console/apps/${app.clientId}`);
    const r = await alice.fetch(`/console/apps/${app.clientId}/rotate-secret`, { method: 'POST', form: { csrf } });
    const page = await (await alice.fetch(r.headers.get('location') ?? '')).text();
    const secret = /id="client-secret">([^<]+)</.exec(page)?.[1] ?? '';
    assert.equal(await t.ctx.services.apps.verifySecret(app.clientId, secret), true);
    assert.equal(await t.ctx.services.apps.verifySecret(app.clientId, app.secret), false);
    const wrong = await alice.fetch(`/console/apps/${app.clientId}/delete`, { method: 'POST', form: { csrf, confirm: 'nope' } });
    assert.match(wrong.headers.get('location') ?? '', /error=confirm/);
    assert.ok(await t.ctx.services.apps.find(app.clientId));
    const gone = await alice.fetch(`/console/apps/${app.clientId}/delete`, { method: 'POST', form: { csrf, confirm: 'Alice App' } });
    assert.equal(gone.headers.get('location'), '/console?deleted=1');
    assert.equal(await t.ctx.services.apps.find(app.clientId), undefined);
  });

  /** An app of Alice's for the playground tests (the app above is deleted by the test before). */
  let pgApp: { clientId: string } | undefined;
  const playgroundApp = async () => {
    pgApp ??= await createApp(alice, { name: 'Playground App', redirectUris: `${t.accountUrl}/playground/callback`, scope_1: 'on' });
    return pgApp;
  };

  test('playground exchanges spend the developer’s failure budget, not the server address’s', async () => {
    const limiter = new FailureLimiter(() => t.ctx.cache, 'token:fail', 100, 5 * 60_000);
    const userId = async (account: string) => (await t.ctx.services.users.find(account))?.userId ?? '';
    const { clientId } = await playgroundApp();
    const token = (headers: Record<string, string> = {}) =>
      fetch(`${t.accountUrl}/oauth2/token?client_id=${clientId}&client_secret=wrong&grant_type=authorization_code&code=x`, { headers });
    // The server's own address has used up its budget (as a developer's failed exchanges did, when
    // every playground shared it), and so has Bob's playground.
    for (let i = 0; i < 100; i++) {
      await limiter.reserve('127.0.0.1');
      await limiter.reserve(`playground:${await userId('bob-dev')}`);
    }
    assert.match(await (await token()).text(), /too many failed requests/);
    // A header not signed by this server changes nothing; Bob's own pass meets Bob's spent budget.
    assert.match(await (await token({ [PLAYGROUND_HEADER]: `${await userId('alice-dev')}.${'0'.repeat(64)}` })).text(), /too many failed/);
    const bobPass = playgroundPass(t.ctx.serverSecret, await userId('bob-dev'));
    assert.match(await (await token({ [PLAYGROUND_HEADER]: bobPass })).text(), /too many failed requests/);
    // Alice's playground still exchanges her code.
    const x = await exchange(alice, await playgroundCallback(t, alice, (await playgroundApp()).clientId));
    assert.equal(x.status, 303);
    const run = await (await alice.fetch(x.headers.get('location') ?? '')).text();
    assert.match(run, /id="raw-body">&amp;&amp;&amp;START&amp;&amp;&amp;\{&quot;access_token&quot;/);
  });

  test('a playground pass counts only on the server’s connection to itself, not from another address', async () => {
    const limiter = new FailureLimiter(() => t.ctx.cache, 'token:fail', 100, 5 * 60_000);
    const alicePass = playgroundPass(t.ctx.serverSecret, (await t.ctx.services.users.find('alice-dev'))?.userId ?? '');
    const { clientId } = await playgroundApp();
    for (let i = 0; i < 100; i++) await limiter.reserve('127.0.0.2'); // that address's budget is spent
    const url = new URL(`${t.accountUrl}/oauth2/token?client_id=${clientId}&client_secret=wrong&grant_type=authorization_code&code=x`);
    // Sent from 127.0.0.2 (another address of this host) with Alice's valid pass: the pass is
    // ignored and the address's spent budget answers.
    const body = await new Promise<string>((resolve, reject) => {
      const r = httpRequest(url, { localAddress: '127.0.0.2', headers: { [PLAYGROUND_HEADER]: alicePass } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve(text));
      });
      r.on('error', reject);
      r.end();
    });
    assert.match(body, /too many failed requests/);
  });

  test('an exchange the server cannot make is a playground error page (502), not a store outage', async () => {
    const cbPage = await playgroundCallback(t, alice, (await playgroundApp()).clientId);
    const server = t.server.apps.account?.server;
    assert.ok(server);
    // The exchange's own connection is the only one the listener accepts: the playground's request
    // to the token endpoint is closed at once.
    server.closeIdleConnections();
    await sleep(200);
    server.maxConnections = 1;
    try {
      const x = await exchange(alice, cbPage);
      const html = await x.text();
      assert.equal(x.status, 502, html);
      assert.match(html, /could not reach this server’s own token endpoint/);
    } finally {
      server.maxConnections = Number.POSITIVE_INFINITY;
    }
    // Nothing was redeemed: the same code still exchanges.
    const again = await exchange(alice, cbPage);
    assert.equal(again.status, 303);
    assert.match(await (await alice.fetch(again.headers.get('location') ?? '')).text(), /&quot;mac_key&quot;/);
  });
});
