// OpenID Connect with relying parties nobody here wrote, against a running Opal over real HTTP:
// openid-client (discovery, code + PKCE, id_token with nonce, userinfo, refresh, RP-initiated
// logout) and oauth4webapi (id_token claims, the hybrid response's c_hash and signature). The
// sign-in and consent are real form posts with the CSRF token (helpers/oauth.ts).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { authorize, codeOf, type Fixture, fixture, hidden, Jar, parseTokenBody } from '../../../helpers/oauth.ts';
import { seedApp } from '../../../helpers/seed.ts';

const REDIRECT = 'https://app.example.com/cb';
const BYE = 'https://app.example.com/bye';

let f: Fixture;
let unionId: string;

before(async () => {
  f = await fixture();
  // Ports are chosen by the OS: the issuer is the URL the server got.
  f.t.config.publicUrl = f.base;
  await f.t.ctx.services.oidc.configureClient(f.clientId, { postLogoutUris: BYE });
  const app = await f.t.ctx.services.apps.get(f.clientId);
  unionId = f.t.ctx.services.oauth.unionIdOf(app?.developerId ?? '', f.userId);
});
after(() => f.t.close());

const insecure = { execute: [client.allowInsecureRequests] };
const leftHalf = (v: string) => createHash('sha256').update(v).digest().subarray(0, 16).toString('base64url');

async function signIn(config: client.Configuration, jar: Jar, extra: Record<string, string> = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid profile email phone',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
    state,
    ...extra,
  });
  const location = await authorize(f, jar, url.search.slice(1));
  const tokens = await client.authorizationCodeGrant(config, new URL(location), {
    pkceCodeVerifier: verifier,
    expectedNonce: nonce,
    expectedState: state,
    idTokenExpected: true,
  });
  return { tokens, nonce };
}

describe('openid-client', () => {
  test('discovery, code + PKCE, id_token with nonce, userinfo, refresh, RP-initiated logout', async () => {
    const config = await client.discovery(new URL(f.base), f.clientId, undefined, client.ClientSecretBasic(f.clientSecret), insecure);
    assert.equal(config.serverMetadata().issuer, f.base);
    const jar = new Jar(f.base);
    const before = Math.floor(Date.now() / 1000);
    const { tokens, nonce } = await signIn(config, jar);
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, 'openid profile phone email');
    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.sub, unionId);
    assert.equal(claims.aud, f.clientId);
    assert.equal(claims.nonce, nonce);
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(claims.acr, '1');
    assert.ok(typeof claims.auth_time === 'number' && claims.auth_time >= before - 1 && claims.auth_time <= claims.iat);
    assert.equal(claims.at_hash, leftHalf(tokens.access_token));
    assert.equal(decodeProtectedHeader(tokens.id_token ?? '').alg, 'RS256');

    const info = await client.fetchUserInfo(config, tokens.access_token, unionId);
    assert.deepEqual(
      { sub: info.sub, name: info.name, email: info.email, email_verified: info.email_verified, phone: info.phone_number },
      { sub: unionId, name: 'Alice', email: 'alice@example.com', email_verified: true, phone: '13800000000' },
    );
    assert.match(String(info.picture), /^http:\/\/127\.0\.0\.1:\d+\/avatar\/default\.png$/);

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? '');
    const rc = refreshed.claims();
    assert.equal(rc?.sub, unionId);
    assert.equal(rc?.nonce, undefined);
    assert.equal(rc?.auth_time, claims.auth_time);
    assert.notEqual(refreshed.access_token, tokens.access_token);
    assert.equal((await client.fetchUserInfo(config, refreshed.access_token, unionId)).sub, unionId);

    // RP-initiated logout: the GET only asks; the confirmation form (CSRF) signs out.
    const end = client.buildEndSessionUrl(config, {
      id_token_hint: refreshed.id_token ?? '',
      post_logout_redirect_uri: BYE,
      state: 'bye-1',
    });
    const page = await jar.fetch(end.href);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.equal(
      (
        await jar.fetch(
          `/oauth2/authorize?${new URLSearchParams({ client_id: f.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', prompt: 'none' })}`,
        )
      ).status,
      302,
    );
    const confirm = await jar.fetch('/oauth2/end_session', {
      method: 'POST',
      form: {
        csrf: hidden(html, 'csrf'),
        client_id: hidden(html, 'client_id'),
        post_logout_redirect_uri: hidden(html, 'post_logout_redirect_uri'),
        state: hidden(html, 'state'),
      },
    });
    assert.equal(confirm.status, 303);
    assert.equal(confirm.headers.get('location'), `${BYE}?state=bye-1`);
    const none = await jar.fetch(
      `/oauth2/authorize?${new URLSearchParams({ client_id: f.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', prompt: 'none', state: 'n' })}`,
    );
    const back = new URL(none.headers.get('location') ?? '');
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT);
    assert.equal(back.searchParams.get('error'), 'login_required');
    assert.equal(back.searchParams.get('state'), 'n');
  });

  test('an unregistered post_logout_redirect_uri is refused and signs nobody out', async () => {
    const config = await client.discovery(new URL(f.base), f.clientId, undefined, client.ClientSecretPost(f.clientSecret), insecure);
    const jar = new Jar(f.base);
    const { tokens } = await signIn(config, jar);
    const end = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: 'https://evil.example/',
    });
    const r = await jar.fetch(end.href);
    assert.equal(r.status, 400);
    assert.ok(jar.cookies.has('serviceToken'));
  });

  test('key rotation: new id_tokens use the new key, earlier ones still verify against /jwks.json', async () => {
    const config = await client.discovery(new URL(f.base), f.clientId, undefined, client.ClientSecretBasic(f.clientSecret), insecure);
    const jar = new Jar(f.base);
    const first = (await signIn(config, jar)).tokens.id_token ?? '';
    const rotated = await f.t.ctx.services.oidc.keys.rotate();
    const second = (await signIn(config, jar)).tokens.id_token ?? '';
    const oldKid = decodeProtectedHeader(first).kid;
    const newKid = decodeProtectedHeader(second).kid;
    assert.notEqual(oldKid, newKid);
    assert.ok(rotated.some((k) => k.kid === newKid));
    const jwks = createRemoteJWKSet(new URL(`${f.base}/jwks.json`));
    for (const t of [first, second]) {
      const { payload } = await jwtVerify(t, jwks, { issuer: f.base, audience: f.clientId });
      assert.equal(payload.sub, unionId);
    }
  });
});

describe('oauth4webapi', () => {
  test('a public client (none + PKCE) with ES256 id_tokens; the hybrid response c_hash and signature', async () => {
    const pub = await seedApp(f.t.ctx, { name: 'SPA', redirectUris: REDIRECT, scopes: [1, 6], flags: { public: true } });
    await f.t.ctx.services.oidc.configureClient(pub.clientId, { idTokenAlg: 'ES256' });
    const opts = { [oauth.allowInsecureRequests]: true };
    const as = await oauth.processDiscoveryResponse(
      new URL(f.base),
      await oauth.discoveryRequest(new URL(f.base), { ...opts, algorithm: 'oidc' }),
    );
    const c: oauth.Client = { client_id: pub.clientId, id_token_signed_response_alg: 'ES256' };
    const verifier = oauth.generateRandomCodeVerifier();
    const nonce = oauth.generateRandomNonce();
    const state = oauth.generateRandomState();
    const q = new URLSearchParams({
      client_id: pub.clientId,
      redirect_uri: REDIRECT,
      response_type: 'code id_token',
      scope: 'openid email',
      nonce,
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const jar = new Jar(f.base);
    const location = await authorize(f, jar, q.toString());
    const fragment = new URLSearchParams(new URL(location).hash.slice(1));
    // Checks the detached signature: id_token signature (JWKS), nonce, state and c_hash.
    const params = await oauth.validateDetachedSignatureResponse(as, c, fragment, nonce, state, undefined, opts);
    const response = await oauth.authorizationCodeGrantRequest(as, c, oauth.None(), params, REDIRECT, verifier, opts);
    const result = await oauth.processAuthorizationCodeResponse(as, c, response, { expectedNonce: nonce, requireIdToken: true });
    const claims = oauth.getValidatedIdTokenClaims(result);
    assert.equal(claims?.nonce, nonce);
    assert.equal(decodeProtectedHeader(result.id_token ?? '').alg, 'ES256');
    assert.equal(result.scope, 'openid email');
    const { payload } = await jwtVerify(result.id_token ?? '', createRemoteJWKSet(new URL(`${f.base}/jwks.json`)), {
      issuer: f.base,
      audience: pub.clientId,
    });
    assert.equal(payload.at_hash, leftHalf(result.access_token));
  });
});

describe('beside the Xiaomi protocol', () => {
  test('a Xiaomi request gets the Xiaomi token body, without any OpenID Connect field', async () => {
    const jar = new Jar(f.base);
    const q = new URLSearchParams({
      client_id: f.clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'user/profile user/openIdV2',
      state: 'x',
    });
    const code = codeOf(await authorize(f, jar, q.toString()));
    const r = await fetch(
      `${f.base}/oauth2/token?${new URLSearchParams({ client_id: f.clientId, client_secret: f.clientSecret, grant_type: 'authorization_code', code })}`,
    );
    const body = parseTokenBody(await r.text());
    assert.deepEqual(Object.keys(body), [
      'access_token',
      'expires_in',
      'refresh_token',
      'scope',
      'token_type',
      'mac_key',
      'mac_algorithm',
      'openId',
      'union_id',
    ]);
    assert.equal(body.scope, '1 3');
  });

  test('with openid, unknown scopes are refused with invalid_scope; failed OIDC grants answer in the RFC shape', async () => {
    const jar = new Jar(f.base);
    const q = new URLSearchParams({
      client_id: f.clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid profile address',
      state: 's',
    });
    const back = new URL(await authorize(f, jar, q.toString()));
    assert.equal(back.searchParams.get('error'), 'invalid_scope');
    assert.equal(back.searchParams.get('state'), 's');
    const ok = new URLSearchParams({ client_id: f.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state: 's' });
    const code = codeOf(await authorize(f, jar, ok.toString()));
    const form = { client_id: f.clientId, client_secret: f.clientSecret, grant_type: 'authorization_code', code, redirect_uri: REDIRECT };
    const first = await fetch(`${f.base}/oauth2/token`, { method: 'POST', body: new URLSearchParams(form) });
    assert.equal(first.status, 200);
    assert.equal(typeof ((await first.json()) as Record<string, unknown>).id_token, 'string');
    const again = await fetch(`${f.base}/oauth2/token`, { method: 'POST', body: new URLSearchParams(form) });
    assert.equal(again.status, 400);
    assert.deepEqual(await again.json(), { error: 'invalid_grant', error_description: 'invalid authorization code' });
  });
});

describe('prompt, max_age, login_hint', () => {
  const ask = (extra: Record<string, string>) =>
    `/oauth2/authorize?${new URLSearchParams({ client_id: f.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid profile', state: 'p', ...extra })}`;

  test('prompt=login and an exceeded max_age send a signed-in user back to the sign-in page, with login_hint pre-filled', async () => {
    const jar = new Jar(f.base);
    await authorize(f, jar, ask({}).split('?')[1] ?? ''); // signed in, grant given
    const again = await jar.fetch(ask({}));
    assert.equal(again.status, 302);
    assert.ok(again.headers.get('location')?.startsWith(`${REDIRECT}?code=`), 'a covering grant skips the consent page');
    const cases: Array<Record<string, string>> = [
      { prompt: 'login', login_hint: 'alice' },
      { max_age: '0', login_hint: 'alice' },
    ];
    for (const extra of cases) {
      await new Promise((r) => setTimeout(r, 1100));
      const r = await jar.fetch(ask(extra));
      const login = new URL(r.headers.get('location') ?? '', f.base);
      assert.equal(login.pathname, '/login', JSON.stringify(extra));
      assert.equal(login.searchParams.get('switch'), '1');
      const page = await (await jar.fetch(login.pathname + login.search)).text();
      assert.match(page, /id="account" name="account" value="alice"/);
      // Coming back without signing in again still asks for a sign-in.
      const back = await jar.fetch(login.searchParams.get('return_to') ?? '');
      assert.equal(new URL(back.headers.get('location') ?? '', f.base).pathname, '/login');
    }
    // prompt=consent shows the consent page although a grant covers the scopes.
    const consent = await jar.fetch(ask({ prompt: 'consent' }));
    assert.equal(consent.status, 200);
    assert.match(await consent.text(), /data-scope="openid"/);
    // prompt=none with an old sign-in and max_age: login_required, no page.
    const none = await jar.fetch(ask({ prompt: 'none', max_age: '0' }));
    assert.equal(new URL(none.headers.get('location') ?? '').searchParams.get('error'), 'login_required');
  });

  test('prompt=none without a covering grant: consent_required', async () => {
    const other = await seedApp(f.t.ctx, { name: 'Other', redirectUris: REDIRECT, scopes: [1] });
    const jar = new Jar(f.base);
    await authorize(f, jar, ask({}).split('?')[1] ?? '');
    const r = await jar.fetch(
      `/oauth2/authorize?${new URLSearchParams({ client_id: other.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', prompt: 'none' })}`,
    );
    assert.equal(new URL(r.headers.get('location') ?? '').searchParams.get('error'), 'consent_required');
  });
});
