// SMTP delivery against a real SMTP server (smtp-server) on loopback: authentication, envelope,
// headers and body as nodemailer writes them; a wrong password fails the send.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { SmtpSender } from '../../../src/services/messaging/smtp.ts';
import { renderMessage } from '../../../src/services/messaging/templates.ts';

interface Received {
  from: string;
  to: string[];
  user: string | undefined;
  raw: string;
}

describe('SMTP sender', () => {
  const received: Received[] = [];
  let server: SMTPServer;
  let port = 0;

  before(async () => {
    server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: false,
      logger: false,
      onAuth(auth, _session, cb) {
        if (auth.username === 'opal' && auth.password === 's3cret') cb(null, { user: auth.username });
        else cb(new Error('invalid credentials'));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            user: session.user as string | undefined,
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('delivers a rendered message with its subject, text and kind header', async () => {
    const sender = new SmtpSender(`smtp://opal:s3cret@127.0.0.1:${port}`, 'Opal <no-reply@opal.test>', { ignoreTLS: true });
    try {
      const m = renderMessage('signup-code', 'email', 'alice@example.com', 'en', { brand: 'Acme', code: '482913', minutes: 15 });
      await sender.send(m);
    } finally {
      sender.close();
    }
    const r = received.at(-1);
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
    const before = received.length;
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
    assert.equal(received.length, before);
  });
});
