// The self-service pages of the account origin: sign-up and password recovery, in one page scope
// (cookies, forms, no-store, the HTML error page), and the small script that enhances them.
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../../context.ts';
import { typed } from '../../../http/typed.ts';
import { readAsset } from '../../../web/assets.ts';
import { pageScope } from '../../../web/setup.ts';
import { recoveryRoutes } from './recovery.ts';
import { signupRoutes } from './signup.ts';

const PASSWORD_JS = readAsset('password.js');

export async function selfServiceRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  await pageScope(app, ctx.services.web);
  // Show/hide password and the strength meter; pages work without it.
  app.get('/assets/password.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(PASSWORD_JS),
  );
  await signupRoutes(typed(app), ctx);
  await recoveryRoutes(typed(app), ctx);
}
