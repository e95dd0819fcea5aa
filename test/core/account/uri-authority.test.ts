// The host and port rule shared by redirect URIs and checkPassword callbacks, and the decimal-id
// pattern.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isNumericId, NUMERIC_ID_PATTERN } from '../../../src/core/account/numeric-id.ts';
import { hostAndPortMatch, parseAuthority, registeredEntries } from '../../../src/core/account/uri-authority.ts';

const at = (uri: string, underscore = false) => {
  const a = parseAuthority(uri, { underscore });
  assert.ok(a, uri);
  return a;
};

test('parseAuthority: scheme and host lower-cased, effective port, raw path', () => {
  assert.deepEqual(parseAuthority('HTTPS://App.Example.com/Cb%20x?q#f'), {
    scheme: 'https',
    host: 'app.example.com',
    port: '443',
    rawPath: '/Cb%20x',
  });
  assert.equal(at('http://[::1]:8080').host, '[::1]');
  assert.equal(at('http://[::1]:8080').port, '8080');
  assert.equal(at('myapp://cb').port, '');
});

test('parseAuthority refuses what a browser would not navigate to as written', () => {
  for (const bad of [
    '',
    'no-scheme.example.com/x',
    'https://user@evil.example/',
    'https://evil.example\\@good.example/',
    'https://a b.example/',
    'https://ex%61mple.com/',
    'https://.example.com/',
    'https://example.com./',
    'https://*.example.com/',
    `https://example.com/${'a'.repeat(2048)}`,
  ]) {
    assert.equal(parseAuthority(bad), undefined, bad);
  }
  assert.equal(parseAuthority('http://third_url.com/xm'), undefined);
  assert.equal(at('http://third_url.com/xm', true).host, 'third_url.com');
});

test('hostAndPortMatch: same effective port, host equal or a subdomain, never for IP literals', () => {
  const reg = at('https://example.com/');
  assert.equal(hostAndPortMatch(at('https://example.com:443/x'), reg), true);
  assert.equal(hostAndPortMatch(at('https://a.b.example.com/'), reg), true);
  assert.equal(hostAndPortMatch(at('https://badexample.com/'), reg), false);
  assert.equal(hostAndPortMatch(at('https://example.com:8443/'), reg), false);
  const ip = { scheme: 'http', host: '127.0.0.1', port: '80', rawPath: '/' };
  assert.equal(hostAndPortMatch({ ...ip, host: 'evil.127.0.0.1' }, ip), false);
  assert.equal(hostAndPortMatch(at('http://127.0.0.1/'), at('http://127.0.0.1/')), true);
  assert.deepEqual(registeredEntries(' https://a/ ;;https://b/ '), ['https://a/', 'https://b/']);
});

test('decimal ids: 1-20 digits without a leading zero, as code and as a schema pattern', () => {
  for (const ok of ['1', '2882303761517000000', '9'.repeat(20)]) assert.equal(isNumericId(ok), true, ok);
  for (const bad of ['', '0', '0123', '1'.repeat(21), '12a', ' 1', '-1']) assert.equal(isNumericId(bad), false, bad);
  assert.equal(new RegExp(NUMERIC_ID_PATTERN).test('0123'), false);
});

test('parseAuthority: http defaults to port 80; IPv6 literals also with underscores allowed', () => {
  assert.equal(at('http://app.example.com/cb').port, '80');
  assert.deepEqual(at('http://[::1]:8080/cb', true), { scheme: 'http', host: '[::1]', port: '8080', rawPath: '/cb' });
  assert.deepEqual(at('http://[2001:db8::1]/cb', true), { scheme: 'http', host: '[2001:db8::1]', port: '80', rawPath: '/cb' });
});

test('parseAuthority: the scheme and "//" start the URI (a browser reads http:x.com/… as http://x.com/…)', () => {
  for (const uri of ['http:x.com/https://app.example.com/', 'http:/x.com/https://app.example.com/', '1https://app.example.com/']) {
    assert.equal(parseAuthority(uri), undefined, uri);
    assert.equal(parseAuthority(uri, { underscore: true }), undefined, uri);
  }
});

test('parseAuthority: at most 2048 characters', () => {
  const uri = (n: number) => `https://app.example.com/${'a'.repeat(n - 'https://app.example.com/'.length)}`;
  assert.equal(at(uri(2048)).host, 'app.example.com');
  assert.equal(parseAuthority(uri(2049)), undefined);
});

test('hostAndPortMatch: only dotted-decimal and bracketed hosts are IP literals', () => {
  // A host name that starts or ends with a digit still has subdomains (mail.163.com).
  assert.equal(hostAndPortMatch(at('https://mail.163.com/'), at('https://163.com/')), true);
  assert.equal(hostAndPortMatch(at('https://a.node1/'), at('https://node1/')), true);
});
