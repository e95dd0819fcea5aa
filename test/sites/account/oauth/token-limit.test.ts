// The token endpoint's failure limit under concurrency (real HTTP): failures are reserved before a
// request is examined, so 150 concurrent bad requests cannot all be examined; successes give back.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { TOKEN_FAILURES_PER_IP } from '../../../../src/sites/account/oauth/token.ts';
import { dbBackends } from '../../../helpers/env.ts';
import { type Fixture, fixture, parseTokenBody } from '../../../helpers/oauth.ts';

describe('token endpoint failure limit', () => {
  let f: Fixture;
  before(async () => {
    // Over Redis and PostgreSQL (when available) checking and counting are separate round trips
    // with database work between them, as in production.
    f = await fixture({ redis: true, ...(dbBackends().includes('postgres') ? { backend: 'postgres' as const } : {}) });
  });
  after(async () => {
    await f.t.close();
  });

  // A client address of its own (through the trusted loopback proxy): the Redis counters are shared
  // with other test files and earlier runs.
  const ip = `2001:db8::${randomBytes(6).toString('hex').match(/.{4}/g)?.join(':')}`;
  const tokenRequest = (code: string) =>
    fetch(
      `${f.base}/oauth2/token?${new URLSearchParams({ client_id: f.clientId, client_secret: f.clientSecret, grant_type: 'authorization_code', code })}`,
      { headers: { 'x-forwarded-for': ip } },
    );

  test(`successes do not count; ${TOKEN_FAILURES_PER_IP + 50} concurrent failures: exactly ${TOKEN_FAILURES_PER_IP} examined`, async () => {
    for (let i = 0; i < 3; i++) {
      const code = await f.t.ctx.services.oauth.issueCode({
        clientId: f.clientId,
        userId: f.userId,
        scopes: [1],
        redirectUri: 'https://app.example.com/cb',
      });
      const ok = parseTokenBody(await (await tokenRequest(code)).text());
      assert.ok(ok.access_token, JSON.stringify(ok));
    }
    const answers = await Promise.all(
      Array.from({ length: TOKEN_FAILURES_PER_IP + 50 }, async (_, i) => {
        const r = await tokenRequest(`no-such-code-${i}`);
        return { retryAfter: r.headers.get('retry-after'), body: parseTokenBody(await r.text()) };
      }),
    );
    const limited = answers.filter((a) => a.body.error_description === 'too many failed requests, retry later');
    const examined = answers.filter((a) => a.body.error === 96013);
    assert.equal(examined.length, TOKEN_FAILURES_PER_IP);
    assert.equal(limited.length, 50);
    assert.ok(limited.every((a) => Number(a.retryAfter) >= 1));
  });
});
