// The official PHP and Java SDKs' code exchange and refresh, byte for byte on the wire (raw
// sockets: their exact request lines and headers), with their own prefix stripping and parsing;
// and a Logto-style POST client with its strict response guard (checked by hand).

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { javaFormEncode as javaForm, phpUrlencode } from '../../../../src/core/encoding.ts';
import { authorize, authorizeCode, type Fixture, type Jar, loggedInFixture } from '../../../helpers/oauth.ts';

const REDIRECT = 'https://app.example.com/cb';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `request` verbatim over TCP and reads one response (Content-Length framed). */
function raw(base: string, request: string): Promise<RawResponse> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(u.port), u.hostname);
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('timeout'));
    }, 5000);
    sock.on('error', reject);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      const len = Number(headers['content-length'] ?? -1);
      if (len < 0 || buf.length < end + 4 + len) return;
      clearTimeout(timer);
      sock.destroy();
      resolve({ status: Number(head[0]?.split(' ')[1]), headers, body: buf.subarray(end + 4, end + 4 + len).toString('utf8') });
    });
    sock.write(request, 'latin1');
  });
}

// ---- PHP SDK (XMOAuthClient + XMHttpClient::quickRequest + AccessToken) -----------------------

function phpBuildQueryString(params: Array<[string, string]>): string {
  // `if($val)`: empty values are left out.
  return params
    .filter(([, v]) => v !== '' && v !== '0')
    .map(([k, v]) => `${phpUrlencode(k)}=${phpUrlencode(v)}`)
    .join('&');
}

async function phpGetAccessToken(base: string, params: Array<[string, string]>) {
  const u = new URL(base);
  // curl: GET with the query appended, Host, Accept */*, the empty `Expect:` header is dropped.
  const res = await raw(base, `GET /oauth2/token?${phpBuildQueryString(params)} HTTP/1.1\r\nHost: ${u.host}\r\nAccept: */*\r\n\r\n`);
  assert.equal(res.status, 200);
  const json = JSON.parse(res.body.replaceAll('&&&START&&&', '')) as Record<string, unknown>; // str_replace + json_decode
  if ('error' in json) return { isError: true, error: json.error, errorDescription: json.error_description };
  return {
    isError: false,
    accessToken: json.access_token,
    tokenType: json.token_type,
    refreshToken: json.refresh_token,
    scope: json.scope,
    expiresIn: json.expires_in,
    macKey: json.mac_key,
    macAlgorithm: json.mac_algorithm,
    isMacType: typeof json.token_type === 'string' && json.token_type.toUpperCase() === 'MAC',
  };
}

// ---- Java SDK 1.0 (AuthorizationCodeGrantHelper / RefreshAccessTokenHelper, json-lib) ----------

class JSONException extends Error {}

function javaParse(entityContent: string) {
  // HttpResponseUtils.getEntityContent: StringUtils.replace(body, "&&&START&&&", "")
  const text = entityContent.replaceAll('&&&START&&&', '');
  // StringUtils.isBlank || !JSONUtils.mayBeJSON → "The response is not json format"
  if (text.trim() === '' || !(text.startsWith('{') && text.endsWith('}'))) throw new Error('The response is not json format');
  const json = JSON.parse(text) as Record<string, unknown>;
  const getString = (k: string) => {
    if (!(k in json) || json[k] === null) throw new JSONException(`JSONObject["${k}"] not found.`);
    return String(json[k]);
  };
  const getLong = (k: string) => {
    const v = json[k];
    const n = typeof v === 'number' ? v : Number(v);
    if (v === undefined || !Number.isFinite(n)) throw new JSONException(`JSONObject["${k}"] is not a number.`);
    return n;
  };
  if ('access_token' in json) {
    // new AccessToken(json)
    const tokenType = getString('token_type');
    const t = {
      tokenType,
      scope: getString('scope'),
      token: getString('access_token'),
      macKey: tokenType === 'mac' ? getString('mac_key') : undefined,
      macAlgorithm: tokenType === 'mac' ? getString('mac_algorithm') : undefined,
      expiresIn: getLong('expires_in'),
      refreshToken: getString('refresh_token'),
      openId: typeof json.openId === 'string' ? json.openId : '',
    };
    return { ok: true as const, token: t };
  }
  const e = json.error;
  const errorCode = typeof e === 'number' ? e : /^-?\d+$/.test(String(e)) ? Number(e) : -1; // optInt("error", -1)
  return { ok: false as const, errorCode, errorDesc: typeof json.error_description === 'string' ? json.error_description : '' };
}

async function javaGet(base: string, params: Array<[string, string]>) {
  const u = new URL(base);
  // URIBuilder.setParameters + HttpGet, Apache HttpClient 4.5 default headers.
  const query = params.map(([k, v]) => `${javaForm(k)}=${javaForm(v)}`).join('&');
  const res = await raw(
    base,
    `GET /oauth2/token?${query} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: Keep-Alive\r\nUser-Agent: Apache-HttpClient/4.5.14 (Java/17.0.13)\r\nAccept-Encoding: gzip,deflate\r\n\r\n`,
  );
  assert.equal(res.status, 200);
  return javaParse(res.body);
}

describe('official SDK clients against /oauth2/token', () => {
  let f: Fixture;
  let jar: Jar;
  before(async () => ({ f, jar } = await loggedInFixture()));
  after(() => f.t.close());
  const newCode = () =>
    authorizeCode(f, jar, { client_id: f.clientId, response_type: 'code', redirect_uri: REDIRECT, scope: '1 3', state: 'php' });

  test('PHP SDK: getAccessTokenByAuthorizationCode, getAccessTokenByRefreshToken, errors', async () => {
    const code = await newCode();
    const codeParams: Array<[string, string]> = [
      ['grant_type', 'authorization_code'],
      ['code', code],
      ['client_id', f.clientId],
      ['client_secret', f.clientSecret],
      ['redirect_uri', REDIRECT],
      ['token_type', 'mac'],
    ];
    const byCode = await phpGetAccessToken(f.base, codeParams);
    assert.equal(byCode.isError, false, JSON.stringify(byCode));
    assert.equal(byCode.isMacType, true);
    assert.equal(typeof byCode.accessToken, 'string');
    assert.equal(byCode.expiresIn, 7776000);
    assert.equal(byCode.scope, '1 3');
    assert.equal(byCode.macAlgorithm, 'HmacSHA1');
    assert.equal(typeof byCode.macKey, 'string');
    const refreshParams = (rt: string): Array<[string, string]> => [
      ['grant_type', 'refresh_token'],
      ['refresh_token', rt],
      ['client_id', f.clientId],
      ['client_secret', f.clientSecret],
      ['token_type', 'mac'],
      ['redirect_uri', REDIRECT],
    ];
    const refreshed = await phpGetAccessToken(f.base, refreshParams(byCode.refreshToken as string));
    assert.equal(refreshed.isError, false);
    assert.notEqual(refreshed.accessToken, byCode.accessToken);
    const again = await phpGetAccessToken(f.base, refreshParams(byCode.refreshToken as string));
    assert.deepEqual(again, { isError: true, error: 96009, errorDescription: 'invalid refresh token' });
    const reused = await phpGetAccessToken(f.base, codeParams);
    assert.deepEqual(reused, { isError: true, error: 96013, errorDescription: 'invalid authorization code' });
  });

  test('Java SDK 1.0: getAccessTokenByCode, refreshAccessToken, OAuthSdkException codes', async () => {
    const code = await newCode();
    const codeParams = (c: string): Array<[string, string]> => [
      ['client_id', f.clientId],
      ['redirect_uri', REDIRECT],
      ['client_secret', f.clientSecret],
      ['grant_type', 'authorization_code'],
      ['code', c],
      ['token_type', 'mac'],
    ];
    const first = await javaGet(f.base, codeParams(code));
    assert.equal(first.ok, true, JSON.stringify(first));
    if (!first.ok) return;
    assert.equal(first.token.tokenType, 'mac');
    assert.equal(first.token.macAlgorithm, 'HmacSHA1');
    assert.equal(first.token.expiresIn, 7776000);
    assert.ok(first.token.openId.length > 0);
    const refreshParams = (rt: string): Array<[string, string]> => [
      ['client_id', f.clientId],
      ['redirect_uri', REDIRECT],
      ['client_secret', f.clientSecret],
      ['grant_type', 'refresh_token'],
      ['token_type', 'mac'],
      ['refresh_token', rt],
    ];
    const second = await javaGet(f.base, refreshParams(first.token.refreshToken));
    assert.equal(second.ok, true);
    if (!second.ok) return;
    assert.equal(second.token.openId, first.token.openId);
    assert.deepEqual(await javaGet(f.base, refreshParams(first.token.refreshToken)), {
      ok: false,
      errorCode: 96009,
      errorDesc: 'invalid refresh token',
    });
    assert.deepEqual(await javaGet(f.base, codeParams(code)), { ok: false, errorCode: 96013, errorDesc: 'invalid authorization code' });
    // The SDK test: a random code → 96013.
    assert.deepEqual(await javaGet(f.base, codeParams('random-code-that-does-not-exist')), {
      ok: false,
      errorCode: 96013,
      errorDesc: 'invalid authorization code',
    });
  });

  test('Logto connector-xiaomi: POST form, prefix replace, strict guard', async () => {
    const code = await newCode();
    const formData = new URLSearchParams({
      client_id: f.clientId,
      client_secret: f.clientSecret,
      code,
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT,
    });
    const res = await fetch(`${f.base}/oauth2/token`, {
      method: 'POST',
      body: formData,
      headers: { accept: 'text/*' },
    });
    assert.equal(res.ok, true);
    const httpResponse = await res.text();
    const json: unknown = JSON.parse(httpResponse.replace('&&&START&&&', ''));
    // accessTokenResponseGuard: z.object({access_token, expires_in: number, refresh_token, scope, openId, union_id})
    assert.ok(json && typeof json === 'object' && !Array.isArray(json));
    const o = json as Record<string, unknown>;
    for (const k of ['access_token', 'refresh_token', 'scope', 'openId', 'union_id']) assert.equal(typeof o[k], 'string', k);
    assert.equal(typeof o.expires_in, 'number');
    assert.ok(Number.isInteger(o.expires_in));
    assert.ok((o.access_token as string).length > 0);
    // The authorize URL Logto builds (URLSearchParams with skip_confirm=false) is accepted too.
    const loc = await authorize(
      f,
      jar,
      new URLSearchParams({
        client_id: f.clientId,
        redirect_uri: REDIRECT,
        response_type: 'code',
        state: 'logto-state',
        scope: '1 3',
        skip_confirm: 'false',
      }).toString(),
    );
    assert.equal(new URL(loc).searchParams.get('state'), 'logto-state');
  });
});
