// The SMS webhook against a loopback receiver that checks the signature as a gateway would:
// HMAC-SHA256 over "<t>.<body>" with the shared secret, compared in constant time.
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SmsWebhookSender } from '../../../src/services/messaging/sms-webhook.ts';
import { renderMessage } from '../../../src/services/messaging/templates.ts';

const SECRET = 'gateway-shared-secret-0123456789';

/** The receiver's check: true when the header signs `body` with SECRET. */
function signatureValid(header: string | undefined, body: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const expected = createHmac('sha256', SECRET).update(`${m[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(m[2] ?? '', 'hex'));
}

describe('SMS webhook sender', () => {
  const accepted: Array<Record<string, unknown>> = [];
  let status = 204;
  let server: Server;
  let url = '';

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (req.method !== 'POST' || req.headers['content-type'] !== 'application/json') return res.writeHead(400).end();
        if (!signatureValid(req.headers['x-opal-signature'] as string | undefined, body)) return res.writeHead(401).end();
        accepted.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  });
  after(() => server.close());

  it('posts signed JSON that the receiver accepts', async () => {
    const m = renderMessage('signup-code', 'sms', '+8613800138000', 'zh-CN', { brand: 'Opal', code: '731046', minutes: 15 });
    await new SmsWebhookSender(url, SECRET).send(m);
    assert.deepEqual(accepted.at(-1), {
      to: '+8613800138000',
      text: '【Opal】您的验证码是 731046，15 分钟内有效，请勿泄露。',
      kind: 'signup-code',
      locale: 'zh-CN',
    });
  });

  it('a message signed with another secret is refused by the receiver, and the send fails', async () => {
    const n = accepted.length;
    const m = renderMessage('reset-code', 'sms', '+8613800138000', 'en', { brand: 'Opal', code: '1', minutes: 1 });
    await assert.rejects(new SmsWebhookSender(url, 'another-secret-0123456789').send(m), /HTTP 401/);
    assert.equal(accepted.length, n);
  });

  it('a non-2xx answer of the gateway fails the send; e-mail is refused', async () => {
    status = 503;
    try {
      const m = renderMessage('reset-code', 'sms', '+8613800138000', 'en', { brand: 'Opal', code: '1', minutes: 1 });
      await assert.rejects(new SmsWebhookSender(url, SECRET).send(m), /HTTP 503/);
      await assert.rejects(new SmsWebhookSender(url, SECRET).send({ ...m, channel: 'email' }), /SMS only/);
    } finally {
      status = 204;
    }
  });
});
