// SMTP delivery against a real SMTP server (smtp-server) on loopback: authentication, envelope,
// headers and body as nodemailer writes them; a wrong password fails the send.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SmtpSender } from '../../../src/services/messaging/smtp.ts';
import { renderMessage } from '../../../src/services/messaging/templates.ts';
import { type SmtpSink, startSmtpSink } from '../../helpers/smtp-sink.ts';

describe('SMTP sender', () => {
  let sink: SmtpSink;
  let port = 0;

  before(async () => {
    sink = await startSmtpSink({ user: 'opal', password: 's3cret' });
    port = sink.port;
  });
  after(async () => {
    await sink.close();
  });

  it('delivers a rendered message with its subject, text and kind header', async () => {
    const sender = new SmtpSender(`smtp://opal:s3cret@127.0.0.1:${port}`, 'Opal <no-reply@opal.test>', { ignoreTLS: true });
    try {
      const m = renderMessage('signup-code', 'email', 'alice@example.com', 'en', { brand: 'Acme', code: '482913', minutes: 15 });
      await sender.send(m);
    } finally {
      sender.close();
    }
    const r = sink.received.at(-1);
    assert.ok(r);
    assert.equal(r.user, 'opal');
    assert.equal(r.from, 'no-reply@opal.test');
    assert.deepEqual(r.to, ['alice@example.com']);
    assert.match(r.raw, /^Subject: Acme: your verification code\r?$/m);
    assert.match(r.raw, /^X-Opal-Message: signup-code\r?$/m);
    assert.match(r.raw, /Your verification code is 482913\./);
  });

  it('fails when the server refuses the credentials, and refuses SMS', async () => {
    const sender = new SmtpSender(`smtp://opal:wrong@127.0.0.1:${port}`, 'no-reply@opal.test', { ignoreTLS: true });
    const before = sink.received.length;
    try {
      await assert.rejects(
        sender.send(renderMessage('reset-code', 'email', 'bob@example.com', 'en', { brand: 'Opal', code: '1', minutes: 1 })),
      );
      await assert.rejects(
        sender.send(renderMessage('reset-code', 'sms', '+8613800000000', 'en', { brand: 'Opal', code: '1', minutes: 1 })),
      );
    } finally {
      sender.close();
    }
    assert.equal(sink.received.length, before);
  });
});
