// E-mail through SMTP (nodemailer), configured by one URL: smtp://user:pass@host:587 (STARTTLS when
// the server offers it) or smtps://… (TLS from the start). Plain text messages. nodemailer is
// loaded with the first message, not with the server (with jose and yaml, about 4 MiB of an idle
// server's memory; bench/README.md, "Memory: the allocator, SQLite's cache").
import type { Transporter } from 'nodemailer';
import { Lazy } from '../../lib/lazy.ts';
import type { OutgoingMessage, Sender } from './message.ts';

export class SmtpSender implements Sender {
  /** The transport, made with the first message (a failure to make it is not kept). */
  private readonly transport: Lazy<Transporter>;

  constructor(
    url: string,
    private readonly from: string,
    /** Extra transport options (tests: accept the loopback server's self-signed certificate). */
    extra: Record<string, unknown> = {},
  ) {
    const options = { url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000, ...extra };
    this.transport = new Lazy(() => import('nodemailer').then((m) => m.default.createTransport(options)));
  }

  async send(m: OutgoingMessage): Promise<void> {
    if (m.channel !== 'email') throw new Error('the SMTP sender sends e-mail only');
    const transport = await this.transport.get();
    await transport.sendMail({ from: this.from, to: m.to, subject: m.subject, text: m.text, headers: { 'X-Opal-Message': m.kind } });
  }

  close(): void {
    this.transport.take()?.then(
      (t) => t.close(),
      () => undefined,
    );
  }
}
