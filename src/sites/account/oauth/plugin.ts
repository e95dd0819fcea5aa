// The OAuth part of the account origin: authorize + consent, login/logout pages, the token
// endpoint, revocation, introspection, metadata, and the user's grants API.
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../../context.ts';
import { registerWeb } from '../../../web/setup.ts';
import { authorizeRoutes } from './authorize.ts';
import { grantsRoutes } from './grants.ts';
import { loginRoutes } from './login.ts';
import { standardRoutes } from './standard.ts';
import { tokenRoutes } from './token.ts';

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
}
