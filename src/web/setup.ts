// What a route plugin serving pages or forms needs in its scope: cookie parsing and
// application/x-www-form-urlencoded bodies. Idempotent per scope.
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';

export async function registerWeb(app: FastifyInstance): Promise<void> {
  if (!app.hasDecorator('parseCookie')) await app.register(cookie);
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody);
}
