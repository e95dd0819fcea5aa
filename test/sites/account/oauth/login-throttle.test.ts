// Login throttling under concurrency through real HTTP: attempts are reserved before the password
// is checked, one budget per typed login (normalized) whether it names a user or not.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Fixture, fixture, hidden, Jar, login, PASSWORD } from '../../../helpers/oauth.ts';

/** What a POST /login answered: invalid password, throttled, or signed in. */
const outcome = (r: Response) => {
  const loc = r.headers.get('location') ?? '';
  return /error=invalid/.test(loc) ? 'invalid' : /error=throttled/.test(loc) ? 'throttled' : 'ok';
};

describe('login throttle', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(async () => {
    await f.t.close();
  });

  test('60 concurrent wrong passwords: at most 3 free + 1 gated attempt reach the password check', async () => {
    await f.t.ctx.services.users.create({ account: 'dora', password: 'dora-password-1' });
    const jar = new Jar(f.base);
    const html = await (await jar.fetch('/login')).text();
    const csrf = hidden(html, 'csrf');
    const started = Date.now();
    const posts = Array.from({ length: 60 }, (_, i) =>
      jar.fetch('/login', {
        method: 'POST',
        form: { csrf, return_to: '/login', account: 'dora', password: i === 59 ? 'dora-password-1' : `w${i}` },
      }),
    );
    const got = (await Promise.all(posts)).map(outcome);
    const checked = got.filter((o) => o !== 'throttled').length;
    // 3 free attempts, then one per gate opening: at 0 s, and (on a loaded machine, if the burst
    // lasts that long) again after 1 s, 3 s, 7 s, …
    const openings = 1 + Math.floor(Math.log2(1 + (Date.now() - started) / 1000));
    assert.ok(checked <= 3 + openings, `${checked} attempts reached the password check: ${got.join(',')}`);
    assert.ok(checked >= 1);
    const failures = await f.t.ctx.services.audit.list({ type: 'login.failure' });
    assert.ok(failures.length <= 3 + openings, `${failures.length} failures audited`);
  });

  test('one key rule for known and unknown logins: a case variant reveals nothing', async () => {
    const jar = new Jar(f.base);
    // alice exists (account "alice"); "Alice" and "ALICE " are the same login for the throttle.
    const known = [];
    for (const name of ['Alice', 'Alice', 'ALICE ', 'alice', 'alice']) known.push(outcome(await login(jar, name, 'wrong')));
    assert.deepEqual(known, ['invalid', 'invalid', 'invalid', 'invalid', 'throttled']);
    // An unknown login and its variants go through the same steps and answers.
    const unknown = [];
    for (const name of ['Nobody', 'Nobody', 'NOBODY ', 'nobody', 'nobody']) unknown.push(outcome(await login(jar, name, 'wrong')));
    assert.deepEqual(unknown, known);
    // Another login of the same user has a budget of its own (the throttle never asks who it names).
    assert.equal(outcome(await login(jar, 'alice@example.com', 'wrong')), 'invalid');
    // Once the gate reopens the right password signs in and the login starts afresh.
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal(outcome(await login(jar, 'alice', PASSWORD)), 'ok');
    const fresh = new Jar(f.base);
    assert.equal(outcome(await login(fresh, 'alice', 'wrong')), 'invalid');
    assert.equal(outcome(await login(fresh, 'alice', PASSWORD)), 'ok');
  });
});
