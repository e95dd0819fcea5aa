// E-mail through SMTP (nodemailer), configured by one URL: smtp://user:pass@host:587 (STARTTLS when
// the server offers it) or smtps://… (TLS from the start). Plain text messages. nodemailer is
// loaded with the first message, not with the server (with jose and yaml, about 4 MiB of an idle
// server's memory; bench/README.md, "Memory: the allocator, SQLite's cache").
import type { Transporter } from 'nodemailer';
import type { OutgoingMessage, Sender } from './message.ts';

export class SmtpSender implements Sender {
  private transport: Promise<Transporter> | undefined;
  private readonly options: Record<string, unknown>;

  constructor(
    url: string,
    private readonly from: string,
    /** Extra transport options (tests: accept the loopback server's self-signed certificate). */
    extra: Record<string, unknown> = {},
  ) {
    this.options = { url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000, ...extra };
  }

  /** The transport, made on first use; a failure to make it is not kept (the next message tries again). */
  private transporter(): Promise<Transporter> {
    if (this.transport) return this.transport;
    const made: Promise<Transporter> = import('nodemailer')
      .then((m) => m.default.createTransport(this.options))
      .catch((e: unknown) => {
        if (this.transport === made) this.transport = undefined;
        throw e;
      });
    this.transport = made;
    return made;
  }

  async send(m: OutgoingMessage): Promise<void> {
    if (m.channel !== 'email') throw new Error('the SMTP sender sends e-mail only');
    const transport = await this.transporter();
    await transport.sendMail({ from: this.from, to: m.to, subject: m.subject, text: m.text, headers: { 'X-Opal-Message': m.kind } });
  }

  close(): void {
    const made = this.transport;
    this.transport = undefined;
    made?.then(
      (t) => t.close(),
      () => undefined,
    );
  }
}
