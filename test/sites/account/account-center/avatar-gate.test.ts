// Avatar processing goes through the process's image gate (lib/gate.ts), the one FDS image
// operations use: with every place taken, uploads wait in a line of bounded length, and uploads
// beyond it are refused at once with 503 `busy` (the page: back to the profile with the busy
// notice), changing nothing; so at no point are more than max + maxWaiting images held. When the
// places free up, every waiting upload completes. No timing: the test holds the places itself and
// watches the gate's counters.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { type Fixture, fixture, hidden, Jar, login, PASSWORD } from '../../../helpers/oauth.ts';

type Json = Record<string, unknown>;

describe('avatar uploads share the image gate', () => {
  let f: Fixture;
  let jar: Jar;
  let csrf = '';
  before(async () => {
    f = await fixture();
    jar = new Jar(f.base);
    await login(jar, f.account, PASSWORD);
    csrf = String(((await (await jar.fetch('/api/account')).json()) as Json).csrfToken);
  });
  after(async () => {
    await f?.t.close();
  });

  it('a full gate makes uploads wait, refuses those beyond its line with 503, and lets the waiting ones finish', async () => {
    const gate = f.t.ctx.services.imageGate;
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#0f766e' } })
      .png()
      .toBuffer();
    const upload = async () => {
      const r = await jar.fetch('/api/account/avatar', {
        method: 'PUT',
        headers: { 'x-csrf-token': csrf, 'content-type': 'image/png' },
        body: png,
      });
      return { status: r.status, retryAfter: r.headers.get('retry-after'), json: (await r.json()) as Json };
    };

    // Take every place of the gate (as FDS image operations would).
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const holders = Array.from({ length: gate.max }, () =>
      gate.run(
        () => held,
        () => new Error('full'),
      ),
    );
    assert.equal(gate.active, gate.max);

    // As many uploads as the line holds: they wait.
    const waiting = Array.from({ length: gate.maxWaiting }, upload);
    while (gate.waiting < gate.maxWaiting) await new Promise((r) => setTimeout(r, 20));

    // Beyond the line: refused at once, nothing changed, the line no longer.
    const refused = await Promise.all(Array.from({ length: 5 }, upload));
    for (const r of refused) {
      assert.equal(r.status, 503);
      assert.equal(r.json.error, 'busy');
      assert.equal(r.retryAfter, '1');
    }
    const page = await jar.fetch('/account/profile');
    const form = new FormData();
    form.set('csrf', hidden(await page.text(), 'csrf'));
    form.set('avatar', new Blob([png], { type: 'image/png' }), 'a.png');
    const posted = await jar.fetch('/account/avatar', { method: 'POST', body: form });
    assert.equal(posted.status, 303);
    assert.match(String(posted.headers.get('location')), /error=busy/);
    assert.equal(gate.waiting, gate.maxWaiting);
    assert.equal(gate.active, gate.max);
    assert.equal((await f.t.ctx.services.users.get(f.userId))?.avatarUrl, '');

    // Places free: every waiting upload completes, and the gate empties.
    release();
    await Promise.all(holders);
    const done = await Promise.all(waiting);
    assert.deepEqual(new Set(done.map((r) => r.status)), new Set([200]));
    assert.equal(gate.active, 0);
    assert.equal(gate.waiting, 0);
    assert.match(String((await f.t.ctx.services.users.get(f.userId))?.avatarUrl), /^\/avatar\/u\//);
  });
});
