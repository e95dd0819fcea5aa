// The OAuth part of the account origin: authorize + consent, login/logout pages, the token
// endpoint, revocation, introspection, metadata, and the user's grants API.
import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.ts';
import { registerWeb } from '../web/setup.ts';
import { webKit } from '../web/web-kit.ts';
import { authorizeRoutes } from './authorize-routes.ts';
import { grantsRoutes } from './grants-routes.ts';
import { loginRoutes } from './login-routes.ts';
import { standardRoutes } from './standard-routes.ts';
import { tokenRoutes } from './token-routes.ts';

export async function oauthSite(app: FastifyInstance, ctx: Context): Promise<void> {
  await registerWeb(app);
  // Bodies of any other type (some clients send none or text/plain) are read as form data.
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  await authorizeRoutes(app, ctx);
  await loginRoutes(app, ctx);
  await tokenRoutes(app, ctx);
  await standardRoutes(app, ctx);
  await grantsRoutes(app, ctx);
  // Housekeeping, once an hour: codes and tokens expired for a day, expired sessions.
  const purge = setInterval(() => {
    Promise.all([ctx.services.oauth.purgeExpired(), webKit(ctx).sessions.purgeExpired()]).catch((e: unknown) =>
      app.log.warn({ err: e }, 'oauth purge failed'),
    );
  }, 3600_000);
  purge.unref();
  app.addHook('onClose', async () => clearInterval(purge));
}
