// `GET /` on the account origin: answers at once with a tiny body and a current Last-Modified.
// The official C# SDK reads Last-Modified of this response as the server clock and shifts every
// nonce by its distance from local time (account-protocol §1.3), so it must never be stale.
import type { FastifyInstance } from 'fastify';

export async function rootRoutes(app: FastifyInstance): Promise<void> {
  const handler = async (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply
      .header('last-modified', new Date().toUTCString())
      .header('cache-control', 'no-store')
      .type('text/plain; charset=utf-8')
      .send('Opal account server\n');
  app.get('/', handler);
}
