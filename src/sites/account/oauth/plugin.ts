// The OAuth part of the account origin: authorize + consent, login/logout pages, the token
// endpoint, revocation, introspection, metadata, the user's grants API, and OpenID Connect
// (discovery, keys, /userinfo, RP-initiated logout; oidc/). Bodies are read here
// (cookies, forms of any content type); each family of routes has its own scope and error family.
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../../context.ts';
import { typed } from '../../../http/typed.ts';
import { pageScope, registerWeb } from '../../../web/setup.ts';
import { readAnyBodyAsForm } from '../client-quirks.ts';
import { endSessionRoutes } from '../oidc/end-session.ts';
import { oidcRoutes } from '../oidc/routes.ts';
import { authorizeRoutes } from './authorize.ts';
import { grantsRoutes } from './grants.ts';
import { loginRoutes } from './login.ts';
import { standardRoutes } from './standard.ts';
import { tokenRoutes } from './token.ts';

export async function oauthSite(app: FastifyInstance, ctx: Context): Promise<void> {
  await registerWeb(app);
  await readAnyBodyAsForm(app);
  await app.register(async (pages) => {
    await pageScope(pages, ctx.services.web);
    await authorizeRoutes(typed(pages), ctx);
    await loginRoutes(typed(pages), ctx);
    await endSessionRoutes(typed(pages), ctx);
  });
  await app.register(async (scope) => tokenRoutes(scope, ctx));
  await app.register(async (scope) => standardRoutes(scope, ctx));
  await app.register(async (scope) => grantsRoutes(scope, ctx));
  await app.register(async (scope) => oidcRoutes(scope, ctx));
}
