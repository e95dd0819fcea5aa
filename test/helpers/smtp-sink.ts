// A real SMTP server (the smtp-server package) on loopback that keeps what it receives: the
// envelope, the authenticated user and the raw message. `credentials` makes authentication
// required (user, password); without it any client may send.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Received {
  from: string;
  to: string[];
  user: string | undefined;
  raw: string;
}

export interface SmtpSink {
  port: number;
  received: Received[];
  /** The first message to `to` whose raw text matches `re`, waiting for it (messages are sent in the background). */
  waitFor(to: string, re?: RegExp): Promise<Received>;
  close(): Promise<void>;
}

export async function startSmtpSink(credentials?: { user: string; password: string }): Promise<SmtpSink> {
  const received: Received[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: credentials === undefined,
    logger: false,
    onAuth(auth, _session, cb) {
      if (credentials && auth.username === credentials.user && auth.password === credentials.password) cb(null, { user: auth.username });
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
  const find = (to: string, re?: RegExp) => received.find((m) => m.to.includes(to) && (!re || re.test(m.raw)));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    async waitFor(to, re) {
      for (let i = 0; i < 200; i++) {
        const m = find(to, re);
        if (m) return m;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no message to ${to}${re ? ` matching ${re}` : ''}`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
