// `GET /` on the account origin: answers at once with a tiny body and a current Last-Modified.
// The official C# SDK reads Last-Modified of this response as the server clock and shifts every
// nonce by its distance from local time (account-protocol §1.3), so it must never be stale.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { noStore } from '../../http/hooks.ts';
import { typed } from '../../http/typed.ts';

export async function rootRoutes(scope: FastifyInstance): Promise<void> {
  typed(scope).get('/', { onRequest: noStore, schema: { response: { 200: Type.String() } } }, async (_req, reply) =>
    reply.header('last-modified', new Date().toUTCString()).type('text/plain; charset=utf-8').send('Opal account server\n'),
  );
}
