// `_xmSign` (account-protocol §7.4, §13 item 19) and java.net.URI.getHost() emulation.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { buildXmCallback, javaUriHost, javaUriPath, xmSign, xmSignCanonical } from '../../../src/core/account/xm-sign.ts';

const SECRET = 'ORhx44qK6Alqf8vt2rGB5f-oPq0';
const NONCE = '5964262989045079397:24012419';
const CODE = '93D6A6663C1095587F68281E654D5526';

describe('_xmSign vectors', () => {
  it('doc callback http://third_url.com/xm → m/M1Ia6fOBfKWUbae5G5UXnqh5I= (empty host line)', () => {
    const url = `http://third_url.com/xm?xmResult=true&xmUserId=1909031&code=${CODE}`;
    assert.equal(xmSignCanonical(NONCE, url), `${NONCE}\nGET\n\n/xm\ncode=${CODE}&xmResult=true&xmUserId=1909031\n`);
    assert.equal(xmSign(SECRET, NONCE, url), 'm/M1Ia6fOBfKWUbae5G5UXnqh5I=');
    assert.equal(xmSign(SECRET, NONCE, url, 'empty'), 'm/M1Ia6fOBfKWUbae5G5UXnqh5I=');
  });
  it('second vector https://app.example.com/xm/cb → JRW3ehUyb43uObRSQC7tfYc1Sis=; failure variant', () => {
    assert.equal(
      xmSign(SECRET, NONCE, `https://app.example.com/xm/cb?xmResult=true&xmUserId=1909031&code=${CODE}`),
      'JRW3ehUyb43uObRSQC7tfYc1Sis=',
    );
    assert.equal(xmSign(SECRET, NONCE, 'https://app.example.com/xm/cb?xmResult=false&xmUserId=1909031'), 'OnHI+oUXTLLmS+HPKcZZUV3gVAk=');
  });
  it('the rejected alternatives give the values the spec lists', () => {
    // Host third_url.com written out, or a literal "null", do not reproduce the doc signature.
    const c = `${NONCE}\nGET\nthird_url.com\n/xm\ncode=${CODE}&xmResult=true&xmUserId=1909031\n`;
    assert.equal(createHmac('sha1', SECRET).update(c).digest('base64'), 'PwxaQnkN6N99ZAF+p/v+hUIB/uw=');
    const n = c.replace('third_url.com', 'null');
    assert.equal(createHmac('sha1', SECRET).update(n).digest('base64'), '+Wb7DEIBfol/BObpUjCehdgu3cE=');
  });
  it('buildXmCallback emits the doc parameter order and a verifiable signature', () => {
    const url = buildXmCallback('https://app.example.com/xm/cb', { xmResult: true, xmUserId: '1909031', code: CODE }, NONCE, SECRET);
    assert.equal(
      url,
      `https://app.example.com/xm/cb?xmResult=true&xmUserId=1909031&code=${CODE}&_xmNonce=5964262989045079397%3A24012419&_xmSign=JRW3ehUyb43uObRSQC7tfYc1Sis%3D`,
    );
    const u = new URL(url);
    assert.equal(xmSign(SECRET, u.searchParams.get('_xmNonce') ?? '', url), u.searchParams.get('_xmSign'));
    const fail = buildXmCallback(
      'https://app.example.com/xm/cb?a=1#frag',
      { xmResult: false, xmUserId: '1909031', code: CODE },
      NONCE,
      SECRET,
    );
    assert.match(fail, /^https:\/\/app\.example\.com\/xm\/cb\?a=1&xmResult=false&xmUserId=1909031&_xmNonce=/);
    assert.equal(xmSign(SECRET, NONCE, fail), decodeURIComponent(new URL(fail).searchParams.get('_xmSign') ?? ''));
  });
});

describe('the canonical string (§7.4)', () => {
  it('a callback without a query signs an empty query line', () => {
    assert.equal(xmSignCanonical(NONCE, 'https://app.example.com/xm/cb'), `${NONCE}\nGET\napp.example.com\n/xm/cb\n\n`);
    assert.equal(xmSignCanonical(NONCE, 'https://app.example.com/xm/cb#a=1'), `${NONCE}\nGET\napp.example.com\n/xm/cb\n\n`);
  });
  it("host mode 'empty' signs an empty host line whatever the host", () => {
    const url = 'https://app.example.com/xm/cb?b=2&a=1&_xmNonce=n&_xmSign=s';
    assert.equal(xmSignCanonical(NONCE, url), `${NONCE}\nGET\napp.example.com\n/xm/cb\na=1&b=2\n`);
    assert.equal(xmSignCanonical(NONCE, url, 'uri'), `${NONCE}\nGET\napp.example.com\n/xm/cb\na=1&b=2\n`);
    assert.equal(xmSignCanonical(NONCE, url, 'empty'), `${NONCE}\nGET\n\n/xm/cb\na=1&b=2\n`);
    assert.equal(
      xmSign(SECRET, NONCE, url, 'empty'),
      createHmac('sha1', SECRET).update(`${NONCE}\nGET\n\n/xm/cb\na=1&b=2\n`).digest('base64'),
    );
  });
});

describe('buildXmCallback separators (found by fuzzing)', () => {
  it("a callback whose query ends in '?' gets '&' first: its last value does not swallow xmResult", () => {
    for (const cb of ['https://app.example.com/cb?a=1?', 'https://app.example.com/cb??']) {
      const url = buildXmCallback(cb, { xmResult: false, xmUserId: '1909031' }, NONCE, SECRET);
      const q = new URL(url).searchParams;
      assert.equal(q.get('xmResult'), 'false', url);
      assert.equal(q.get('xmUserId'), '1909031', url);
      assert.equal(xmSign(SECRET, NONCE, url), q.get('_xmSign'), url);
    }
    assert.equal(
      new URL(buildXmCallback('https://app.example.com/cb?a=1?', { xmResult: false, xmUserId: '1' }, NONCE, SECRET)).searchParams.get('a'),
      '1?',
    );
    // Unchanged: no query, an empty query, a query ending in '&'.
    for (const [cb, joined] of [
      ['https://app.example.com/cb', 'https://app.example.com/cb?xmResult'],
      ['https://app.example.com/cb?', 'https://app.example.com/cb?xmResult'],
      ['https://app.example.com/cb?a=1&', 'https://app.example.com/cb?a=1&xmResult'],
      ['https://app.example.com/cb?a=1', 'https://app.example.com/cb?a=1&xmResult'],
    ]) {
      assert.ok(buildXmCallback(cb ?? '', { xmResult: false, xmUserId: '1' }, NONCE, SECRET).startsWith(joined ?? ''), cb);
    }
  });
});

describe('java.net.URI.getHost() emulation', () => {
  const cases: Array<[string, string | null]> = [
    ['http://third_url.com/xm', null],
    ['http://a-.com/', null],
    ['http://example.123/', null],
    ['http://abc.1abc/', null],
    ['http://1abc.com/', '1abc.com'],
    ['http://localhost:8080/x', 'localhost'],
    ['http://127.0.0.1:3000/cb', '127.0.0.1'],
    ['http://[::1]:80/', '[::1]'],
    ['https://App.Example.com./x', 'App.Example.com.'],
    ['https://user:pw@app.example.com:8443/x', 'app.example.com'],
    ['not a url', null],
    ['http://a.example.com/', 'a.example.com'], // one-character labels
    ['http://example.x/', 'example.x'],
    ['http://x/', 'x'],
    ['http://www.third_url.com/xm', null], // every label is checked, not only the first
    ['http://app.ex_ample/', null],
    ['http://10.20.30.40:8080/', '10.20.30.40'],
    ['http://1.2.3.4.5/', null],
    ['http://a1.2.3.4/', null],
    ['http://app.example.com:x/', null], // not a port: no server-based authority
    ['/relative?next=http://app.example.com/', null],
    ['1http://app.example.com/', null],
  ];
  for (const [url, host] of cases) it(`${url} → ${host}`, () => assert.equal(javaUriHost(url), host));
  it('path is decoded, / when empty', () => {
    assert.equal(javaUriPath('https://a.com'), '/');
    assert.equal(javaUriPath('https://a.com?x=1'), '/');
    assert.equal(javaUriPath('https://a.com/a%20b/c?x'), '/a b/c');
    assert.equal(javaUriPath('https://a.com/a%zz'), '/a%zz'); // a bad escape is signed as sent
  });
});
