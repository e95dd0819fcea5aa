// What Opal sends to people (sign-up codes, recovery links and codes) and the one interface every
// sender implements: SMTP (smtp.ts), the SMS webhook (sms-webhook.ts), the developer outbox
// (outbox.ts). Messenger (messenger.ts) picks the sender of each channel.

export type Channel = 'email' | 'sms';

/** A rendered message, ready for a sender. */
export interface OutgoingMessage {
  channel: Channel;
  /** E-mail address or phone number. */
  to: string;
  /** Which template made it (signup-code, reset-link, …), for the outbox and the webhook. */
  kind: string;
  locale: string;
  /** E-mail subject (SMS: empty). */
  subject: string;
  text: string;
}

export interface Sender {
  /** Delivers `m` or throws. */
  send(m: OutgoingMessage): Promise<void>;
  close?(): Promise<void> | void;
}
