// Beyond the Xiaomi protocol: PKCE (public apps), bearer tokens, RFC 7009 revocation, RFC 7662
// introspection, RFC 8414 metadata, the user's grants API, and revocation across nodes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createContext } from '../../../../src/context.ts';
import { s256 } from '../../../../src/core/account/pkce.ts';
import { startServer } from '../../../../src/server.ts';
import { createTestContext, PG_URL, REDIS_URL } from '../../../helpers/env.ts';
import { authorizeCode, type Fixture, type Jar, loggedInFixture, PASSWORD, parseTokenBody } from '../../../helpers/oauth.ts';
import { mint, seedApp, seedUser } from '../../../helpers/seed.ts';

const CB = 'https://app.example.com/cb';

describe('standards', () => {
  let f: Fixture;
  let jar: Jar;
  before(async () => ({ f, jar } = await loggedInFixture()));
  after(() => f.t.close());
  const token = async (params: Record<string, string>, init: RequestInit = {}) =>
    parseTokenBody(await (await fetch(`${f.base}/oauth2/token`, { method: 'POST', body: new URLSearchParams(params), ...init })).text());
  const codeFor = (clientId: string, extra: Record<string, string> = {}) =>
    authorizeCode({ ...f, clientId }, jar, { client_id: clientId, response_type: 'code', redirect_uri: CB, scope: '1', ...extra });
  /** Tokens of the fixture's app for its user, through authorize and the token endpoint. */
  const tokensOfTheApp = async () =>
    token({ client_id: f.clientId, client_secret: f.clientSecret, grant_type: 'authorization_code', code: await codeFor(f.clientId) });

  test('PKCE S256 is required for public apps; they need no secret', async () => {
    const { app } = await f.t.ctx.services.apps.create({ name: 'SPA', redirectUris: CB, scopes: [1], flags: { public: true } });
    const r = await jar.fetch(
      `/oauth2/authorize?client_id=${app.clientId}&response_type=code&redirect_uri=${encodeURIComponent(CB)}&state=s`,
    );
    assert.equal(r.status, 302);
    assert.match(r.headers.get('location') ?? '', /\?error=96002&/);
    const verifier = `${'a'.repeat(20)}${'B'.repeat(20)}-._~0123`;
    const code = await codeFor(app.clientId, { code_challenge: s256(verifier), code_challenge_method: 'S256' });
    assert.equal(
      (await token({ client_id: app.clientId, grant_type: 'authorization_code', code, code_verifier: `${verifier}x` })).error,
      96004,
    );
    const code2 = await codeFor(app.clientId, { code_challenge: s256(verifier), code_challenge_method: 'S256' });
    const res = await fetch(`${f.base}/oauth2/token`, {
      method: 'POST',
      headers: { origin: 'https://spa.example.com' },
      body: new URLSearchParams({ client_id: app.clientId, grant_type: 'authorization_code', code: code2, code_verifier: verifier }),
    });
    assert.equal(res.headers.get('access-control-allow-origin'), '*'); // browser apps can read it
    const ok = parseTokenBody(await res.text());
    assert.equal(typeof ok.access_token, 'string', JSON.stringify(ok));
    // A code minted without a challenge (e.g. by checkPassword) is refused for a public app.
    const bare = await f.t.ctx.services.oauth.issueCode({ clientId: app.clientId, userId: f.userId, scopes: [1], redirectUri: CB });
    assert.equal((await token({ client_id: app.clientId, grant_type: 'authorization_code', code: bare })).error, 96004);
  });

  test('PKCE is enforced for confidential apps that send a challenge', async () => {
    const verifier = 'v'.repeat(50);
    const code = await codeFor(f.clientId, { code_challenge: s256(verifier), code_challenge_method: 'S256' });
    assert.equal(
      (await token({ client_id: f.clientId, client_secret: f.clientSecret, grant_type: 'authorization_code', code })).error,
      96004,
    );
  });

  test('PKCE downgrades are refused: plain or no method at authorize, a verifier for a code without challenge', async () => {
    const verifier = 'w'.repeat(50);
    const authorizeError = async (extra: string) => {
      const r = await jar.fetch(
        `/oauth2/authorize?client_id=${f.clientId}&response_type=code&redirect_uri=${encodeURIComponent(CB)}&state=s&${extra}`,
      );
      assert.equal(r.status, 302);
      return new URL(r.headers.get('location') ?? '').searchParams;
    };
    for (const extra of [
      `code_challenge=${verifier}&code_challenge_method=plain`,
      `code_challenge=${verifier}`,
      `code_challenge=${s256(verifier)}&code_challenge_method=S512`,
    ]) {
      const q = await authorizeError(extra);
      assert.equal(q.get('error'), '96002', extra);
      assert.equal(q.get('code'), null);
    }
    assert.equal(
      (await authorizeError('code_challenge=x&code_challenge_method=plain')).get('error_description'),
      'invalid request: code_challenge_method must be S256',
    );
    // A code issued without a challenge does not redeem with a verifier (the challenge was stripped).
    const bare = await codeFor(f.clientId);
    const refused = await token({
      client_id: f.clientId,
      client_secret: f.clientSecret,
      grant_type: 'authorization_code',
      code: bare,
      code_verifier: verifier,
    });
    assert.equal(refused.error, 96004);
    assert.match(String(refused.error_description), /without code_challenge/);
    // The app flag allowPlainPkce admits plain: the verifier must equal the challenge.
    const { app, clientSecret } = await f.t.ctx.services.apps.create({
      name: 'Plain',
      redirectUris: CB,
      scopes: [1],
      flags: { allowPlainPkce: true },
    });
    const plain = { client_id: app.clientId, client_secret: clientSecret, grant_type: 'authorization_code' };
    const c1 = await codeFor(app.clientId, { code_challenge: verifier, code_challenge_method: 'plain' });
    assert.equal((await token({ ...plain, code: c1, code_verifier: `${verifier}x` })).error, 96004);
    const c2 = await codeFor(app.clientId, { code_challenge: verifier });
    assert.equal(typeof (await token({ ...plain, code: c2, code_verifier: verifier })).access_token, 'string');
  });

  test('bearer apps get bearer tokens (no mac fields); HTTP Basic client authentication works', async () => {
    const { app, clientSecret } = await f.t.ctx.services.apps.create({
      name: 'Bearer',
      redirectUris: CB,
      scopes: [1],
      flags: { bearer: true },
    });
    const code = await codeFor(app.clientId);
    const basic = Buffer.from(`${app.clientId}:${encodeURIComponent(clientSecret)}`).toString('base64');
    const j = await token({ grant_type: 'authorization_code', code }, { headers: { authorization: `Basic ${basic}` } });
    assert.equal(j.token_type, 'bearer', JSON.stringify(j));
    assert.equal('mac_key' in j, false);
    const info = await f.t.ctx.services.oauth.resolveAccessToken(j.access_token as string);
    assert.equal(info?.tokenType, 'bearer');
    assert.equal(info?.macKey, undefined);
  });

  test('RFC 7662 introspection (client-authenticated) and RFC 7009 revocation', async () => {
    const j = await tokensOfTheApp();
    const introspect = async (t: string, secret = f.clientSecret) =>
      fetch(`${f.base}/oauth2/introspect`, {
        method: 'POST',
        body: new URLSearchParams({ client_id: f.clientId, client_secret: secret, token: t }),
      });
    const i1 = await introspect(j.access_token as string);
    assert.equal(i1.status, 200);
    const b1 = (await i1.json()) as Record<string, unknown>;
    assert.equal(b1.active, true);
    assert.equal(b1.client_id, f.clientId);
    assert.equal(b1.scope, '1');
    assert.equal(b1.token_type, 'mac');
    assert.equal(b1.sub, j.openId);
    assert.equal(typeof b1.exp, 'number');
    assert.equal(((await (await introspect(j.refresh_token as string)).json()) as Record<string, unknown>).token_type, 'refresh_token');
    assert.equal((await introspect(j.access_token as string, 'wrong')).status, 401);
    // Another client learns nothing about this token.
    const other = await f.t.ctx.services.apps.create({ name: 'Other', redirectUris: CB, scopes: [1] });
    const foreign = await fetch(`${f.base}/oauth2/introspect`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: other.app.clientId, client_secret: other.clientSecret, token: j.access_token as string }),
    });
    assert.deepEqual(await foreign.json(), { active: false });
    // Revoking the refresh token revokes its family, access token included.
    const rev = await fetch(`${f.base}/oauth2/revoke`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: f.clientId,
        client_secret: f.clientSecret,
        token: j.refresh_token as string,
        token_type_hint: 'refresh_token',
      }),
    });
    assert.equal(rev.status, 200);
    assert.deepEqual(await (await introspect(j.access_token as string)).json(), { active: false });
    assert.equal(await f.t.ctx.services.oauth.resolveAccessToken(j.access_token as string), undefined);
    const unknown = await fetch(`${f.base}/oauth2/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: f.clientId, client_secret: f.clientSecret, token: 'nope' }),
    });
    assert.equal(unknown.status, 200);
    const unauth = await fetch(`${f.base}/oauth2/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: f.clientId, client_secret: 'x', token: 'nope' }),
    });
    assert.equal(unauth.status, 401);
    assert.equal(((await unauth.json()) as Record<string, unknown>).error, 'invalid_client');
  });

  test('RFC 8414 metadata', async () => {
    const r = await fetch(`${f.base}/.well-known/oauth-authorization-server`);
    const m = (await r.json()) as Record<string, unknown>;
    assert.equal(m.issuer, f.t.config.publicUrl);
    assert.equal(m.token_endpoint, `${f.t.config.publicUrl}/oauth2/token`);
    assert.deepEqual(m.code_challenge_methods_supported, ['S256']);
    assert.ok((m.response_types_supported as string[]).includes('code'));
  });

  test('grants API: list, revoke (CSRF-protected), tokens die at once, audit recorded', async () => {
    const j = await tokensOfTheApp();
    assert.ok(await f.t.ctx.services.oauth.resolveAccessToken(j.access_token as string)); // now cached
    const anon = await fetch(`${f.base}/api/account/grants`);
    assert.equal(anon.status, 401);
    const list = await jar.fetch('/api/account/grants');
    const body = (await list.json()) as { grants: Array<{ clientId: string; appName: string; scopes: number[] }>; csrfToken: string };
    const g = body.grants.find((x) => x.clientId === f.clientId);
    assert.equal(g?.appName, 'Example App');
    assert.ok(g?.scopes.includes(1));
    const grantId = (await f.t.ctx.services.oauth.getGrant(f.userId, f.clientId))?.grantId;
    assert.equal(typeof grantId, 'string');
    const events: unknown[] = [];
    f.t.ctx.services.oauth.onGrantRevoked((e) => events.push(e));
    await f.t.ctx.services.oauth.grantEventsReady();
    const noCsrf = await jar.fetch(`/api/account/grants/${f.clientId}`, { method: 'DELETE' });
    assert.equal(noCsrf.status, 403);
    assert.equal(await f.t.ctx.services.oauth.isGrantActive(f.clientId, f.userId), true);
    const del = await jar.fetch(`/api/account/grants/${f.clientId}`, { method: 'DELETE', headers: { 'x-csrf-token': body.csrfToken } });
    assert.equal(del.status, 204);
    assert.equal(await f.t.ctx.services.oauth.resolveAccessToken(j.access_token as string), undefined);
    assert.equal(await f.t.ctx.services.oauth.isGrantActive(f.clientId, f.userId), false);
    assert.equal(
      (
        await token({
          client_id: f.clientId,
          client_secret: f.clientSecret,
          grant_type: 'refresh_token',
          refresh_token: j.refresh_token as string,
        })
      ).error,
      96009,
    );
    assert.deepEqual(events, [{ grantId, clientId: f.clientId, userId: f.userId }]);
    assert.equal(
      (await jar.fetch(`/api/account/grants/${f.clientId}`, { method: 'DELETE', headers: { 'x-csrf-token': body.csrfToken } })).status,
      404,
    );
    const audit = await f.t.ctx.services.audit.list({ type: 'oauth.grant.revoke' });
    assert.equal(audit.length, 1);
  });
});

describe('revocation across nodes (shared database and Redis)', { skip: REDIS_URL ? false : 'set OPAL_TEST_REDIS_URL' }, () => {
  test('a grant revoked on node A stops the token on node B at once', async () => {
    // Nodes of a deployment share PostgreSQL (two contexts of one process on one SQLite file wait
    // for each other's write locks with a busy-wait that blocks the event loop both need).
    const a = await createTestContext({ redis: true, backend: PG_URL ? 'postgres' : 'sqlite' });
    const ctxB = await createContext(a.config, a.pgSchema ? { pgSchema: a.pgSchema } : {});
    const nodeB = await startServer(a.config, { ctx: ctxB, logger: false });
    try {
      const app = await seedApp(a.ctx, { name: 'Multi', redirectUris: CB, scopes: [1] });
      const u = await seedUser(a.ctx, { account: 'carol', password: PASSWORD });
      const t = await mint(a.ctx, app.clientId, u.userId, [1], CB);
      assert.ok(await ctxB.services.oauth.resolveAccessToken(t.accessToken)); // cached on B
      const seenOnB: unknown[] = [];
      ctxB.services.oauth.onGrantRevoked((e) => seenOnB.push(e));
      await ctxB.services.oauth.grantEventsReady();
      assert.equal(await a.ctx.services.oauth.revokeGrant(u.userId, app.clientId), true);
      const deadline = Date.now() + 2000;
      while ((await ctxB.services.oauth.resolveAccessToken(t.accessToken)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      assert.equal(await ctxB.services.oauth.resolveAccessToken(t.accessToken), undefined);
      while (seenOnB.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(seenOnB.length, 1);
    } finally {
      await nodeB.close();
      await ctxB.close();
      await a.close();
    }
  });
});
