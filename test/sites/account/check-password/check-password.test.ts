// /checkPassword through real HTTP (account-protocol §7, §13 item 19): validation pages, wrong then
// right password, cancel, the failure limit, CSRF; callbacks verified by recomputing _xmSign and
// redeeming the code at /oauth2/token.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { xmSign } from '../../../../src/core/account/xm-sign.ts';
import { MAX_FAILURES_PER_FLOW } from '../../../../src/sites/account/check-password/routes.ts';
import { startTestServer, type TestServer } from '../../../helpers/env.ts';
import { Agent } from '../../../helpers/open-api.ts';
import { type Seeded, seed } from '../../../helpers/seed.ts';

const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

describe('/checkPassword', () => {
  let t: TestServer;
  let s: Seeded;
  const callback = 'https://app.example.com/xm/cb?keep=1';
  const page = (q: Record<string, string>) => `/checkPassword?${new URLSearchParams(q)}`;
  const start = async (agent: Agent, cb = callback) => {
    const r = await agent.req(page({ clientId: s.clientId, xmUserId: s.userId, callback: cb }));
    assert.equal(r.status, 200, r.text);
    return { csrf: field(r.text, 'csrf'), flow: field(r.text, 'flow'), html: r.text };
  };

  before(async () => {
    // The suite starts far more flows from one address than a person would (the next test limits them).
    t = await startTestServer({ env: { OPAL_CHECK_PASSWORD_FLOWS_PER_MINUTE: '0' } });
    s = await seed(t.ctx);
  });
  after(async () => {
    await t.close();
  });

  it('shows the masked account, a password field and confirm/cancel buttons', async () => {
    const { html } = await start(new Agent(t.accountUrl));
    assert.match(html, /name="password"/);
    assert.match(html, /name="decision" value="confirm"/);
    assert.match(html, /name="decision" value="cancel"/);
    const masked = /id="masked-account">([^<]*)</.exec(html)?.[1] ?? '';
    assert.ok(masked.includes('*') && !masked.includes(s.account), masked);
    const zh = await new Agent(t.accountUrl).req(page({ clientId: s.clientId, xmUserId: s.userId, callback, _locale: 'zh_CN' }));
    assert.match(zh.text, /验证帐号密码/);
  });

  it('wrong then right password: signed callback whose code redeems at /oauth2/token', async () => {
    const agent = new Agent(t.accountUrl);
    const { csrf, flow } = await start(agent);
    const wrong = await agent.post('/checkPassword', { csrf, flow, password: 'not-it', decision: 'confirm' });
    assert.equal(wrong.status, 303);
    assert.match(wrong.location, /^\/checkPassword\?.*error=invalid/);
    const retry = await agent.req(wrong.location);
    assert.match(retry.text, /id="check-error"/);
    const right = await agent.post('/checkPassword', {
      csrf: field(retry.text, 'csrf'),
      flow: field(retry.text, 'flow'),
      password: s.password,
      decision: 'confirm',
    });
    assert.equal(right.status, 303);
    const loc = right.location;
    assert.ok(loc.startsWith('https://app.example.com/xm/cb?keep=1&xmResult=true&xmUserId='), loc);
    assert.match(loc, /&xmResult=true&xmUserId=\d+&code=[A-Za-z0-9_-]+&_xmNonce=-?\d+%3A\d+&_xmSign=[A-Za-z0-9%]+$/);
    const u = new URL(loc);
    assert.equal(u.searchParams.get('xmUserId'), s.userId);
    const nonce = u.searchParams.get('_xmNonce') ?? '';
    assert.ok(Math.abs(Number(nonce.split(':')[1]) - Math.floor(Date.now() / 60_000)) <= 1);
    assert.equal(xmSign(s.clientSecret, nonce, loc), u.searchParams.get('_xmSign'));
    assert.notEqual(xmSign('another-secret', nonce, loc), u.searchParams.get('_xmSign'));
    const token = await fetch(
      `${t.accountUrl}/oauth2/token?${new URLSearchParams({
        client_id: s.clientId,
        client_secret: s.clientSecret,
        grant_type: 'authorization_code',
        code: u.searchParams.get('code') ?? '',
        redirect_uri: 'https://app.example.com/cb',
      })}`,
    );
    const body = await token.text();
    assert.match(body, /^&&&START&&&\{/);
    const json = JSON.parse(body.slice('&&&START&&&'.length));
    assert.ok(json.access_token, body);
    const profile = await fetch(`${t.accountUrl}/user/profile?clientId=${s.clientId}&token=${json.access_token}`);
    assert.equal(((await profile.json()) as { data: { userId: string } }).data.userId, s.userId);
    // The flow is single use.
    const again = await agent.post('/checkPassword', { csrf, flow, password: s.password, decision: 'confirm' });
    assert.equal(again.status, 400);
  });

  it('cancel → xmResult=false, signed, without code', async () => {
    const agent = new Agent(t.accountUrl);
    const { csrf, flow } = await start(agent, 'https://sub.app.example.com/done');
    const r = await agent.post('/checkPassword', { csrf, flow, password: '', decision: 'cancel' });
    assert.equal(r.status, 303);
    const u = new URL(r.location);
    assert.equal(`${u.origin}${u.pathname}`, 'https://sub.app.example.com/done');
    assert.equal(u.searchParams.get('xmResult'), 'false');
    assert.equal(u.searchParams.get('code'), null);
    assert.equal(xmSign(s.clientSecret, u.searchParams.get('_xmNonce') ?? '', r.location), u.searchParams.get('_xmSign'));
  });

  it(`${MAX_FAILURES_PER_FLOW} wrong passwords → xmResult=false (waiting out the password throttle)`, async () => {
    // Its own user: the throttle's gate stays closed for a moment after the last guess.
    const erin = await t.ctx.services.users.create({ account: 'erin', password: 'erin-password-1' });
    const agent = new Agent(t.accountUrl);
    const first = await agent.req(page({ clientId: s.clientId, xmUserId: erin.userId, callback }));
    const csrf = field(first.text, 'csrf');
    const flow = field(first.text, 'flow');
    let last = { status: 0, location: '', text: '' };
    let throttled = 0;
    for (let i = 0; i < MAX_FAILURES_PER_FLOW; ) {
      last = await agent.post('/checkPassword', { csrf, flow, password: `bad-${i}`, decision: 'confirm' });
      const wait = /error=throttled&wait=(\d+)/.exec(last.location);
      if (!wait) {
        i++;
        continue;
      }
      // Past the login throttle's free attempts, guesses are spaced by 1 s, 2 s, … (shown on the page).
      throttled++;
      const retry = await agent.req(last.location);
      assert.match(retry.text, /Try again in \d+ seconds/);
      await new Promise((r) => setTimeout(r, Number(wait[1]) * 1000));
    }
    assert.ok(throttled >= 1);
    assert.ok(last.location.startsWith('https://app.example.com/xm/cb?keep=1&xmResult=false&xmUserId='), last.location);
  });

  it('60 concurrent guesses on 60 flows: at most 3 free + 1 gated reach the password check', async () => {
    const victim = await t.ctx.services.users.create({ account: 'victim', password: 'victim-password-1' });
    const flows = await Promise.all(
      Array.from({ length: 60 }, async () => {
        const agent = new Agent(t.accountUrl);
        const r = await agent.req(page({ clientId: s.clientId, xmUserId: victim.userId, callback }));
        return { agent, csrf: field(r.text, 'csrf'), flow: field(r.text, 'flow') };
      }),
    );
    const started = Date.now();
    const got = await Promise.all(
      flows.map(({ agent, csrf, flow }, i) =>
        agent.post('/checkPassword', { csrf, flow, password: i === 59 ? 'victim-password-1' : `guess-${i}`, decision: 'confirm' }),
      ),
    );
    const outcome = (loc: string) =>
      /error=throttled/.test(loc) ? 'throttled' : /error=invalid/.test(loc) ? 'invalid' : loc.includes('xmResult=true') ? 'ok' : loc;
    const all = got.map((r) => outcome(r.location));
    const checked = all.filter((o) => o !== 'throttled');
    // 3 free attempts, then one per gate opening: at 0 s, and (on a loaded machine, if the burst
    // lasts that long) again after 1 s, 3 s, 7 s, …
    const openings = 1 + Math.floor(Math.log2(1 + (Date.now() - started) / 1000));
    assert.ok(checked.length <= 3 + openings, `${checked.length} guesses reached the password check: ${all.join(',')}`);
    const wrong = await t.ctx.services.audit.list({ type: 'check_password.wrong' });
    assert.ok(wrong.filter((e) => e.subject === victim.userId).length <= 3 + openings);
  });

  it('a missing or wrong CSRF token changes nothing', async () => {
    const agent = new Agent(t.accountUrl);
    const { flow } = await start(agent);
    const r = await agent.post('/checkPassword', { csrf: 'forged', flow, password: s.password, decision: 'confirm' });
    assert.equal(r.status, 303);
    assert.match(r.location, /^\/checkPassword\?.*error=csrf/);
    const other = new Agent(t.accountUrl);
    const r2 = await other.post('/checkPassword', { flow, password: s.password, decision: 'confirm' });
    assert.match(r2.location, /^\/checkPassword\?/);
  });

  it('19: the doc callback http://third_url.com/xm is signed with an empty host line', async () => {
    const { app, clientSecret } = await t.ctx.services.apps.create({ name: 'Doc App', redirectUris: 'http://third_url.com/', scopes: [1] });
    const agent = new Agent(t.accountUrl);
    const r = await agent.req(page({ clientId: app.clientId, xmUserId: s.userId, callback: 'http://third_url.com/xm' }));
    assert.equal(r.status, 200, r.text);
    const done = await agent.post('/checkPassword', {
      csrf: field(r.text, 'csrf'),
      flow: field(r.text, 'flow'),
      password: s.password,
      decision: 'confirm',
    });
    assert.ok(done.location.startsWith(`http://third_url.com/xm?xmResult=true&xmUserId=${s.userId}&code=`), done.location);
    const u = new URL(done.location);
    const nonce = u.searchParams.get('_xmNonce') ?? '';
    const canonical = `${nonce}\nGET\n\n/xm\ncode=${u.searchParams.get('code')}&xmResult=true&xmUserId=${s.userId}\n`;
    assert.equal(createHmac('sha1', clientSecret).update(canonical).digest('base64'), u.searchParams.get('_xmSign'));
    const withHost = canonical.replace('\n\n/xm', '\nthird_url.com\n/xm');
    assert.notEqual(createHmac('sha1', clientSecret).update(withHost).digest('base64'), u.searchParams.get('_xmSign'));
  });

  it('page views that start a flow are limited per client IP (429); coming back to a flow is not counted', async () => {
    const t2 = await startTestServer({ env: { OPAL_CHECK_PASSWORD_FLOWS_PER_MINUTE: '3' } });
    try {
      const s2 = await seed(t2.ctx);
      const q = { clientId: s2.clientId, xmUserId: s2.userId, callback };
      // The limit counts per clock minute: start well inside one.
      const left = 60_000 - (Date.now() % 60_000);
      if (left < 10_000) await sleep(left + 100);
      const agent = new Agent(t2.accountUrl);
      const first = await agent.req(page(q));
      assert.equal(first.status, 200);
      for (let i = 0; i < 2; i++) assert.equal((await agent.req(page(q))).status, 200);
      const refused = await agent.req(page(q));
      assert.equal(refused.status, 429);
      assert.match(refused.text, /Too many verifications/);
      assert.equal(refused.text.includes('name="flow"'), false);
      const back = await agent.req(page({ ...q, flow: field(first.text, 'flow') }));
      assert.equal(back.status, 200);
      assert.equal(field(back.text, 'flow'), field(first.text, 'flow'));
    } finally {
      await t2.close();
    }
  });

  it('OPAL_XM_SIGN_HOST_MODE=empty signs every callback with an empty host line', async () => {
    const t2 = await startTestServer({ env: { OPAL_XM_SIGN_HOST_MODE: 'empty' } });
    try {
      const s2 = await seed(t2.ctx);
      const agent = new Agent(t2.accountUrl);
      const r = await agent.req(page({ clientId: s2.clientId, xmUserId: s2.userId, callback }));
      const done = await agent.post('/checkPassword', {
        csrf: field(r.text, 'csrf'),
        flow: field(r.text, 'flow'),
        password: s2.password,
        decision: 'confirm',
      });
      const u = new URL(done.location);
      const nonce = u.searchParams.get('_xmNonce') ?? '';
      assert.equal(xmSign(s2.clientSecret, nonce, done.location, 'empty'), u.searchParams.get('_xmSign'));
      assert.notEqual(xmSign(s2.clientSecret, nonce, done.location, 'uri'), u.searchParams.get('_xmSign'));
    } finally {
      await t2.close();
    }
  });

  it('validation pages: 96002, 96001, 96010 (other domain, other port, scheme, userinfo)', async () => {
    const agent = new Agent(t.accountUrl);
    const check = async (q: Record<string, string>, code: number) => {
      const r = await agent.req(page(q));
      assert.equal(r.status, 400, JSON.stringify(q));
      assert.equal(r.location, '');
      assert.match(r.text, new RegExp(String(code)), JSON.stringify(q));
    };
    await check({ xmUserId: s.userId, callback }, 96002);
    await check({ clientId: '2882303761517999999', xmUserId: s.userId, callback }, 96001);
    await check({ clientId: s.clientId, xmUserId: s.userId }, 96010);
    for (const cb of [
      'https://evil.example/cb',
      'https://app.example.com:8443/cb',
      'javascript:alert(1)',
      'https://app.example.com@evil.example/',
      'https://evilapp.example.com/',
    ]) {
      await check({ clientId: s.clientId, xmUserId: s.userId, callback: cb }, 96010);
    }
    await check({ clientId: s.clientId, callback }, 96002);
  });

  it('96010 for a callback already carrying xmResult, xmUserId, code, _xmNonce or _xmSign (any spelling); no flow created', async () => {
    const agent = new Agent(t.accountUrl);
    // Watch the flows this server stores: a refused callback must not create one.
    const flowsWritten: string[] = [];
    const cache = t.ctx.cache;
    const set = cache.set.bind(cache);
    cache.set = (key, value, ttlMs) => {
      if (key.startsWith('checkpw:flow:')) flowsWritten.push(key);
      return set(key, value, ttlMs);
    };
    try {
      for (const cb of [
        'https://app.example.com/xm/cb?xmResult=true',
        'https://app.example.com/xm/cb?keep=1&xmUserId=1',
        'https://app.example.com/xm/cb?code=ATTACKER',
        'https://app.example.com/xm/cb?_xmNonce=1%3A2&_xmSign=forged',
        'https://app.example.com/xm/cb?XMRESULT=true',
        'https://app.example.com/xm/cb?%78mResult=true',
        'https://app.example.com/xm/cb?xmResult[]=true',
        'https://app.example.com/xm/cb?a=1;code=x',
        'https://app.example.com/xm/cb#_xmSign=x',
      ]) {
        const r = await agent.req(page({ clientId: s.clientId, xmUserId: s.userId, callback: cb }));
        assert.equal(r.status, 400, cb);
        assert.equal(r.location, '', cb);
        assert.match(r.text, /96010/, cb);
        assert.doesNotMatch(r.text, /name="(flow|password)"/, cb);
      }
      assert.deepEqual(flowsWritten, []);
      // The same request with a clean callback does create a flow (the watch above can see one).
      await start(agent);
      assert.equal(flowsWritten.length, 1);
    } finally {
      cache.set = set;
    }
  });
});
