import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactText, redactUrl, SECRET_PARAMS } from '../../src/http/redact.ts';

describe('redactUrl', () => {
  it('leaves URLs without a query alone', () => {
    assert.equal(redactUrl('/oauth2/authorize'), '/oauth2/authorize');
  });

  it('replaces secret query values and keeps the rest', () => {
    assert.equal(
      redactUrl('/x?client_id=288&token=SECRET123&client_secret=X&state=s'),
      '/x?client_id=288&token=[redacted]&client_secret=[redacted]&state=s',
    );
  });

  it('matches names case-insensitively and percent-decoded', () => {
    assert.equal(
      redactUrl('/?Access_Token=a&%63ode=b&GalaxyAccessKeyId=k'),
      '/?Access_Token=[redacted]&%63ode=[redacted]&GalaxyAccessKeyId=k',
    );
    assert.equal(redactUrl('/b/o?Signature=sig&Expires=1'), '/b/o?Signature=[redacted]&Expires=1');
  });

  it('keeps valueless and malformed parameters as they are', () => {
    assert.equal(redactUrl('/?token&%E0%A4%A=1&code='), '/?token&%E0%A4%A=1&code=[redacted]');
  });

  it('knows the credentials of both protocols', () => {
    for (const name of ['access_token', 'refresh_token', 'code', 'client_secret', 'mac_key', 'password', 'signature', '_xmsign']) {
      assert.ok(SECRET_PARAMS.has(name), name);
    }
  });
});

describe('redactText', () => {
  it('redacts request targets quoted inside a message', () => {
    assert.equal(
      redactText('Route GET:/?token=SECRET123&client_secret=X&a=1 not found'),
      'Route GET:/?token=[redacted]&client_secret=[redacted]&a=1 not found',
    );
  });

  it('leaves other text unchanged', () => {
    assert.equal(redactText('listening on http://127.0.0.1:8080'), 'listening on http://127.0.0.1:8080');
    assert.equal(redactText('a=b and token=c'), 'a=b and token=c');
  });
});
