// Sends the messages of sign-up and recovery through the sender of each channel: e-mail by SMTP,
// SMS by the webhook, and both to the developer outbox when no sender at all is configured (on an
// embedded store, unless OPAL_OUTBOX=off). A channel without a sender is unavailable: the pages
// do not offer it.
import type { Config } from '../../config.ts';
import type { Channel, Sender } from './message.ts';
import { Outbox } from './outbox.ts';
import { SmsWebhookSender } from './sms-webhook.ts';
import { SmtpSender } from './smtp.ts';
import { type MessageKind, type MessageParams, renderMessage } from './templates.ts';

export class Messenger {
  /** The developer outbox when it is on. */
  readonly outbox: Outbox | undefined;
  private readonly senders: Partial<Record<Channel, Sender>>;

  constructor(
    senders: Partial<Record<Channel, Sender>>,
    outbox: Outbox | undefined,
    private readonly brand: string,
    private readonly log: (err: unknown, what: string) => void = () => undefined,
  ) {
    this.outbox = outbox;
    this.senders = outbox ? { email: outbox, sms: outbox } : senders;
  }

  static fromConfig(c: Config, log?: (err: unknown, what: string) => void): Messenger {
    const senders: Partial<Record<Channel, Sender>> = {};
    if (c.smtpUrl) senders.email = new SmtpSender(c.smtpUrl, c.mailFrom);
    if (c.smsWebhookUrl && c.smsWebhookSecret) senders.sms = new SmsWebhookSender(c.smsWebhookUrl, c.smsWebhookSecret);
    const outbox = Object.keys(senders).length === 0 && c.outbox === 'auto' && c.databaseUrl === undefined ? new Outbox() : undefined;
    return new Messenger(senders, outbox, c.brandName ?? 'Opal', log);
  }

  /** Whether messages can be sent on `channel`. */
  can(channel: Channel): boolean {
    return this.senders[channel] !== undefined;
  }

  /** Renders and sends a message; throws when the channel has no sender or delivery fails. */
  async send(kind: MessageKind, channel: Channel, to: string, locale: string, params: Omit<MessageParams, 'brand'>): Promise<void> {
    const sender = this.senders[channel];
    if (!sender) throw new Error(`no sender for ${channel}`);
    await sender.send(renderMessage(kind, channel, to, locale, { brand: this.brand, ...params }));
  }

  /**
   * Sends in the background: the request that caused the message answers without waiting, so its
   * timing does not depend on the sender (or on whether a message was sent at all). Failures are
   * logged without the recipient.
   */
  dispatch(kind: MessageKind, channel: Channel, to: string, locale: string, params: Omit<MessageParams, 'brand'>): void {
    this.send(kind, channel, to, locale, params).catch((e: unknown) => this.log(e, `sending ${kind} by ${channel} failed`));
  }

  async close(): Promise<void> {
    await Promise.allSettled(Object.values(this.senders).map((s) => s.close?.()));
  }
}
