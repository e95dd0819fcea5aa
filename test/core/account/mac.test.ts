// MAC canonical strings, header parsing and nonce windows against account-protocol §5 vectors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalCandidates,
  canonicalString,
  hostCandidates,
  javaQuery,
  macOf,
  rawQuery,
  rfc3986Query,
  verifyMac,
} from '../../../src/core/account/mac-canonical.ts';
import { isMacScheme, parseMacHeader } from '../../../src/core/account/mac-header.ts';
import {
  DEFAULT_NONCE_WINDOW,
  LENIENT_NONCE_RE,
  newNonce,
  nonceOffsetSteps,
  nonceTimeOk,
  nonceWithinOffset,
  parseNonce,
  replayTtlMs,
} from '../../../src/core/account/mac-nonce.ts';
import { LINEAR_BUDGET_MS, LONG_INPUT, timeMs } from '../../helpers/linear-time.ts';

const V1_TOKEN = 'eJxjYGAQydknLLCFsVyIR-DxSqdTnQFGfX4yDAwMjAzxQJIheJfnRTDtvAhMM8SE_2FgWDw7Rg3MYzdUMFIwVjABMplzE5MBClYRuw';
const V1_KEY = 'ORhx44qK6Alqf8vt2rGB5f-oPq0';
const V1_NONCE = '2870867952176701445:23282360';
const V1_QUERY = `clientId=179887661252608&token=${V1_TOKEN}`;

describe('MAC vectors (§5.2)', () => {
  it('V1: doc vector with the misspelled host', () => {
    const c = canonicalString(V1_NONCE, 'GET', 'open.account.xiamomi.com', '/user/profile', V1_QUERY);
    assert.equal(macOf(V1_KEY, c), '9uvros2WcjMaJ3pH25eQZU9p5pA=');
  });
  it('V2: correct host', () => {
    const c = canonicalString(V1_NONCE, 'GET', 'open.account.xiaomi.com', '/user/profile', V1_QUERY);
    assert.equal(macOf(V1_KEY, c), 'vLXZ8fqoGPik4yqDj2XP2Mbd+is=');
  });
  it('V3: the three query encodings', () => {
    const params = [
      ['token', 'a b+c~d*e/f='],
      ['clientId', '2882303761517000000'],
      ['extra', "中!'()"],
    ] as const;
    const nonce = '-7074946390124233411:29000000';
    const key = 'b22OmhVgdRIVEPSWAeCyWaEA7GA';
    const sign = (q: string) => macOf(key, canonicalString(nonce, 'GET', 'open.account.xiaomi.com', '/user/profile', q));
    assert.equal(javaQuery(params), 'clientId=2882303761517000000&extra=%E4%B8%AD%21%27%28%29&token=a+b%2Bc%7Ed*e%2Ff%3D');
    assert.equal(sign(javaQuery(params)), 'GphrbA8DclH/NFYC16CdM/mIXi8=');
    assert.equal(rawQuery(params), "clientId=2882303761517000000&extra=中!'()&token=a b+c~d*e/f=");
    assert.equal(sign(rawQuery(params)), 'MX7sFtYyDz+ju8lOgbSWnDGoHb8=');
    assert.equal(rfc3986Query(params), 'clientId=2882303761517000000&extra=%E4%B8%AD%21%27%28%29&token=a%20b%2Bc~d%2Ae%2Ff%3D');
    assert.equal(sign(rfc3986Query(params)), 'V6YNoPIp6RtOx6L1PNpJtAmIwSk=');
    for (const mac of ['GphrbA8DclH/NFYC16CdM/mIXi8=', 'MX7sFtYyDz+ju8lOgbSWnDGoHb8=', 'V6YNoPIp6RtOx6L1PNpJtAmIwSk=']) {
      const ok = verifyMac(key, nonce, mac, {
        method: 'GET',
        path: '/user/profile',
        params,
        rawQueryString: '',
        hosts: hostCandidates(['open.account.xiaomi.com'], '127.0.0.1:8080'),
      });
      assert.equal(ok, true, mac);
    }
    assert.equal(
      verifyMac(key, nonce, 'GphrbA8DclH/NFYC16CdM/mIXi8=', {
        method: 'GET',
        path: '/user/profile',
        params,
        rawQueryString: '',
        hosts: ['127.0.0.1'],
      }),
      false,
    );
  });
  it('stable sort keeps equal names in order', () => {
    assert.equal(
      javaQuery([
        ['b', '2'],
        ['a', 'y'],
        ['a', 'x'],
      ]),
      'a=y&a=x&b=2',
    );
  });
  it('empty query yields both the empty line and the Android form without it', () => {
    const c = [...canonicalCandidates('1:2', { method: 'get', path: '/p', params: [], rawQueryString: '', hosts: ['h'] })];
    assert.deepEqual(c, ['1:2\nGET\nh\n/p\n\n', '1:2\nGET\nh\n/p\n']);
  });
  it('host candidates: configured, Host without and with port', () => {
    assert.deepEqual(hostCandidates(['open.account.xiaomi.com'], 'Example.com:8080'), [
      'open.account.xiaomi.com',
      'Example.com',
      'example.com',
      'Example.com:8080',
    ]);
    assert.deepEqual(hostCandidates([], '[::1]:80'), ['[::1]', '[::1]:80']);
  });
  it('host candidates: no Host header leaves the configured names; the header is trimmed', () => {
    assert.deepEqual(hostCandidates(['open.account.xiaomi.com'], undefined), ['open.account.xiaomi.com']);
    assert.deepEqual(hostCandidates([], ' Example.com:8080 '), ['Example.com', 'example.com', 'Example.com:8080']);
  });
  it('candidates in the order they are tried: by host, then Java, raw, RFC 3986 and the query as received', () => {
    const params = [
      ['b', 'a b'],
      ['a', "~*'"],
    ] as const;
    const r = { method: 'GET', path: '/p', params, rawQueryString: "b=a+b&a=~*'", hosts: ['h1', 'h2'] };
    const queries = [javaQuery(params), rawQuery(params), rfc3986Query(params), r.rawQueryString];
    assert.equal(new Set(queries).size, 4, 'four distinct query lines');
    const expected = r.hosts.flatMap((h) => queries.map((q) => canonicalString('1:2', 'GET', h, '/p', q)));
    assert.deepEqual([...canonicalCandidates('1:2', r)], expected);
    // Each is accepted, the last one too.
    for (const c of expected) assert.equal(verifyMac('k', '1:2', macOf('k', c), r), true);
  });
  it('a non-empty query is always signed: no candidate without the query line', () => {
    const r = { method: 'GET', path: '/p', params: [['a', '1']] as const, rawQueryString: 'a=1', hosts: ['h'] };
    assert.deepEqual([...canonicalCandidates('1:2', r)], ['1:2\nGET\nh\n/p\na=1\n']);
    assert.equal(verifyMac('k', '1:2', macOf('k', '1:2\nGET\nh\n/p\n'), r), false);
    assert.equal(verifyMac('k', '1:2', macOf('k', '1:2\nGET\nh\n/p\na=1\n'), r), true);
  });
});

describe('MAC header parser (§5.3 spellings)', () => {
  const want = { accessToken: 'a+b%2Bc', nonce: '-70:29000000', mac: 'Gph/N=' };
  it('Java/Android: all three URL-encoded', () => {
    const h = 'MAC access_token="a%2Bb%252Bc", nonce="-70%3A29000000",mac="Gph%2FN%3D"';
    assert.deepEqual(parseMacHeader(h), want);
  });
  it('PHP: raw token and nonce, trailing space', () => {
    assert.deepEqual(parseMacHeader('MAC access_token="tok+1", nonce="1804289383:29000000",mac="Gph%2FN%3D" '), {
      accessToken: 'tok+1',
      nonce: '1804289383:29000000',
      mac: 'Gph/N=',
    });
  });
  it('C#/iOS: no spaces; doc: space before comma; lower-case scheme; unquoted', () => {
    assert.deepEqual(parseMacHeader('MAC access_token="t",nonce="1%3A2",mac="m%3D"'), { accessToken: 't', nonce: '1:2', mac: 'm=' });
    assert.deepEqual(parseMacHeader('MAC access_token="t",nonce="1:2" ,mac="m="'), { accessToken: 't', nonce: '1:2', mac: 'm=' });
    assert.deepEqual(parseMacHeader('mac access_token = t , nonce = 1:2 , mac = m='), { accessToken: 't', nonce: '1:2', mac: 'm=' });
  });
  it('bad escapes keep the raw value; missing keys or other schemes → null', () => {
    assert.equal(parseMacHeader('MAC access_token="t%zz",nonce="1:2",mac="m"')?.accessToken, 't%zz');
    assert.equal(parseMacHeader('MAC access_token="t",nonce="1:2"'), null);
    assert.equal(parseMacHeader('Bearer abc'), null);
    assert.equal(isMacScheme('MAC x'), true);
    assert.equal(isMacScheme('Bearer x'), false);
  });
  it('runs in linear time on long whitespace (fuzzing found cubic backtracking: 1,000 spaces took 1.3 s)', () => {
    for (const h of [`MAC a=${' '.repeat(LONG_INPUT)}"`, `MAC a=x${' '.repeat(LONG_INPUT)}"`, `MAC a=x${'\t'.repeat(LONG_INPUT)}y"`]) {
      assert.ok(timeMs(() => parseMacHeader(h)) < LINEAR_BUDGET_MS, `${JSON.stringify(h.slice(0, 12))}… (${h.length} chars)`);
    }
    // What the grammar accepts is unchanged: quoted or bare values, spaces around = and ,.
    assert.deepEqual(parseMacHeader(`MAC access_token = "t"${' '.repeat(100)},nonce=1:2 ,mac= m=  `), {
      accessToken: 't',
      nonce: '1:2',
      mac: 'm=',
    });
    assert.equal(parseMacHeader('MAC access_token="t,nonce="1:2",mac="m"'), null);
    assert.equal(parseMacHeader('MAC access_token=t",nonce="1:2",mac="m"'), null);
    assert.equal(parseMacHeader('MAC access_token="t"x,nonce="1:2",mac="m"'), null);
    assert.deepEqual(parseMacHeader('MAC access_token="",access_token=t,nonce="1:2",mac="="'), {
      accessToken: 't',
      nonce: '1:2',
      mac: '=',
    });
  });
});

describe('MAC header scheme and items (mutation testing)', () => {
  const ok = { accessToken: 't', nonce: '1:2', mac: 'm' };
  it('the scheme is the word MAC, any case, optionally after whitespace', () => {
    assert.deepEqual(parseMacHeader(' \tMAC access_token=t,nonce=1:2,mac=m'), ok);
    for (const h of [
      'HMAC access_token=t,nonce=1:2,mac=m',
      'Bearer MAC access_token=t,nonce=1:2,mac=m',
      'MACaccess_token=t,nonce=1:2,mac=m',
    ]) {
      assert.equal(parseMacHeader(h), null, h);
    }
    for (const h of ['MAC', 'mac', ' MAC', 'MAC access_token=t', 'Mac\tx']) assert.equal(isMacScheme(h), true, h);
    for (const h of ['HMAC x', 'Bearer MAC x', 'MACx', 'MAC,x', '']) assert.equal(isMacScheme(h), false, h);
  });
  it('an item without "=" names no key', () => {
    assert.equal(parseMacHeader('MAC access_token=t,nonce=1:2,macX'), null);
    assert.equal(parseMacHeader('MAC access_token=t,nonce=1:2,mac'), null);
  });
  it('a quoted value needs both quotes; a bare one none', () => {
    assert.equal(parseMacHeader('MAC access_token="t",nonce="1:2",mac="mm'), null);
    assert.equal(parseMacHeader('MAC access_token=tt",nonce="1:2",mac="m"'), null);
    assert.equal(parseMacHeader('MAC access_token=t"t,nonce="1:2",mac="m"'), null);
  });
  it('a malformed item is skipped; a later well-formed one replaces an earlier value', () => {
    assert.deepEqual(parseMacHeader('MAC access_token=t,access_token=",nonce=1:2,mac=m'), ok);
    assert.deepEqual(parseMacHeader('MAC access_token=t,access_token="x,nonce=1:2,mac=m'), ok);
    assert.equal(parseMacHeader('MAC access_token=t,access_token="",nonce=1:2,mac=m'), null);
  });
});

describe('MAC nonces (§5.4 step 3)', () => {
  const now = 29_000_000 * 60_000 + 30_000;
  it('formats', () => {
    assert.deepEqual(parseNonce('-7074946390124233411:29000000'), { random: '-7074946390124233411', minutes: 29000000 });
    assert.deepEqual(parseNonce('1804289383:29000000', true), { random: '1804289383', minutes: 29000000 });
    assert.equal(parseNonce('1.8042e9:29000000', true)?.minutes, 29000000);
    assert.equal(parseNonce('abc:29000000', true), null);
    assert.equal(parseNonce('abc:29000000')?.random, 'abc');
    assert.equal(parseNonce('29000000'), null);
    assert.equal(parseNonce('1:x'), null);
  });
  it('window ±15 minutes', () => {
    const w = { windowMinutes: 15, csharpCompat: false };
    assert.equal(nonceTimeOk(29_000_015, now, w), true);
    assert.equal(nonceTimeOk(28_999_985, now, w), true);
    assert.equal(nonceTimeOk(29_000_016, now, w), false);
    assert.equal(nonceTimeOk(28_999_984 - 480, now, w), false);
  });
  it('C# offsets: −480 min (UTC host) and other whole-15 offsets accepted, beyond 14 h refused', () => {
    const w = { windowMinutes: 15, csharpCompat: true };
    assert.equal(nonceTimeOk(29_000_000 - 480, now, w), true);
    assert.equal(nonceTimeOk(29_000_000 - 480 + 3, now, w), true);
    assert.equal(nonceTimeOk(29_000_000 + 330, now, w), true);
    assert.equal(nonceTimeOk(29_000_000 - 14 * 60 - 15, now, w), true);
    assert.equal(nonceTimeOk(29_000_000 - 14 * 60 - 16, now, w), false);
    assert.equal(nonceTimeOk(29_000_000 - 2000, now, w), false);
  });
  it('replay memory outlives the acceptance window', () => {
    const w = { windowMinutes: 15, csharpCompat: false };
    const ttl = replayTtlMs(29_000_000, now, w);
    assert.ok(ttl >= 15 * 60_000 && ttl <= 18 * 60_000, String(ttl));
    assert.ok(!nonceTimeOk(29_000_000, now + ttl, w));
  });
  it('offset steps: 0 within the window, the C# step otherwise; pinned replay memory stays ~2W', () => {
    const w = { windowMinutes: 15, csharpCompat: true };
    assert.equal(nonceOffsetSteps(29_000_010, now, w), 0);
    assert.equal(nonceOffsetSteps(29_000_000 - 480, now, w), -32);
    assert.equal(nonceOffsetSteps(29_000_000 + 330 + 7, now, w), 22);
    assert.equal(nonceOffsetSteps(29_000_000 - 2000, now, w), null);
    assert.equal(nonceOffsetSteps(29_000_000 - 480, now, { ...w, csharpCompat: false }), null);
    assert.equal(nonceWithinOffset(29_000_000 - 480 + 10, now, -32, w), true);
    assert.equal(nonceWithinOffset(29_000_000, now, -32, w), false);
    const ttl = replayTtlMs(29_000_000 - 480, now, w, -32);
    assert.ok(ttl >= 15 * 60_000 && ttl <= 18 * 60_000, String(ttl));
    assert.ok(!nonceWithinOffset(29_000_000 - 480, now + ttl, -32, w));
  });
  it('new nonces look like Java nextLong:minutes', () => {
    assert.equal(newNonce(now, 2n ** 64n - 5n), '-5:29000000');
  });
});

describe('nonce edges (mutation testing)', () => {
  const now = 29_000_000 * 60_000;
  it('the nonce grammars are anchored at both ends', () => {
    for (const bad of ['x1:29000000', '1:29000000x', ':1:2x', '1:2\n']) assert.equal(parseNonce(bad, true), null, bad);
    for (const bad of ['a:29000000x', 'a:29000000 ', 'a:b:1', 'a:b:1x']) assert.equal(LENIENT_NONCE_RE.test(bad), false, bad);
    assert.deepEqual(parseNonce('a.b:-12'), { random: 'a.b', minutes: -12 });
    assert.deepEqual(parseNonce('-70:29000000', true), { random: '-70', minutes: 29000000 });
  });
  it('a minute count beyond a safe integer is refused', () => {
    assert.equal(parseNonce('1:99999999999999999999'), null);
    assert.equal(parseNonce('1:9007199254740992'), null);
  });
  it('the window is inclusive, and C# offsets are accepted by default', () => {
    assert.equal(DEFAULT_NONCE_WINDOW.csharpCompat, true);
    assert.equal(nonceWithinOffset(29_000_000 + 15, now, 0), true);
    assert.equal(nonceWithinOffset(29_000_000 + 16, now, 0), false);
    assert.equal(nonceWithinOffset(29_000_000 + 8 * 60 - 15, now, 32), true);
    assert.equal(nonceTimeOk(29_000_000 - 8 * 60, now), true, 'a C# client eight hours off');
  });
});
