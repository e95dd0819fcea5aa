// MAC-signed open-API calls through real HTTP, one per client style of account-protocol §5.3, the
// §5.2 vectors' shapes (V1 with the misspelled host configured), and the refusals: wrong MAC, stale
// nonce, replayed nonce → 96012.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../../helpers/env.ts';
import { canon, hmacB64, javaEnc, javaNonce, nowMinutes, phpUrlencode, pyQuote, rawCall, rfc3986 } from '../../../helpers/open-api.ts';
import { type Minted, mint, type Seeded, seed } from '../../../helpers/seed.ts';

const sorted = (p: Array<[string, string]>) => [...p].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
const join = (p: Array<[string, string]>, enc: (s: string) => string) => p.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
const ident = (s: string) => s;

describe('MAC verification per client style', () => {
  let t: TestServer;
  let s: Seeded;
  let tok: Minted;
  let host: string;
  before(async () => {
    t = await startTestServer({ env: { OPAL_MAC_HOSTS: 'open.account.xiaomi.com,open.account.xiamomi.com' } });
    s = await seed(t.ctx);
    tok = await mint(t.ctx, s.clientId, s.userId, [1, 3]);
    host = new URL(t.accountUrl).host; // 127.0.0.1:port
  });
  after(async () => {
    await t.close();
  });
  const hostNoPort = () => host.replace(/:\d+$/, '');
  const params = (): Array<[string, string]> => [
    ['clientId', s.clientId],
    ['token', tok.accessToken],
  ];

  it('Java SDK 1.0 / v0.0.1: form-encoded sorted query, all header values URL-encoded', async () => {
    const nonce = javaNonce();
    const q = join(sorted(params()), javaEnc);
    const mac = hmacB64(tok.macKey, canon(nonce, 'GET', 'open.account.xiaomi.com', '/user/profile', q));
    const auth = `MAC access_token="${javaEnc(tok.accessToken)}", nonce="${javaEnc(nonce)}",mac="${javaEnc(mac)}"`;
    const r = await rawCall(t.accountUrl, `/user/profile?${q}`, { headers: { authorization: auth } });
    assert.equal(r.json.code, 0, r.text);
  });

  it('behind a trusted proxy (loopback by default): the forwarded host the client called verifies, another does not', async () => {
    const q = join(sorted(params()), javaEnc);
    const signedFor = async (signed: string) => {
      const nonce = javaNonce();
      const mac = hmacB64(tok.macKey, canon(nonce, 'GET', signed, '/user/profile', q));
      const auth = `MAC access_token="${javaEnc(tok.accessToken)}", nonce="${javaEnc(nonce)}",mac="${javaEnc(mac)}"`;
      return rawCall(t.accountUrl, `/user/profile?${q}`, {
        headers: { authorization: auth, host: 'opal-upstream:7000', 'x-forwarded-host': 'id.example.com' },
      });
    };
    const forwarded = await signedFor('id.example.com');
    assert.equal(forwarded.json.code, 0, forwarded.text);
    const upstream = await signedFor('opal-upstream');
    assert.equal(upstream.json.code, 0, upstream.text);
    const other = await signedFor('elsewhere.example.com');
    assert.equal(other.json.code, 96012, other.text);
  });

  it('Android: constant host; with an empty query the query line is omitted', async () => {
    const nonce = javaNonce();
    const mac = hmacB64(tok.macKey, canon(nonce, 'GET', 'open.account.xiaomi.com', '/user/openidV2', '', false));
    const auth = `MAC access_token="${javaEnc(tok.accessToken)}", nonce="${javaEnc(nonce)}",mac="${javaEnc(mac)}"`;
    const r = await rawCall(t.accountUrl, '/user/openidV2', { headers: { authorization: auth } });
    assert.equal(r.json.code, 0, r.text);
    const nonce2 = javaNonce();
    const q = join(sorted(params()), javaEnc);
    const mac2 = hmacB64(tok.macKey, canon(nonce2, 'GET', 'open.account.xiaomi.com', '/user/openidV2', q));
    const r2 = await rawCall(t.accountUrl, `/user/openidV2?${q}`, {
      headers: { authorization: `MAC access_token="${javaEnc(tok.accessToken)}", nonce="${javaEnc(nonce2)}",mac="${javaEnc(mac2)}"` },
    });
    assert.equal(r2.json.code, 0, r2.text);
  });

  it('PHP: parse_url host, ksort raw values, raw token and nonce, trailing space; GET and POST body', async () => {
    const p: Array<[string, string]> = [...params(), ['extra', 'a b+c']];
    const nonce = `${Math.floor(Math.random() * 2 ** 31)}:${nowMinutes()}`;
    const mac = hmacB64(tok.macKey, canon(nonce, 'GET', hostNoPort(), '/user/profile', join(sorted(p), ident)));
    const auth = `MAC access_token="${tok.accessToken}", nonce="${nonce}",mac="${phpUrlencode(mac)}" `;
    const r = await rawCall(t.accountUrl, `/user/profile?${join(p, phpUrlencode)}`, { headers: { authorization: auth } });
    assert.equal(r.json.code, 0, r.text);
    const nonce2 = `${Math.floor(Math.random() * 2 ** 31)}:${nowMinutes()}`;
    const mac2 = hmacB64(tok.macKey, canon(nonce2, 'POST', hostNoPort(), '/user/profile', join(sorted(p), ident)));
    const r2 = await rawCall(t.accountUrl, '/user/profile', {
      method: 'POST',
      headers: {
        authorization: `MAC access_token="${tok.accessToken}", nonce="${nonce2}",mac="${phpUrlencode(mac2)}" `,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: join(p, phpUrlencode),
    });
    assert.equal(r2.json.code, 0, r2.text);
  });

  it('Python 2: lower-case hostname, sorted raw values, quote() keeping /', async () => {
    const nonce = `${Math.floor(Math.random() * 2 ** 31)}:${nowMinutes()}`;
    const mac = hmacB64(tok.macKey, canon(nonce, 'GET', hostNoPort().toLowerCase(), '/user/profile', join(sorted(params()), ident)));
    const auth = `MAC access_token="${pyQuote(tok.accessToken)}", nonce="${nonce}",mac="${pyQuote(mac)}"`;
    const r = await rawCall(t.accountUrl, `/user/profile?${join(params(), pyQuote)}`, { headers: { authorization: auth } });
    assert.equal(r.json.code, 0, r.text);
  });

  it('C#: constant host, insertion order, EscapeDataString, no spaces, local-time nonce (−480 min)', async () => {
    // A token of its own: a token's clock offset is pinned by its first verified request.
    const tok = await mint(t.ctx, s.clientId, s.userId, [1]);
    const nonce = `${Math.floor(Math.random() * 2 ** 31)}:${nowMinutes(-480)}`;
    const q = `clientId=${rfc3986(s.clientId)}&token=${rfc3986(tok.accessToken)}`;
    const mac = hmacB64(tok.macKey, canon(nonce, 'GET', 'open.account.xiaomi.com', '/user/profile', q));
    const auth = `MAC access_token="${rfc3986(tok.accessToken)}",nonce="${rfc3986(nonce)}",mac="${rfc3986(mac)}"`;
    const r = await rawCall(t.accountUrl, `/user/profile?${q}`, { headers: { authorization: auth } });
    assert.equal(r.json.code, 0, r.text);
  });

  it('iOS MiOAuth: NSURL host, sorted %@=%@, raw header values without spaces', async () => {
    const nonce = `${Math.floor(Math.random() * 2 ** 31)}:${nowMinutes()}`;
    const mac = hmacB64(tok.macKey, canon(nonce, 'GET', hostNoPort(), '/user/profile', join(sorted(params()), ident)));
    const r = await rawCall(t.accountUrl, `/user/profile?${join(params(), encodeURIComponent)}`, {
      headers: { authorization: `MAC access_token="${tok.accessToken}",nonce="${nonce}",mac="${mac}"` },
    });
    assert.equal(r.json.code, 0, r.text);
  });

  it('Host with port and the doc header spelling (space before comma)', async () => {
    const nonce = javaNonce();
    const mac = hmacB64(tok.macKey, canon(nonce, 'GET', host, '/user/profile', join(sorted(params()), ident)));
    const r = await rawCall(t.accountUrl, `/user/profile?${join(params(), encodeURIComponent)}`, {
      headers: { authorization: `MAC access_token="${tok.accessToken}",nonce="${nonce}" ,mac="${mac}"` },
    });
    assert.equal(r.json.code, 0, r.text);
  });

  it('V1 shape: the misspelled doc host verifies only when configured; V2 shape: the real host', async () => {
    const nonce = javaNonce();
    const q = `clientId=${s.clientId}&token=${tok.accessToken}`;
    const v1 = hmacB64(tok.macKey, canon(nonce, 'GET', 'open.account.xiamomi.com', '/user/profile', q));
    const auth = (n: string, m: string) => `MAC access_token="${tok.accessToken}", nonce="${javaEnc(n)}",mac="${javaEnc(m)}"`;
    assert.equal((await rawCall(t.accountUrl, `/user/profile?${q}`, { headers: { authorization: auth(nonce, v1) } })).json.code, 0);
    const t2 = await startTestServer();
    try {
      const s2 = await seed(t2.ctx);
      const tok2 = await mint(t2.ctx, s2.clientId, s2.userId, [1]);
      const q2 = `clientId=${s2.clientId}&token=${tok2.accessToken}`;
      const a2 = (n: string, m: string) => `MAC access_token="${tok2.accessToken}", nonce="${javaEnc(n)}",mac="${javaEnc(m)}"`;
      const n1 = javaNonce();
      const misspelled = hmacB64(tok2.macKey, canon(n1, 'GET', 'open.account.xiamomi.com', '/user/profile', q2));
      const refused = await rawCall(t2.accountUrl, `/user/profile?${q2}`, { headers: { authorization: a2(n1, misspelled) } });
      assert.equal(refused.status, 401);
      assert.equal(refused.json.code, 96012);
      const n2 = javaNonce();
      const v2 = hmacB64(tok2.macKey, canon(n2, 'GET', 'open.account.xiaomi.com', '/user/profile', q2));
      assert.equal((await rawCall(t2.accountUrl, `/user/profile?${q2}`, { headers: { authorization: a2(n2, v2) } })).json.code, 0);
    } finally {
      await t2.close();
    }
  });

  it('V3 shape: an extra parameter with special characters, in all three canonical encodings', async () => {
    const p: Array<[string, string]> = [
      ['token', tok.accessToken],
      ['clientId', s.clientId],
      ['extra', "中!'() a+b~*"],
    ];
    for (const [name, enc] of [
      ['java', javaEnc],
      ['raw', ident],
      ['rfc3986', rfc3986],
    ] as const) {
      const nonce = javaNonce();
      const mac = hmacB64(tok.macKey, canon(nonce, 'GET', 'open.account.xiaomi.com', '/user/profile', join(sorted(p), enc)));
      const r = await rawCall(t.accountUrl, `/user/profile?${join(p, javaEnc)}`, {
        headers: { authorization: `MAC access_token="${tok.accessToken}", nonce="${javaEnc(nonce)}",mac="${javaEnc(mac)}"` },
      });
      assert.equal(r.json.code, 0, `${name}: ${r.text}`);
    }
  });

  it('OPAL_MAC_NONCE_CSHARP_COMPAT=false: a −480 min nonce is refused, one within the window accepted', async () => {
    const t2 = await startTestServer({ env: { OPAL_MAC_NONCE_CSHARP_COMPAT: 'false' } });
    try {
      const s2 = await seed(t2.ctx);
      const m = await mint(t2.ctx, s2.clientId, s2.userId, [1]);
      const q = `clientId=${s2.clientId}&token=${m.accessToken}`;
      const signedAt = async (offset: number) => {
        const nonce = javaNonce(offset);
        const mac = hmacB64(m.macKey, canon(nonce, 'GET', 'open.account.xiaomi.com', '/user/profile', q));
        return rawCall(t2.accountUrl, `/user/profile?${q}`, {
          headers: { authorization: `MAC access_token="${m.accessToken}",nonce="${rfc3986(nonce)}",mac="${rfc3986(mac)}"` },
        });
      };
      assert.equal((await signedAt(-480)).json.code, 96012);
      assert.equal((await signedAt(-10)).json.code, 0);
    } finally {
      await t2.close();
    }
  });

  it("a token's clock offset is pinned by its first verified request", async () => {
    const m = await mint(t.ctx, s.clientId, s.userId, [1]);
    const q = `clientId=${s.clientId}&token=${m.accessToken}`;
    const at = async (offset: number) => {
      const nonce = javaNonce(offset);
      const mac = hmacB64(m.macKey, canon(nonce, 'GET', 'open.account.xiaomi.com', '/user/profile', q));
      return (
        await rawCall(t.accountUrl, `/user/profile?${q}`, {
          headers: { authorization: `MAC access_token="${m.accessToken}",nonce="${rfc3986(nonce)}",mac="${rfc3986(mac)}"` },
        })
      ).json.code;
    };
    assert.equal(await at(-480), 0);
    assert.equal(await at(-475), 0);
    assert.equal(await at(0), 96012);
    assert.equal(await at(-360), 96012);
    assert.equal(await at(-490), 0);
  });

  it('the replay and clock-offset keys are those every node and every earlier build use', async () => {
    // Nodes share them through Redis, and a rolling upgrade mixes builds: their values must not change.
    const m = await mint(t.ctx, s.clientId, s.userId, [1]);
    const cache = t.ctx.cache;
    const seen: string[] = [];
    const { pin, spend } = cache;
    cache.pin = (key, ...rest) => {
      seen.push(key);
      return pin.call(cache, key, ...rest);
    };
    cache.spend = (key, ...rest) => {
      seen.push(key);
      return spend.call(cache, key, ...rest);
    };
    try {
      const nonce = javaNonce();
      const q = `clientId=${s.clientId}&token=${m.accessToken}`;
      const mac = hmacB64(m.macKey, canon(nonce, 'GET', 'open.account.xiaomi.com', '/user/profile', q));
      const auth = `MAC access_token="${m.accessToken}",nonce="${rfc3986(nonce)}",mac="${rfc3986(mac)}"`;
      assert.equal((await rawCall(t.accountUrl, `/user/profile?${q}`, { headers: { authorization: auth } })).json.code, 0);
      // The header alone names the token too.
      const nonce2 = javaNonce();
      const q2 = `clientId=${s.clientId}`;
      const mac2 = hmacB64(m.macKey, canon(nonce2, 'GET', 'open.account.xiaomi.com', '/user/profile', q2));
      const auth2 = `MAC access_token="${m.accessToken}",nonce="${rfc3986(nonce2)}",mac="${rfc3986(mac2)}"`;
      assert.equal((await rawCall(t.accountUrl, `/user/profile?${q2}`, { headers: { authorization: auth2 } })).json.code, 0);
      const key = createHash('sha256').update(m.accessToken).digest('hex').slice(0, 32);
      assert.deepEqual(seen, [`mac-offset:${key}`, `mac-nonce:${key}:${nonce}`, `mac-offset:${key}`, `mac-nonce:${key}:${nonce2}`]);
    } finally {
      cache.pin = pin;
      cache.spend = spend;
    }
  });

  describe('refusals → 96012', () => {
    const signed = (nonce: string, path = '/user/profile') => {
      const q = join(sorted(params()), javaEnc);
      const mac = hmacB64(tok.macKey, canon(nonce, 'GET', 'open.account.xiaomi.com', path, q));
      return { target: `${path}?${q}`, auth: `MAC access_token="${tok.accessToken}", nonce="${javaEnc(nonce)}",mac="${javaEnc(mac)}"` };
    };
    const expect96012 = async (target: string, auth: string) => {
      const r = await rawCall(t.accountUrl, target, { headers: { authorization: auth } });
      assert.equal(r.status, 401, r.text);
      assert.equal(r.text, '{"result":"error","code":96012,"description":"server rejected auth request"}');
    };
    it('wrong MAC', async () => {
      const { target, auth } = signed(javaNonce());
      await expect96012(target, auth.replace(/mac="[^"]+"/, 'mac="AAAAAAAAAAAAAAAAAAAAAAAAAAA%3D"'));
    });
    it('MAC of another path', async () => {
      const { auth } = signed(javaNonce(), '/user/openidV2');
      await expect96012(`/user/profile?${join(sorted(params()), javaEnc)}`, auth);
    });
    it('stale nonce (far beyond the window and every C# offset) and malformed nonce', async () => {
      const a = signed(javaNonce(-1000));
      await expect96012(a.target, a.auth);
      const b = signed(javaNonce(+1000));
      await expect96012(b.target, b.auth);
      const c = signed('no-colon-here');
      await expect96012(c.target, c.auth);
    });
    it('replayed nonce', async () => {
      const { target, auth } = signed(javaNonce());
      const first = await rawCall(t.accountUrl, target, { headers: { authorization: auth } });
      assert.equal(first.json.code, 0);
      await expect96012(target, auth);
    });
    it('header token differs from the token parameter; malformed header', async () => {
      const { target, auth } = signed(javaNonce());
      await expect96012(target, auth.replace(/access_token="[^"]+"/, 'access_token="someone-else"'));
      await expect96012(target, 'MAC access_token="x"');
    });
    it('requireMac app: a wrong MAC is still refused, a right one accepted', async () => {
      const strict = await seed(t.ctx, { flags: { requireMac: true } });
      const m = await mint(t.ctx, strict.clientId, strict.userId, [1]);
      const q = `clientId=${strict.clientId}&token=${m.accessToken}`;
      // Signed the same way, but with a key that is not the token's: refused.
      const wrongNonce = javaNonce();
      const wrongMac = hmacB64(`${m.macKey}x`, canon(wrongNonce, 'GET', 'open.account.xiaomi.com', '/user/profile', q));
      await expect96012(
        `/user/profile?${q}`,
        `MAC access_token="${m.accessToken}", nonce="${javaEnc(wrongNonce)}",mac="${javaEnc(wrongMac)}"`,
      );
      const nonce = javaNonce();
      const mac = hmacB64(m.macKey, canon(nonce, 'GET', 'open.account.xiaomi.com', '/user/profile', q));
      const r = await rawCall(t.accountUrl, `/user/profile?${q}`, {
        headers: { authorization: `MAC access_token="${m.accessToken}", nonce="${javaEnc(nonce)}",mac="${javaEnc(mac)}"` },
      });
      assert.equal(r.json.code, 0, r.text);
    });
  });
});
