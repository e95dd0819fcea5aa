import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildRedirect,
  matchRedirectUri,
  REMEMBERED_ANSWERS,
  rememberedAnswers,
  rememberedKeyChars,
  sameRedirectHost,
} from '../../../src/core/account/redirect-uri.ts';
import { ATTACKS } from './redirect-attacks.ts';

// Documented examples (account-protocol §3.3) and attack shapes that must never match.
const REG = 'https://abc.com/oauth';
const GUIDE = 'https://mi.com/login.php;http://miui.com/login.php';

describe('matchRedirectUri', () => {
  test('documented valid examples', () => {
    assert.equal(matchRedirectUri('https://abc.com/oauth?x=1&y=2', REG), true);
    assert.equal(matchRedirectUri('https://x.abc.com/oauth?x=1&y=2', REG), true);
    assert.equal(matchRedirectUri('https://x.abc.com/oauth/path?x=1&y=2', REG), true);
    assert.equal(matchRedirectUri('https://a.mi.com/login.php?x=1&y=2z=3', GUIDE), true);
    assert.equal(matchRedirectUri('http://b.miui.com/login.php?x=1&y=2z=3', GUIDE), true);
  });

  test('documented invalid examples', () => {
    assert.equal(matchRedirectUri('http://abc.com/oauth?x=1&y=2', REG), false);
    assert.equal(matchRedirectUri('https://abc.com:8080/oauth?x=1&y=2', REG), false);
    assert.equal(matchRedirectUri('http://*.mi.com/login.php?x=1&y=2z=3', GUIDE), false);
  });

  test('default ports, scheme case, host case, fragment ignored', () => {
    assert.equal(matchRedirectUri('https://abc.com:443/oauth', REG), true);
    assert.equal(matchRedirectUri('HTTPS://ABC.com/oauth', REG), true);
    assert.equal(matchRedirectUri('https://abc.com/oauth#frag', REG), true);
    assert.equal(matchRedirectUri('https://abc.com:8080/oauth', 'https://abc.com:8080/oauth'), true);
    assert.equal(matchRedirectUri('https://abc.com/oauth', 'https://abc.com:8080/oauth'), false);
  });

  test('path prefix: plain string prefix; case-sensitive', () => {
    assert.equal(matchRedirectUri('https://abc.com/oauthx', REG), true);
    assert.equal(matchRedirectUri('https://abc.com/oauth/x', REG), true);
    assert.equal(matchRedirectUri('https://abc.com/OAUTH', REG), false);
    assert.equal(matchRedirectUri('https://abc.com/other', REG), false);
    assert.equal(matchRedirectUri('https://abc.com/anything', 'https://abc.com'), true);
  });

  test('custom schemes compare scheme, host and path', () => {
    assert.equal(matchRedirectUri('com.example.app://callback/done', 'com.example.app://callback'), true);
    assert.equal(matchRedirectUri('com.evil.app://callback', 'com.example.app://callback'), false);
  });

  test('exact mode needs a byte-identical entry', () => {
    const reg = 'https://abc.com/oauth;https://abc.com/cb?x=1';
    assert.equal(matchRedirectUri('https://abc.com/oauth', reg, { exact: true }), true);
    assert.equal(matchRedirectUri('https://abc.com/cb?x=1', reg, { exact: true }), true);
    assert.equal(matchRedirectUri('https://abc.com/oauth/x', reg, { exact: true }), false);
    assert.equal(matchRedirectUri('https://x.abc.com/oauth', reg, { exact: true }), false);
    assert.equal(matchRedirectUri('https://abc.com/oauth?x=1', reg, { exact: true }), false);
  });

  test('IP literals never match subdomains', () => {
    assert.equal(matchRedirectUri('http://127.0.0.1:8000/cb', 'http://127.0.0.1:8000/cb'), true);
    assert.equal(matchRedirectUri('http://1.127.0.0.1:8000/cb', 'http://127.0.0.1:8000/cb'), false);
  });

  test('an empty path is the path /', () => {
    assert.equal(matchRedirectUri('https://abc.com', 'https://abc.com/'), true);
    assert.equal(matchRedirectUri('https://abc.com?x=1', 'https://abc.com/'), true);
    assert.equal(matchRedirectUri('https://abc.com', 'https://abc.com'), true);
    assert.equal(matchRedirectUri('https://abc.com', REG), false);
  });

  test('javascript:, data:, file: and vbscript: URIs never match, even when registered', () => {
    for (const scheme of ['javascript', 'data', 'file', 'vbscript', 'JavaScript', 'FILE']) {
      assert.equal(matchRedirectUri(`${scheme}://abc.com/oauth`, `${scheme.toLowerCase()}://abc.com/oauth`), false, scheme);
    }
  });

  test('a dot segment at the end of the path is a dot segment too', () => {
    for (const uri of [
      'https://abc.com/oauth/..',
      'https://abc.com/oauth/.',
      'https://abc.com/oauth/x/..?y=1',
      'https://abc.com/oauth/..#f',
    ]) {
      assert.equal(matchRedirectUri(uri, REG), false, uri);
    }
    assert.equal(matchRedirectUri('https://abc.com/oauth/..x', REG), true);
  });

  test(`attack shapes (${ATTACKS.length}) never match`, () => {
    assert.ok(ATTACKS.length >= 20);
    for (const [name, uri] of ATTACKS) {
      assert.equal(matchRedirectUri(uri, `${REG};https://abc.com/`), false, name);
    }
  });

  test('a repeated question gets the same answer; answers are kept apart by every input', () => {
    // Answers are remembered (redirect-uri.ts): the same requested URI against another list, in
    // exact mode, or split differently between the two strings must be answered afresh.
    for (let i = 0; i < 3; i++) {
      assert.equal(matchRedirectUri('https://abc.com/oauth/cb', REG), true);
      assert.equal(matchRedirectUri('https://abc.com/oauth/cb', 'https://other.com/oauth'), false);
      assert.equal(matchRedirectUri('https://abc.com/oauth/cb', REG, { exact: true }), false);
      assert.equal(matchRedirectUri('https://abc.com/oauth/cb', 'https://abc.com/oauth/cb', { exact: true }), true);
      assert.equal(matchRedirectUri('https://abc.com/oauth/cb', 'https://abc.com/oauth/cb', { exact: false }), true);
      assert.equal(matchRedirectUri('https://abc.com/oauth', 'https://abc.com/oauth'), true);
      assert.equal(matchRedirectUri('https://abc.com/oau', 'thhttps://abc.com/oauth'), false);
    }
  });

  test('more questions than are remembered are still answered right, and the answers kept stay bounded', () => {
    for (let i = 0; i < 2500; i++) {
      assert.equal(matchRedirectUri(`https://h${i}.abc.com/oauth`, REG), true);
      assert.equal(matchRedirectUri(`https://h${i}.abd.com/oauth`, REG), false);
    }
    assert.equal(rememberedAnswers(), REMEMBERED_ANSWERS);
  });

  test('a requested URI too long to match is refused and not remembered', () => {
    const kept = rememberedKeyChars();
    const long = `https://abc.com/oauth/${'a'.repeat(100_000)}`;
    for (let i = 0; i < 3; i++) assert.equal(matchRedirectUri(`${long}${i}`, REG), false);
    assert.ok(rememberedKeyChars() < kept + 100_000);
    assert.equal(matchRedirectUri(`https://abc.com/oauth/${'a'.repeat(2000)}`, REG), true);
  });
});

describe('buildRedirect', () => {
  test('keeps the base exactly, appends with ? or &, drops the fragment', () => {
    assert.equal(
      buildRedirect('https://A.example.com/CB', [
        ['code', 'x'],
        ['state', undefined],
      ]),
      'https://A.example.com/CB?code=x',
    );
    assert.equal(
      buildRedirect('https://a.com/cb?x=1#f', [
        ['code', 'x'],
        ['state', 's+1 &'],
      ]),
      'https://a.com/cb?x=1&code=x&state=s%2B1%20%26',
    );
    assert.equal(
      buildRedirect(
        'https://a.com/cb#f',
        [
          ['access_token', 'a'],
          ['expires_in', 10],
        ],
        'fragment',
      ),
      'https://a.com/cb#access_token=a&expires_in=10',
    );
  });
  test('a base that is only a fragment keeps nothing of it', () => {
    assert.equal(buildRedirect('#f', [['code', 'x']]), '?code=x');
  });
  test('never throws: a lone surrogate in a value is sent as U+FFFD (fuzzing found a URIError)', () => {
    assert.equal(buildRedirect('https://a.com/cb', [['state', 'a\ud800b']]), 'https://a.com/cb?state=a%EF%BF%BDb');
    assert.equal(buildRedirect('https://a.com/cb', [['state', "!'()*~"]]), "https://a.com/cb?state=!'()*~");
  });
});

describe('sameRedirectHost', () => {
  test('the same host, case-insensitive, whatever the path, query, port or scheme', () => {
    assert.equal(sameRedirectHost('https://app.example.com/cb?x=1', 'https://APP.example.com/other#f'), true);
    assert.equal(sameRedirectHost('https://app.example.com:8443/cb', 'http://app.example.com/cb'), true);
  });
  test('another host, a subdomain, or an unparseable URI is not the same host', () => {
    assert.equal(sameRedirectHost('https://app.example.com/cb', 'https://evil.example.com/cb'), false);
    assert.equal(sameRedirectHost('https://a.app.example.com/cb', 'https://app.example.com/cb'), false);
    assert.equal(sameRedirectHost('https://app.example.com/cb', 'not a uri'), false);
    assert.equal(sameRedirectHost('not a uri', 'https://app.example.com/cb'), false);
    assert.equal(sameRedirectHost('not a uri', 'not a uri'), false);
    assert.equal(sameRedirectHost('https://app.example.com/../cb', 'https://app.example.com/../cb'), false);
  });
  test('a remembered answer is the same answer, and never another pair’s or matchRedirectUri’s', () => {
    const pairs: Array<[string, string, boolean]> = [
      ['https://h.example.com', 'https://h.example.com', true],
      // The same two strings end to end as the pair above, but other hosts.
      ['https://h.example.comh', 'ttps://h.example.com', false],
      ['https://app.example.com/cb', 'https://app.example.com/c', true],
      ['https://app.example.com/cb', 'https://evil.example.com/cb', false],
    ];
    for (let round = 0; round < 2; round++) {
      for (const [a, b, same] of pairs) assert.equal(sameRedirectHost(a, b), same, `${a} ${b} (round ${round})`);
      // The same two strings asked of both, answered differently: a path outside the registered
      // one on the same host, and a subdomain of the registered host.
      assert.equal(matchRedirectUri('https://app.example.com/other', 'https://app.example.com/cb'), false);
      assert.equal(sameRedirectHost('https://app.example.com/other', 'https://app.example.com/cb'), true);
      assert.equal(sameRedirectHost('https://a.app.example.com/cb', 'https://app.example.com/cb'), false);
      assert.equal(matchRedirectUri('https://a.app.example.com/cb', 'https://app.example.com/cb'), true);
    }
    const long = `https://app.example.com/${'a'.repeat(100_000)}`;
    const chars = rememberedKeyChars();
    assert.equal(sameRedirectHost(long, 'https://app.example.com/cb'), false);
    assert.equal(sameRedirectHost('https://app.example.com/cb', long), false);
    assert.ok(rememberedKeyChars() < chars + 100_000, 'a URI too long to parse is not remembered');
  });
});
