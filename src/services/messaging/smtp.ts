// E-mail through SMTP (nodemailer), configured by one URL: smtp://user:pass@host:587 (STARTTLS when
// the server offers it) or smtps://… (TLS from the start). Plain text messages.
import nodemailer, { type Transporter } from 'nodemailer';
import type { OutgoingMessage, Sender } from './message.ts';

export class SmtpSender implements Sender {
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
    /** Extra transport options (tests: accept the loopback server's self-signed certificate). */
    extra: Record<string, unknown> = {},
  ) {
    this.transport = nodemailer.createTransport({
      url,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
      ...extra,
    });
  }

  async send(m: OutgoingMessage): Promise<void> {
    if (m.channel !== 'email') throw new Error('the SMTP sender sends e-mail only');
    await this.transport.sendMail({ from: this.from, to: m.to, subject: m.subject, text: m.text, headers: { 'X-Opal-Message': m.kind } });
  }

  close(): void {
    this.transport.close();
  }
}
