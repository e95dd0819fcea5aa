// The authorize error page for a redirect_uri the app did not register (issue 13 item 8). Everyone
// gets the same 96010 page as before; the server logs one warning line (JSON-escaped by the
// logger); and a signed-in developer of that app also sees the received URI beside the registered
// ones with the rule that failed for each (core/account/redirect-explain.ts).
import type { FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { XM } from '../../../core/account/errors.ts';
import { explainRedirect } from '../../../core/account/redirect-explain.ts';
import { hasRole } from '../../../core/account/roles.ts';
import type { App } from '../../../services/apps.ts';
import { PageError } from '../../../web/error-page.ts';

export async function redirectMismatch(ctx: Context, req: FastifyRequest, app: App, received: string): Promise<PageError> {
  req.log.warn(
    { clientId: app.clientId, redirectUri: received.slice(0, 2048) },
    'authorize: redirect_uri does not match the app registration',
  );
  const user = await ctx.services.web.sessions.current(req);
  if (!user || !hasRole(user.role, 'developer')) return new PageError(XM.INVALID_REDIRECT_URI);
  const dev = await ctx.services.apps.developerOfUser(user.userId);
  if (!dev || dev.id !== app.developerId) return new PageError(XM.INVALID_REDIRECT_URI);
  const explained = explainRedirect(received, app.redirectUris, { exact: app.flags.exactRedirect === true });
  return new PageError(XM.INVALID_REDIRECT_URI, {
    details: { redirect: { clientId: app.clientId, received, entries: explained.entries } },
  });
}
