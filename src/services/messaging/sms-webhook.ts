// SMS through an HTTP webhook: each message is POSTed as JSON
//   {"to":"+86…","text":"…","kind":"signup-code","locale":"zh-CN"}
// with the header  X-Opal-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
// so the gateway can check that Opal sent it and refuse replays older than a few minutes.
// Any 2xx answer is delivery; anything else (or no answer within the timeout) throws.
import { hmacSha256Hex } from '../../lib/hash.ts';
import type { OutgoingMessage, Sender } from './message.ts';

export const SIGNATURE_HEADER = 'x-opal-signature';

/** The signature header value of `body` sent at `unixSeconds`. */
export function signWebhookBody(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${hmacSha256Hex(secret, `${unixSeconds}.${body}`)}`;
}

export class SmsWebhookSender implements Sender {
  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly timeoutMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async send(m: OutgoingMessage): Promise<void> {
    if (m.channel !== 'sms') throw new Error('the SMS webhook sends SMS only');
    const body = JSON.stringify({ to: m.to, text: m.text, kind: m.kind, locale: m.locale });
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signWebhookBody(this.secret, body, Math.floor(this.now() / 1000)),
      },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await res.body?.cancel();
    if (res.status < 200 || res.status > 299) throw new Error(`SMS webhook answered HTTP ${res.status}`);
  }
}
