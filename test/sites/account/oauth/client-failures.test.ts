// Every client-secret check shares the token endpoint's failure limit per client IP (issue 11,
// finding 6f): wrong secrets at /oauth2/introspect count, and once the address has used up its
// failures, introspection, revocation, the token endpoint and the passbook issuing API all refuse
// it, each in its own error shape, with Retry-After.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLIENT_FAILURES_PER_IP } from '../../../../src/sites/account/oauth/client-failures.ts';
import { type Fixture, fixture, parseTokenBody } from '../../../helpers/oauth.ts';

describe('client-secret failures share one limit', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(async () => {
    await f.t.close();
  });

  // A client address of its own (through the trusted loopback proxy).
  const ip = '2001:db8::6f';
  const post = (path: string, form: Record<string, string>) =>
    fetch(`${f.base}${path}`, { method: 'POST', headers: { 'x-forwarded-for': ip }, body: new URLSearchParams(form) });

  test(`${CLIENT_FAILURES_PER_IP} wrong secrets at introspect, then every secret check from that address is refused`, async () => {
    const wrong = { client_id: f.clientId, client_secret: 'not-the-secret', token: 'x' };
    for (let i = 0; i < CLIENT_FAILURES_PER_IP; i += 20) {
      const batch = await Promise.all(Array.from({ length: 20 }, () => post('/oauth2/introspect', wrong)));
      for (const r of batch) assert.equal(r.status, 401);
    }
    const introspect = await post('/oauth2/introspect', { ...wrong, client_secret: f.clientSecret });
    assert.equal(introspect.status, 400);
    assert.equal(((await introspect.json()) as { error_description: string }).error_description, 'too many failed requests, retry later');
    assert.ok(Number(introspect.headers.get('retry-after')) >= 1);

    const revoke = await post('/oauth2/revoke', { client_id: f.clientId, client_secret: f.clientSecret, token: 'x' });
    assert.equal(revoke.status, 400);

    const token = parseTokenBody(
      await (
        await post('/oauth2/token', { client_id: f.clientId, client_secret: f.clientSecret, grant_type: 'authorization_code', code: 'c' })
      ).text(),
    );
    assert.equal(token.error_description, 'too many failed requests, retry later');

    const passbook = await post('/app/pass_plan/create', { clientId: f.clientId, clientSecret: 'guess', title: 't' });
    const envelope = (await passbook.json()) as { result: string; description: string };
    assert.equal(envelope.result, 'error');
    assert.equal(envelope.description, 'too many failed requests, retry later');

    // Another address is not affected.
    const elsewhere = await fetch(`${f.base}/oauth2/introspect`, {
      method: 'POST',
      headers: { 'x-forwarded-for': '2001:db8::70' },
      body: new URLSearchParams({ ...wrong, client_secret: f.clientSecret }),
    });
    assert.equal(elsewhere.status, 200);
  });
});
