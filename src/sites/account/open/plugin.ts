// The open-API site plugin on the account origin: user-data APIs, default avatars, passbook,
// checkPassword and the signed-in user's friends API. Bodies are kept as text here so that MAC
// verification sees the parameters in the order they were sent; pages get their own scope.
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../../context.ts';
import { checkPasswordRoutes } from '../check-password/routes.ts';
import { friendsRoutes } from '../friends.ts';
import { passbookRoutes } from '../passbook.ts';
import { avatarRoutes } from './avatar.ts';
import { userRoutes } from './routes.ts';

export async function openRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));
  await userRoutes(app, ctx);
  await avatarRoutes(app);
  await passbookRoutes(app, ctx);
  // Pages parse form bodies and cookies: their own scope, so that the open APIs keep raw bodies.
  await app.register(async (scope) => checkPasswordRoutes(scope, ctx));
  await app.register(async (scope) => friendsRoutes(scope, ctx));
}
