// When the e-mail address or phone number of an account changes, the OLD address is told: what
// changed (the new address masked) and when, and what to do if it was not the person, with no link
// that undoes anything. E-mail through a real SMTP server on loopback (smtp-server; the message
// parsed with mailparser), in Chinese when the change was made in Chinese; a phone change through
// the developer outbox as SMS. A wrong code changes nothing and tells nobody.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { type Fixture, fixture, Jar, login, PASSWORD } from '../../../helpers/oauth.ts';
import { type SmtpSink, startSmtpSink } from '../../../helpers/smtp-sink.ts';

type Json = Record<string, unknown>;

async function signedIn(f: Fixture): Promise<(path: string, body: unknown, headers?: Record<string, string>) => Promise<Response>> {
  const jar = new Jar(f.base);
  await login(jar, f.account, PASSWORD);
  const csrf = String(((await (await jar.fetch('/api/account')).json()) as Json).csrfToken);
  return (path, body, headers = {}) =>
    jar.fetch(path, {
      method: 'POST',
      headers: { 'x-csrf-token': csrf, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
}

const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1] ?? '';

describe('the old address is told of an e-mail change (SMTP)', () => {
  let sink: SmtpSink;
  let f: Fixture;
  before(async () => {
    sink = await startSmtpSink();
    f = await fixture({ env: { OPAL_SMTP_URL: `smtp://127.0.0.1:${sink.port}`, OPAL_MAIL_FROM: 'Opal <no-reply@opal.test>' } });
  });
  after(async () => {
    await f?.t.close();
    await sink?.close();
  });

  it('a wrong code tells nobody; the right one sends the old address a notice in the language of the change', async () => {
    const post = await signedIn(f);
    const zh = { 'accept-language': 'zh-CN' };
    const start = await post('/api/account/contact', { kind: 'email', address: 'alice.new@example.com', current: PASSWORD }, zh);
    assert.equal(start.status, 202);
    const codeMail = await simpleParser((await sink.waitFor('alice.new@example.com')).raw);
    assert.equal((await post('/api/account/contact/confirm', { code: '000000' })).status, 400);
    const ok = await post('/api/account/contact/confirm', { code: codeIn(codeMail.text ?? '') });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as Json).email, 'alice.new@example.com');

    const notice = await sink.waitFor('alice@example.com');
    // Only the confirmation code went to the new address, and only the notice to the old one.
    assert.deepEqual(
      sink.received.map((m) => m.to.join()),
      ['alice.new@example.com', 'alice@example.com'],
    );
    const mail = await simpleParser(notice.raw);
    assert.equal(mail.headers.get('x-opal-message'), 'contact-changed');
    assert.equal(mail.subject, 'Opal：您帐号的电子邮件地址已更改');
    const text = mail.text ?? '';
    assert.match(text, /已于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}（UTC）更改为 a\*+w@example\.com/);
    assert.match(text, /如果不是：请立即在 http:\/\/[^ ]+\/account 登录并修改密码/);
    assert.doesNotMatch(text, /alice\.new@example\.com/);
    // No link carries a token that could undo (or do) anything.
    const links = text.match(/https?:\/\/\S+/g) ?? [];
    assert.deepEqual(
      links.map((l) => new URL(l).pathname + new URL(l).search),
      ['/account'],
    );
  });
});

describe('the old number is told of a phone change (developer outbox, SMS)', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(async () => {
    await f?.t.close();
  });

  it('the notice goes to the old number in English; nothing to the old e-mail address', async () => {
    const outbox = f.t.ctx.services.messenger.outbox;
    assert.ok(outbox);
    const post = await signedIn(f);
    assert.equal((await post('/api/account/contact', { kind: 'phone', address: '13900000001', current: PASSWORD })).status, 202);
    const waitFor = async (to: string) => {
      for (let i = 0; i < 200; i++) {
        const m = outbox.list().find((x) => x.to === to);
        if (m) return m;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`nothing sent to ${to}`);
    };
    const code = codeIn((await waitFor('13900000001')).text);
    assert.equal((await post('/api/account/contact/confirm', { code })).status, 200);
    const notice = await waitFor('13800000000');
    assert.equal(notice.channel, 'sms');
    assert.equal(notice.kind, 'contact-changed');
    assert.equal(notice.locale, 'en');
    assert.match(
      notice.text,
      /^Opal: the phone number of your account was changed on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\. Not you\? Sign in and change your password: http:\/\/\S+\/account$/,
    );
    assert.equal(outbox.list().filter((m) => m.to === 'alice@example.com').length, 0);
  });
});
