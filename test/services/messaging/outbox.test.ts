// The developer outbox: bounded, newest first; on only when no sender is configured on an embedded
// store; /dev/outbox shows every message (HTML-escaped) and is a 404 page when the outbox is off.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config.ts';
import { Messenger } from '../../../src/services/messaging/messenger.ts';
import { Outbox } from '../../../src/services/messaging/outbox.ts';
import { TEMPLATES } from '../../../src/services/messaging/templates.ts';
import { startTestServer } from '../../helpers/env.ts';

describe('developer outbox', () => {
  it('keeps at most its capacity, newest first', async () => {
    const o = new Outbox(3);
    for (let i = 1; i <= 5; i++) await o.send({ channel: 'email', to: `u${i}@x.test`, kind: 'k', locale: 'en', subject: 's', text: 't' });
    assert.deepEqual(
      o.list().map((m) => m.to),
      ['u5@x.test', 'u4@x.test', 'u3@x.test'],
    );
  });

  it('is on only without any sender, on an embedded store, unless OPAL_OUTBOX=off', () => {
    assert.ok(Messenger.fromConfig(loadConfig({})).outbox);
    assert.equal(Messenger.fromConfig(loadConfig({ OPAL_OUTBOX: 'off' })).outbox, undefined);
    const smtp = Messenger.fromConfig(loadConfig({ OPAL_SMTP_URL: 'smtp://127.0.0.1:1' }));
    assert.equal(smtp.outbox, undefined);
    assert.equal(smtp.can('email'), true);
    assert.equal(smtp.can('sms'), false);
    assert.equal(Messenger.fromConfig(loadConfig({ OPAL_DATABASE_URL: 'postgres://db/x' })).outbox, undefined);
  });

  it('every template exists in en and zh-CN, and zh-CN speaks of 帐号 and 您', () => {
    const kinds = Object.keys(TEMPLATES.en).sort();
    assert.deepEqual(Object.keys(TEMPLATES['zh-CN']).sort(), kinds);
    const p = { brand: 'B', code: '123456', url: 'http://x.test/r', minutes: 15 };
    for (const t of Object.values(TEMPLATES['zh-CN'])) {
      const all = [t.subject(p), t.email(p), t.sms(p)].join('\n');
      assert.doesNotMatch(all, /账号|你(?!们)/, all);
    }
  });

  it('/dev/outbox lists what was sent, escaped; 404 when a sender is configured', async () => {
    const s = await startTestServer();
    try {
      await s.ctx.services.messenger.send('signup-code', 'email', '<b>eve</b>@example.com', 'zh-CN', { code: '555111', minutes: 15 });
      const res = await fetch(`${s.accountUrl}/dev/outbox`);
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /您的验证码是 555111/);
      assert.match(html, /&lt;b&gt;eve&lt;\/b&gt;@example.com/);
    } finally {
      await s.close();
    }
    const off = await startTestServer({ env: { OPAL_SMTP_URL: 'smtp://127.0.0.1:1' } });
    try {
      const res = await fetch(`${off.accountUrl}/dev/outbox`, { headers: { accept: 'text/html' } });
      assert.equal(res.status, 404);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    } finally {
      await off.close();
    }
  });
});
