// The redirect explanation agrees with the matcher on every attack shape and on the accepted
// shapes, and names the rule that failed for each registered entry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainRedirect, unusableEntries } from '../../../src/core/account/redirect-explain.ts';
import { matchRedirectUri } from '../../../src/core/account/redirect-uri.ts';
import { ATTACKS } from './redirect-attacks.ts';

const REG = 'https://abc.com/oauth;https://abc.com/';

test('agrees with matchRedirectUri on every attack shape: refused, no entry "ok"', () => {
  for (const [name, uri] of ATTACKS) {
    const e = explainRedirect(uri, REG);
    assert.equal(e.matches, matchRedirectUri(uri, REG), name);
    assert.equal(e.matches, false, name);
    assert.ok(!e.entries.some((x) => x.rule === 'ok'), `${name}: ${JSON.stringify(e.entries)}`);
  }
});

test('names the failed rule per entry', () => {
  const rules = (uri: string, reg: string, exact = false) => explainRedirect(uri, reg, { exact }).entries.map((x) => x.rule);
  assert.deepEqual(rules('https://abc.com/oauth/cb', REG), ['ok', 'ok']);
  assert.deepEqual(rules('https://m.abc.com/oauth', REG), ['ok', 'ok']);
  assert.deepEqual(rules('http://abc.com/oauth', REG), ['scheme', 'scheme']);
  assert.deepEqual(rules('https://abc.com:8443/oauth', REG), ['port', 'port']);
  assert.deepEqual(rules('https://evilabc.com/oauth', REG), ['host', 'host']);
  assert.deepEqual(rules('https://abc.com/other', 'https://abc.com/oauth'), ['path']);
  assert.deepEqual(rules('http://127.0.0.2/cb', 'http://127.0.0.1/cb'), ['host']);
  assert.deepEqual(rules('https://abc.com/oauth/x', 'https://abc.com/oauth', true), ['exact']);
  assert.deepEqual(rules('https://abc.com/oauth', 'https://abc.com/oauth', true), ['ok']);
  assert.equal(explainRedirect('https://abc.com/oauth/x', 'https://abc.com/oauth', { exact: true }).matches, false);
  assert.equal(explainRedirect('https://abc.com/oauth/x', 'https://abc.com/oauth').matches, true);
  assert.deepEqual(rules('https://abc.com/%2e%2e/x', REG), ['malformed', 'malformed']);
  assert.deepEqual(rules('https://abc.com/x', 'not a uri;https://abc.com/'), ['registeredMalformed', 'ok']);
});

test('unusable registered entries', () => {
  assert.deepEqual(unusableEntries('https://ok.example/cb;https://u:p@x.example/;relative/path;javascript://x/'), [
    'https://u:p@x.example/',
    'relative/path',
    'javascript://x/',
  ]);
});
