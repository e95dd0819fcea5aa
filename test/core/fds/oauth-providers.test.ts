// Pure provider logic: requests built per spec/oauth-providers.md, replies read in each
// provider's documented format, MAC signing against the account-protocol vectors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostCandidates, verifyMac } from '../../../src/core/account/mac-canonical.ts';
import { parseMacHeader } from '../../../src/core/account/mac-header.ts';
import {
  badReply,
  clip,
  idString,
  jsonObject,
  PROVIDER_IMPLS,
  PROVIDERS,
  parseExchangeParams,
  providerByName,
  rejected,
} from '../../../src/core/fds/oauth-providers/index.ts';
import { unwrapJsonp } from '../../../src/core/fds/oauth-providers/qq.ts';
import { PROFILE_PATH } from '../../../src/core/fds/oauth-providers/xiaomi.ts';
import { canonicalQuery, macHeader } from '../../../src/core/fds/oauth-providers/xiaomi-mac.ts';

const env = { baseUrl: 'https://api.example', nonce: '123:456' };
const input = { accessToken: 'tok-1', oauthAppId: '101364207' };

describe('QQ /oauth2.0/me', () => {
  it('unwraps the JSONP body byte-exactly as captured', () => {
    const body = 'callback( {"client_id":"101364207","openid":"805CFCB3AFEA40CA7CE4B6D8A8668793"} );\n';
    assert.equal(unwrapJsonp(body), '{"client_id":"101364207","openid":"805CFCB3AFEA40CA7CE4B6D8A8668793"}');
    assert.equal(unwrapJsonp('callback({"a":1});'), '{"a":1}');
    assert.equal(unwrapJsonp('{"a":1}'), '{"a":1}');
  });
  it('builds GET /oauth2.0/me with the token in the query', () => {
    const [r] = PROVIDER_IMPLS.QQ.requests({ ...input, accessToken: 'a+b/c' }, env);
    assert.deepEqual(r, { method: 'GET', url: 'https://api.example/oauth2.0/me?access_token=a%2Bb%2Fc', headers: {} });
  });
  it('reads client_id and openid', () => {
    const v = PROVIDER_IMPLS.QQ.interpret(input, [
      { status: 200, body: 'callback( {"client_id":"101364207","openid":"805CFCB3AFEA40CA7CE4B6D8A8668793"} );\n' },
    ]);
    assert.deepEqual(v, { ok: true, providerUserId: '805CFCB3AFEA40CA7CE4B6D8A8668793', providerAppId: '101364207' });
  });
  it('turns an error body (status 200) into a rejection naming the code', () => {
    const v = PROVIDER_IMPLS.QQ.interpret(input, [
      { status: 200, body: 'callback( {"error":100016,"error_description":"access token check failed"} );\n' },
    ]);
    assert.equal(v.ok, false);
    assert.ok(!v.ok && v.kind === 'rejected' && v.message.includes('100016'));
  });
  it('reports an unreadable reply as bad-reply', () => {
    const v = PROVIDER_IMPLS.QQ.interpret(input, [{ status: 502, body: '<html>bad gateway</html>' }]);
    assert.ok(!v.ok && v.kind === 'bad-reply');
  });
});

describe('Sina /oauth2/get_token_info', () => {
  it('POSTs the token as a form body', () => {
    const [r] = PROVIDER_IMPLS.Sina.requests(input, env);
    assert.equal(r?.method, 'POST');
    assert.equal(r?.url, 'https://api.example/oauth2/get_token_info');
    assert.equal(r?.body, 'access_token=tok-1');
    assert.equal(r?.headers['content-type'], 'application/x-www-form-urlencoded');
  });
  it('reads a numeric uid and a string or numeric appkey', () => {
    const real = '{"uid":5712659759,"appkey":"3748582991","scope":"","create_at":1536628583,"expire_in":157679936}';
    assert.deepEqual(PROVIDER_IMPLS.Sina.interpret(input, [{ status: 200, body: real }]), {
      ok: true,
      providerUserId: '5712659759',
      providerAppId: '3748582991',
    });
    const doc = '{"uid":1073880650,"appkey":1352222456,"scope":null,"create_at":1352267591,"expire_in":157679471}';
    assert.deepEqual(PROVIDER_IMPLS.Sina.interpret(input, [{ status: 200, body: doc }]), {
      ok: true,
      providerUserId: '1073880650',
      providerAppId: '1352222456',
    });
  });
  it('rejects error_code bodies and dead tokens', () => {
    const e = PROVIDER_IMPLS.Sina.interpret(input, [
      { status: 400, body: '{"error":"invalid_access_token","error_code":21332,"request":"/oauth2/get_token_info"}' },
    ]);
    assert.ok(!e.ok && e.kind === 'rejected' && e.message.includes('21332'));
    const dead = PROVIDER_IMPLS.Sina.interpret(input, [
      { status: 200, body: '{"uid":1,"appkey":"2","scope":"","create_at":1,"expire_in":0}' },
    ]);
    assert.ok(!dead.ok && dead.kind === 'rejected');
  });
  it('refuses a uid beyond 2^53 rather than rounding it', () => {
    const v = PROVIDER_IMPLS.Sina.interpret(input, [{ status: 200, body: '{"uid":18014398509481985,"appkey":"2","expire_in":5}' }]);
    assert.ok(!v.ok && v.kind === 'bad-reply');
  });
});

describe('RenRen /v2/user/login/get + /v2/app/get', () => {
  it('sends both calls with a Bearer header', () => {
    const rs = PROVIDER_IMPLS.RenRen.requests(input, env);
    assert.deepEqual(
      rs.map((r) => [r.method, r.url, r.headers.authorization]),
      [
        ['GET', 'https://api.example/v2/user/login/get', 'Bearer tok-1'],
        ['GET', 'https://api.example/v2/app/get', 'Bearer tok-1'],
      ],
    );
  });
  it('reads the user id and the app id', () => {
    const v = PROVIDER_IMPLS.RenRen.interpret(input, [
      { status: 200, body: '{"response":{"avatar":[],"basicInformation":null,"id":242164211,"name":"高阳","star":1}}' },
      { status: 200, body: '{"response":{"id":239085,"name":"x"}}' },
    ]);
    assert.deepEqual(v, { ok: true, providerUserId: '242164211', providerAppId: '239085' });
  });
  it('rejects the error shape', () => {
    const v = PROVIDER_IMPLS.RenRen.interpret(input, [
      { status: 401, body: '{"error":{"code":"invalid_authorization.EXPIRED-TOKEN","message":"x"}}' },
      { status: 401, body: '{"error":{"code":"invalid_authorization.EXPIRED-TOKEN","message":"x"}}' },
    ]);
    assert.ok(!v.ok && v.kind === 'rejected' && v.message.includes('EXPIRED-TOKEN'));
  });
});

describe('XiaoMi MAC-signed /user/profile', () => {
  it('sends the account-protocol §5.2 V2 vector header', () => {
    const token = 'eJxjYGAQydknLLCFsVyIR-DxSqdTnQFGfX4yDAwMjAzxQJIheJfnRTDtvAhMM8SE_2FgWDw7Rg3MYzdUMFIwVjABMplzE5MBClYRuw';
    const [r] = PROVIDER_IMPLS.XiaoMi.requests(
      { accessToken: token, oauthAppId: '179887661252608', macKey: 'ORhx44qK6Alqf8vt2rGB5f-oPq0' },
      { baseUrl: 'http://open.account.xiaomi.com', nonce: '2870867952176701445:23282360' },
    );
    assert.equal(r?.url, `http://open.account.xiaomi.com/user/profile?clientId=179887661252608&token=${token}`);
    // mac = vLXZ8fqoGPik4yqDj2XP2Mbd+is= (the spec's value), form-encoded like the Java SDK.
    assert.equal(
      r?.headers.authorization,
      `MAC access_token="${token}", nonce="2870867952176701445%3A23282360",mac="vLXZ8fqoGPik4yqDj2XP2Mbd%2Bis%3D"`,
    );
  });
  it('builds a request the open API MAC verifier accepts', () => {
    const [r] = PROVIDER_IMPLS.XiaoMi.requests(
      { accessToken: 'TOK+/=', oauthAppId: '2882303761517000000', macKey: 'KEY' },
      { baseUrl: 'http://127.0.0.1:8080', nonce: '-5:29000000' },
    );
    assert.ok(r);
    const url = new URL(r.url);
    assert.equal(`${url.origin}${url.pathname}`, 'http://127.0.0.1:8080/user/profile');
    assert.match(r.headers.authorization ?? '', /^MAC access_token="[^"]+", nonce="-5%3A29000000",mac="[^"]+"$/);
    const h = parseMacHeader(r.headers.authorization ?? '');
    assert.deepEqual(h && { accessToken: h.accessToken, nonce: h.nonce }, { accessToken: 'TOK+/=', nonce: '-5:29000000' });
    // What the open API's verifier sees: the request as sent and its Host header (with port).
    const seen = (host: string) => ({
      method: r.method,
      path: url.pathname,
      params: [...url.searchParams],
      rawQueryString: url.search.slice(1),
      hosts: hostCandidates([], host),
    });
    assert.equal(verifyMac('KEY', h?.nonce ?? '', h?.mac ?? '', seen('127.0.0.1:8080')), true);
    assert.equal(verifyMac('KEY', h?.nonce ?? '', h?.mac ?? '', seen('localhost:8080')), false);
    assert.equal(verifyMac('OTHER', h?.nonce ?? '', h?.mac ?? '', seen('127.0.0.1:8080')), false);
  });
  it('uses userId, else unionId; maps 96012 to wrong-app', () => {
    const ok = PROVIDER_IMPLS.XiaoMi.interpret(input, [
      { status: 200, body: '{"result":"ok","code":0,"description":"no error","data":{"unionId":"U1","userId":"42","miliaoNick":"n"}}' },
    ]);
    assert.deepEqual(ok, { ok: true, providerUserId: '42', providerAppId: input.oauthAppId });
    const union = PROVIDER_IMPLS.XiaoMi.interpret(input, [{ status: 200, body: '{"result":"ok","code":0,"data":{"unionId":"U1"}}' }]);
    assert.ok(union.ok && union.providerUserId === 'U1');
    const wrong = PROVIDER_IMPLS.XiaoMi.interpret(input, [
      { status: 401, body: '{"result":"error","code":96012,"description":"access denied"}' },
    ]);
    assert.ok(!wrong.ok && wrong.kind === 'wrong-app');
    const bad = PROVIDER_IMPLS.XiaoMi.interpret(input, [
      { status: 403, body: '{"result":"error","code":96008,"description":"token invalid or expired"}' },
    ]);
    assert.ok(!bad.ok && bad.kind === 'rejected');
  });
});

describe('exchange parameters (fds-protocol §2.4)', () => {
  const q = (o: Record<string, string>) => new Map(Object.entries(o));
  const base = { storageAccessToken: '', appId: '2882303761517000001', oauthAppId: '101', oauthAccessToken: 'tok', oauthProvider: 'QQ' };
  it('accepts the Android SDK parameter set', () => {
    const r = parseExchangeParams(q({ ...base, oauthProvider: 'XiaoMi', oauthMacKey: 'k', oauthMacAlgorithm: 'HmacSHA1' }));
    assert.ok(r.ok && r.params.provider === 'XiaoMi' && r.params.oauthMacKey === 'k');
  });
  it('names the first problem', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ ...base, appId: '' }, /missing parameter appId/],
      [{ ...base, oauthProvider: 'Facebook' }, /unknown oauthProvider/],
      [{ ...base, oauthProvider: 'XiaoMi' }, /oauthMacKey and oauthMacAlgorithm are required/],
      [{ ...base, oauthProvider: 'XiaoMi', oauthMacKey: 'k', oauthMacAlgorithm: 'HmacSHA256' }, /HmacSHA1/],
      [{ ...base, oauthAccessToken: 'a b' }, /oauthAccessToken is malformed/],
      [{ ...base, appId: '../x' }, /appId is malformed/],
    ];
    for (const [params, re] of cases) {
      const r = parseExchangeParams(q(params));
      assert.ok(!r.ok, JSON.stringify(params));
      assert.match(r.message, re);
    }
  });
});

// Rules the mutation run of 2026-12-06 found unpinned: every message, kind and boundary of the
// reply readers, the shared helpers and the exchange parameters, exactly as the code answers now.
describe('shared reply helpers (types.ts)', () => {
  it('lists the four providers in registry order and finds them case-insensitively', () => {
    assert.deepEqual([...PROVIDERS], ['XiaoMi', 'QQ', 'Sina', 'RenRen']);
    assert.deepEqual(Object.keys(PROVIDER_IMPLS), ['XiaoMi', 'QQ', 'Sina', 'RenRen']);
    for (const p of PROVIDERS) assert.equal(PROVIDER_IMPLS[p].name, p);
    const found = ['xiaomi', 'XIAOMI', 'qq', 'Qq', 'sina', 'SINA', 'renren', 'RENREN', 'RenRen'].map(providerByName);
    assert.deepEqual(found, ['XiaoMi', 'XiaoMi', 'QQ', 'QQ', 'Sina', 'Sina', 'RenRen', 'RenRen', 'RenRen']);
    assert.equal(providerByName('Facebook'), undefined);
    assert.equal(providerByName(''), undefined);
  });

  it('jsonObject accepts only a JSON object', () => {
    assert.deepEqual(jsonObject('{"a":1}'), { a: 1 });
    for (const body of ['[]', '[{"a":1}]', 'null', '"s"', '5', 'true', '', '{', 'callback({})']) {
      assert.equal(jsonObject(body), undefined, body);
    }
  });

  it('idString takes a 1–128 character string or a non-negative safe integer', () => {
    assert.equal(idString('a'), 'a');
    assert.equal(idString('x'.repeat(128)), 'x'.repeat(128));
    assert.equal(idString('x'.repeat(129)), undefined);
    assert.equal(idString(''), undefined);
    assert.equal(idString(0), '0');
    assert.equal(idString(42), '42');
    assert.equal(idString(Number.MAX_SAFE_INTEGER), '9007199254740991');
    for (const v of [2 ** 53, -1, 1.5, Number.NaN, null, undefined, true, {}, ['1']]) assert.equal(idString(v), undefined, String(v));
  });

  it('clip prints non-strings as JSON, blanks control characters, trims and cuts at 120 characters', () => {
    assert.equal(clip('abc'), 'abc');
    assert.equal(clip(undefined), '""');
    assert.equal(clip(null), '""');
    assert.equal(clip(100016), '100016');
    assert.equal(clip({ a: 1 }), '{"a":1}');
    assert.equal(clip(' a\u0000b\u001fc\u007fd\ne\u0080 '), 'a b c d e\u0080');
    assert.equal(clip('\u0000x\u001f'), 'x');
    assert.equal(clip('x'.repeat(120)), 'x'.repeat(120));
    assert.equal(clip('x'.repeat(121)), `${'x'.repeat(120)}…`);
    assert.equal(clip('abcdef', 3), 'abc…');
    assert.equal(clip('abc', 3), 'abc');
  });

  it('rejected and badReply carry their kind and message', () => {
    assert.deepEqual(rejected('m'), { ok: false, kind: 'rejected', message: 'm' });
    assert.deepEqual(badReply('m'), { ok: false, kind: 'bad-reply', message: 'm' });
  });
});

describe('QQ reply reading, every branch', () => {
  const qq = PROVIDER_IMPLS.QQ;
  it('unwraps any callback name, spacing and newlines; anything else passes through trimmed', () => {
    for (const name of ['A', 'Z', 'a', 'z', '_', '$', 'a9', 'a_b', 'a$b', 'Zz09_$']) {
      assert.equal(unwrapJsonp(`${name}({"a":1})`), '{"a":1}', name);
    }
    assert.equal(unwrapJsonp('cb  (  {"a": 1}  )  ;'), '{"a": 1}');
    assert.equal(unwrapJsonp('cb(\n{"a":\n1}\n);\n'), '{"a":\n1}');
    assert.equal(unwrapJsonp('  {"a":1} \n'), '{"a":1}');
    assert.equal(unwrapJsonp('cb()'), 'cb()');
    for (const t of ['1cb({"a":1})', '-cb({"a":1})', 'c-b({"a":1})', 'x cb({"a":1})', 'cb({"a":1}) x', 'cb({"a":1});;', 'cb({"a":1}']) {
      assert.equal(unwrapJsonp(t), t, t);
    }
  });
  it('names each failure exactly', () => {
    const one = (status: number, body: string) => qq.interpret(input, [{ status, body }]);
    assert.deepEqual(qq.interpret(input, []), { ok: false, kind: 'bad-reply', message: 'QQ: no reply' });
    assert.deepEqual(one(502, '<html>bad gateway</html>'), {
      ok: false,
      kind: 'bad-reply',
      message: 'QQ /oauth2.0/me answered HTTP 502 with an unreadable body',
    });
    assert.deepEqual(one(200, 'callback( [1] );'), {
      ok: false,
      kind: 'bad-reply',
      message: 'QQ /oauth2.0/me answered HTTP 200 with an unreadable body',
    });
    assert.deepEqual(one(200, 'callback( {"error":100016,"error_description":"access token check failed"} );\n'), {
      ok: false,
      kind: 'rejected',
      message: 'QQ refused the token (100016: access token check failed)',
    });
    assert.deepEqual(one(200, '{"error":null,"client_id":"1","openid":"2"}'), {
      ok: false,
      kind: 'rejected',
      message: 'QQ refused the token ("": "")',
    });
    const missing = (status: number) => ({
      ok: false,
      kind: 'bad-reply',
      message: `QQ /oauth2.0/me answered HTTP ${status} without client_id and openid`,
    });
    assert.deepEqual(one(500, '{"client_id":"1","openid":"2"}'), missing(500));
    assert.deepEqual(one(200, '{"openid":"2"}'), missing(200));
    assert.deepEqual(one(200, '{"client_id":"1"}'), missing(200));
    assert.deepEqual(one(200, '{"client_id":"1","openid":""}'), missing(200));
    assert.deepEqual(one(200, '{"client_id":101364207,"openid":"2"}'), { ok: true, providerUserId: '2', providerAppId: '101364207' });
  });
});

describe('Sina reply reading, every branch', () => {
  const sina = PROVIDER_IMPLS.Sina;
  const one = (status: number, body: string) => sina.interpret(input, [{ status, body }]);
  it('sends exactly one form-encoded POST', () => {
    assert.deepEqual(sina.requests({ ...input, accessToken: 'a+b/c =' }, env), [
      {
        method: 'POST',
        url: 'https://api.example/oauth2/get_token_info',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'access_token=a%2Bb%2Fc%20%3D',
      },
    ]);
  });
  it('names each failure exactly; error_code or error alone is a refusal', () => {
    assert.deepEqual(sina.interpret(input, []), { ok: false, kind: 'bad-reply', message: 'Sina: no reply' });
    assert.deepEqual(one(502, 'bad gateway'), {
      ok: false,
      kind: 'bad-reply',
      message: 'Sina get_token_info answered HTTP 502 with an unreadable body',
    });
    assert.deepEqual(one(400, '{"error":"invalid_access_token","error_code":21332,"request":"/oauth2/get_token_info"}'), {
      ok: false,
      kind: 'rejected',
      message: 'Sina refused the token (21332: invalid_access_token)',
    });
    assert.deepEqual(one(200, '{"error_code":21327,"uid":1,"appkey":"2"}'), {
      ok: false,
      kind: 'rejected',
      message: 'Sina refused the token (21327: "")',
    });
    assert.deepEqual(one(200, '{"error":"expired_token","uid":1,"appkey":"2"}'), {
      ok: false,
      kind: 'rejected',
      message: 'Sina refused the token ("": expired_token)',
    });
    const missing = (status: number) => ({
      ok: false,
      kind: 'bad-reply',
      message: `Sina get_token_info answered HTTP ${status} without uid and appkey`,
    });
    assert.deepEqual(one(201, '{"uid":1,"appkey":"2","expire_in":5}'), missing(201));
    assert.deepEqual(one(200, '{"appkey":"2","expire_in":5}'), missing(200));
    assert.deepEqual(one(200, '{"uid":1,"expire_in":5}'), missing(200));
  });
  it('a number expire_in <= 0 is a dead token; a positive, absent or non-number one is not', () => {
    const dead = { ok: false, kind: 'rejected', message: 'Sina: the token has expired (expire_in <= 0)' };
    assert.deepEqual(one(200, '{"uid":1,"appkey":"2","expire_in":0}'), dead);
    assert.deepEqual(one(200, '{"uid":1,"appkey":"2","expire_in":-5}'), dead);
    const alive = { ok: true, providerUserId: '1', providerAppId: '2' };
    for (const e of ['"expire_in":1,', '"expire_in":"0",', '"expire_in":null,', '']) {
      assert.deepEqual(one(200, `{${e}"uid":1,"appkey":"2"}`), alive, e);
    }
  });
});

describe('RenRen reply reading, every branch', () => {
  const renren = PROVIDER_IMPLS.RenRen;
  const user = { status: 200, body: '{"response":{"id":242164211}}' };
  const app = { status: 200, body: '{"response":{"id":"239085"}}' };
  const r = (status: number, body: string) => ({ status, body });
  it('sends the two Bearer GETs and nothing else', () => {
    const headers = { authorization: 'Bearer tok-1' };
    assert.deepEqual(renren.requests(input, env), [
      { method: 'GET', url: 'https://api.example/v2/user/login/get', headers },
      { method: 'GET', url: 'https://api.example/v2/app/get', headers },
    ]);
  });
  it('names each failure exactly, the user call first', () => {
    assert.deepEqual(renren.interpret(input, []), { ok: false, kind: 'bad-reply', message: 'RenRen /v2/user/login/get: no reply' });
    assert.deepEqual(renren.interpret(input, [user]), { ok: false, kind: 'bad-reply', message: 'RenRen /v2/app/get: no reply' });
    assert.deepEqual(renren.interpret(input, [r(500, 'oops'), app]), {
      ok: false,
      kind: 'bad-reply',
      message: 'RenRen /v2/user/login/get answered HTTP 500 with an unreadable body',
    });
    assert.deepEqual(renren.interpret(input, [user, r(500, '[]')]), {
      ok: false,
      kind: 'bad-reply',
      message: 'RenRen /v2/app/get answered HTTP 500 with an unreadable body',
    });
    const refused = (body: string) => renren.interpret(input, [r(401, body), app]);
    assert.deepEqual(refused('{"error":{"code":"invalid_authorization.EXPIRED-TOKEN","message":"x"}}'), {
      ok: false,
      kind: 'rejected',
      message: 'RenRen refused the token (invalid_authorization.EXPIRED-TOKEN: x)',
    });
    assert.equal(refused('{"error":"invalid_token","error_description":"bad"}').ok, false);
    const msg = (body: string) => {
      const v = refused(body);
      return v.ok ? 'ok' : `${v.kind} ${v.message}`;
    };
    assert.equal(msg('{"error":"invalid_token","error_description":"bad"}'), 'rejected RenRen refused the token (invalid_token: bad)');
    assert.equal(msg('{"error":null}'), 'rejected RenRen refused the token ("": "")');
    assert.equal(msg('{"error":{"code":"c"},"error_description":"d"}'), 'rejected RenRen refused the token (c: d)');
    assert.equal(msg('{"error":{"message":"m"}}'), 'rejected RenRen refused the token ({"message":"m"}: m)');
    // The app call's refusal is reported when the user call succeeded.
    assert.deepEqual(renren.interpret(input, [user, r(403, '{"error":{"code":"APP","message":"no"}}')]), {
      ok: false,
      kind: 'rejected',
      message: 'RenRen refused the token (APP: no)',
    });
    const noId = (label: string, status: number) => ({
      ok: false,
      kind: 'bad-reply',
      message: `RenRen ${label} answered HTTP ${status} without response.id`,
    });
    for (const body of ['{}', '{"response":null}', '{"response":"x"}', '{"response":{}}', '{"response":{"id":""}}']) {
      assert.deepEqual(renren.interpret(input, [r(200, body), app]), noId('/v2/user/login/get', 200), body);
    }
    assert.deepEqual(renren.interpret(input, [r(201, '{"response":{"id":1}}'), app]), noId('/v2/user/login/get', 201));
    assert.deepEqual(renren.interpret(input, [user, r(202, '{"response":{"id":1}}')]), noId('/v2/app/get', 202));
    assert.deepEqual(renren.interpret(input, [user, app]), { ok: true, providerUserId: '242164211', providerAppId: '239085' });
  });
});

describe('XiaoMi request and reply, every branch', () => {
  const xiaomi = PROVIDER_IMPLS.XiaoMi;
  const one = (status: number, body: string) => xiaomi.interpret(input, [{ status, body }]);
  it('without a MAC key: no Authorization; empty values leave the query; a base path keeps no trailing slash', () => {
    assert.equal(PROFILE_PATH, '/user/profile');
    assert.deepEqual(xiaomi.requests({ accessToken: 't o+k', oauthAppId: '17' }, { baseUrl: 'https://open.example:8443', nonce: '1:2' }), [
      { method: 'GET', url: 'https://open.example:8443/user/profile?clientId=17&token=t+o%2Bk', headers: {} },
    ]);
    assert.deepEqual(xiaomi.requests({ accessToken: 't', oauthAppId: '' }, { baseUrl: 'http://h.example/api//', nonce: '1:2' }), [
      { method: 'GET', url: 'http://h.example/api/user/profile?token=t', headers: {} },
    ]);
    assert.equal(xiaomi.requests({ accessToken: 't', oauthAppId: '1', macKey: '' }, env)[0]?.headers.authorization, undefined);
  });
  it('signs the path below a base path and the host without its port', () => {
    const [r] = xiaomi.requests(
      { accessToken: 'TOK', oauthAppId: '9', macKey: 'KEY' },
      { baseUrl: 'http://127.0.0.1:8080/open/', nonce: '-5:29000000' },
    );
    assert.ok(r);
    const url = new URL(r.url);
    assert.equal(`${url.origin}${url.pathname}${url.search}`, 'http://127.0.0.1:8080/open/user/profile?clientId=9&token=TOK');
    const h = parseMacHeader(r.headers.authorization ?? '');
    const seen = {
      method: 'GET',
      path: '/open/user/profile',
      params: [...url.searchParams],
      rawQueryString: url.search.slice(1),
      hosts: hostCandidates([], '127.0.0.1:8080'),
    };
    assert.equal(verifyMac('KEY', h?.nonce ?? '', h?.mac ?? '', seen), true);
    assert.equal(verifyMac('KEY', h?.nonce ?? '', h?.mac ?? '', { ...seen, path: '/user/profile' }), false);
  });
  it('the MAC header and query as the Java SDK writes them', () => {
    assert.equal(macHeader('a b', 'n:1', 'm+/='), 'MAC access_token="a+b", nonce="n%3A1",mac="m%2B%2F%3D"');
    assert.equal(
      canonicalQuery([
        ['z', '1'],
        ['e', ''],
        ['a', 'x y'],
      ]),
      'a=x+y&z=1',
    );
  });
  it('names each failure exactly and reads the ok shapes', () => {
    assert.deepEqual(xiaomi.interpret(input, []), { ok: false, kind: 'bad-reply', message: 'XiaoMi: no reply' });
    assert.deepEqual(one(502, 'bad gateway'), {
      ok: false,
      kind: 'bad-reply',
      message: 'XiaoMi /user/profile answered HTTP 502 with an unreadable body',
    });
    const ok = (id: string) => ({ ok: true, providerUserId: id, providerAppId: input.oauthAppId });
    assert.deepEqual(one(200, '&&&START&&&{"result":"ok","code":0,"data":{"userId":"7"}}'), ok('7'));
    // Only a leading marker goes: the same text inside a value stays.
    assert.deepEqual(one(200, '{"result":"ok","code":0,"data":{"userId":"&&&START&&&"}}'), ok('&&&START&&&'));
    assert.deepEqual(one(200, '{"result":"ok","code":"0","data":{"userId":42}}'), ok('42'));
    assert.deepEqual(one(200, '{"result":"ok","code":0,"data":{"userId":"","unionId":"U"}}'), ok('U'));
    const refused = (kind: string, message: string) => ({ ok: false, kind, message });
    assert.deepEqual(one(200, '{"result":"ok","code":1,"data":{"userId":"7"}}'), refused('rejected', 'XiaoMi refused the token (1: "")'));
    assert.deepEqual(one(200, '{"result":"ok","data":{"userId":"7"}}'), refused('rejected', 'XiaoMi refused the token ("": "")'));
    assert.deepEqual(
      one(200, '{"result":"error","code":0,"description":"x","data":{"userId":"7"}}'),
      refused('rejected', 'XiaoMi refused the token (0: x)'),
    );
    assert.deepEqual(
      one(401, '{"result":"error","code":96012,"description":"access denied"}'),
      refused('wrong-app', 'XiaoMi refused the token (96012: access denied)'),
    );
    assert.deepEqual(
      one(401, '{"result":"error","code":96001,"description":"d"}'),
      refused('wrong-app', 'XiaoMi refused the token (96001: d)'),
    );
    assert.deepEqual(one(401, '{"result":"error","code":"96012"}'), refused('wrong-app', 'XiaoMi refused the token (96012: "")'));
    assert.deepEqual(one(403, '{"result":"error","code":96008}'), refused('rejected', 'XiaoMi refused the token (96008: "")'));
    const noUser = { ok: false, kind: 'bad-reply', message: 'XiaoMi /user/profile answered without userId or unionId' };
    for (const data of ['', ',"data":null', ',"data":"x"', ',"data":{}', ',"data":{"userId":-1}']) {
      assert.deepEqual(one(200, `{"result":"ok","code":0${data}}`), noUser, data);
    }
  });
});

describe('exchange parameters, every rule (fds-protocol §2.4)', () => {
  const q = (o: Record<string, string>) => new Map(Object.entries(o));
  const base = { appId: '2882303761517000001', oauthAppId: '101', oauthAccessToken: 'tok', oauthProvider: 'QQ' };
  const xm = { ...base, oauthProvider: 'XiaoMi', oauthMacKey: 'k', oauthMacAlgorithm: 'HmacSHA1' };
  const message = (o: Record<string, string>) => {
    const r = parseExchangeParams(q(o));
    return r.ok ? 'ok' : r.message;
  };
  it('returns the parameters; the MAC key only for XiaoMi, the open id for any provider', () => {
    assert.deepEqual(parseExchangeParams(q({ ...base, oauthOpenId: 'o-1', oauthMacKey: 'k', oauthMacAlgorithm: 'x' })), {
      ok: true,
      params: { appId: base.appId, provider: 'QQ', oauthAppId: '101', oauthAccessToken: 'tok', oauthOpenId: 'o-1', oauthMacKey: undefined },
    });
    assert.deepEqual(parseExchangeParams(q({ ...xm, oauthProvider: 'xiaomi', oauthOpenId: '' })), {
      ok: true,
      params: {
        appId: base.appId,
        provider: 'XiaoMi',
        oauthAppId: '101',
        oauthAccessToken: 'tok',
        oauthOpenId: undefined,
        oauthMacKey: 'k',
      },
    });
    for (const [raw, name] of [
      ['sina', 'Sina'],
      ['RENREN', 'RenRen'],
      ['qq', 'QQ'],
    ]) {
      const r = parseExchangeParams(q({ ...base, oauthProvider: raw ?? '' }));
      assert.ok(r.ok && r.params.provider === name, raw);
    }
  });
  it('names a missing (absent or empty) parameter in order', () => {
    for (const k of ['appId', 'oauthAppId', 'oauthAccessToken', 'oauthProvider'] as const) {
      const absent: Record<string, string> = { ...base };
      delete absent[k];
      assert.equal(message(absent), `missing parameter ${k}`);
      assert.equal(message({ ...base, [k]: '' }), `missing parameter ${k}`);
    }
    assert.equal(message({}), 'missing parameter appId');
  });
  it('app ids: 1–64 of A-Z a-z 0-9 . _ -', () => {
    assert.equal(message({ ...base, appId: 'AZaz09._-', oauthAppId: 'AZaz09._-' }), 'ok');
    assert.equal(message({ ...base, appId: 'a'.repeat(64), oauthAppId: 'b'.repeat(64) }), 'ok');
    for (const bad of ['a'.repeat(65), 'a b', '/a', 'a/', 'a+b', '中']) {
      assert.equal(message({ ...base, appId: bad }), 'appId is malformed', bad);
      assert.equal(message({ ...base, oauthAppId: bad }), 'oauthAppId is malformed', bad);
    }
  });
  it('tokens: 1–2048 of A-Z a-z 0-9 . _ ~ + / = | : -', () => {
    for (const good of ['AZaz09._~+/=|:-', 'x'.repeat(2048), 'A', 'Z', 'a', 'z', '0', '9', '.', '_', '~', '+', '/', '=', '|', ':', '-']) {
      assert.equal(message({ ...base, oauthAccessToken: good }), 'ok', good);
    }
    for (const bad of ['x'.repeat(2049), 'a%20b', ' a', 'a ', 'a b', 'a,b', '中']) {
      assert.equal(message({ ...base, oauthAccessToken: bad }), 'oauthAccessToken is malformed', bad);
    }
  });
  it('an unknown provider lists the four', () => {
    assert.equal(message({ ...base, oauthProvider: 'Facebook' }), 'unknown oauthProvider (expected one of XiaoMi, QQ, Sina, RenRen)');
  });
  it('open ids: up to 128 word characters and . | : -', () => {
    assert.equal(message({ ...base, oauthOpenId: 'aZ_09.|:-' }), 'ok');
    assert.equal(message({ ...base, oauthOpenId: 'o'.repeat(128) }), 'ok');
    for (const bad of ['o'.repeat(129), 'a b', 'a/b', '/a', 'a/', '中', '%41']) {
      assert.equal(message({ ...base, oauthOpenId: bad }), 'oauthOpenId is malformed', bad);
    }
  });
  it('XiaoMi needs a MAC key of at most 2048 characters and HmacSHA1 in any case', () => {
    const needs = 'oauthMacKey and oauthMacAlgorithm are required for XiaoMi';
    assert.equal(message({ ...xm, oauthMacKey: '' }), needs);
    assert.equal(message({ ...xm, oauthMacAlgorithm: '' }), needs);
    const { oauthMacKey: _k, ...noKey } = xm;
    const { oauthMacAlgorithm: _a, ...noAlg } = xm;
    assert.equal(message(noKey), needs);
    assert.equal(message(noAlg), needs);
    for (const alg of ['hmacsha1', 'HMACSHA1', 'HmacSha1']) assert.equal(message({ ...xm, oauthMacAlgorithm: alg }), 'ok', alg);
    for (const alg of ['HmacSHA256', 'sha1', 'HmacSHA1 '])
      assert.equal(message({ ...xm, oauthMacAlgorithm: alg }), 'oauthMacAlgorithm must be HmacSHA1', alg);
    assert.equal(message({ ...xm, oauthMacKey: 'k'.repeat(2048) }), 'ok');
    assert.equal(message({ ...xm, oauthMacKey: 'k'.repeat(2049) }), 'oauthMacKey is malformed');
    // Other providers ignore the MAC parameters.
    assert.equal(message({ ...base, oauthMacKey: 'k'.repeat(3000), oauthMacAlgorithm: 'HmacSHA256' }), 'ok');
  });
});
