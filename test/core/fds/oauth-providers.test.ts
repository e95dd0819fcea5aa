// Pure provider logic: requests built per spec/oauth-providers.md, replies read in each
// provider's documented format, MAC signing against the account-protocol vectors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostCandidates, verifyMac } from '../../../src/core/account/mac-canonical.ts';
import { parseMacHeader } from '../../../src/core/account/mac-header.ts';
import { PROVIDER_IMPLS, parseExchangeParams } from '../../../src/core/fds/oauth-providers/index.ts';
import { unwrapJsonp } from '../../../src/core/fds/oauth-providers/qq.ts';

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
