// What a route plugin serving pages or forms needs in its scope: cookie parsing and
// application/x-www-form-urlencoded bodies (registerWeb, idempotent per scope); and for page routes
// (pageScope): repeated parameters read once, answers never cached, errors as the HTML error page,
// and every state-changing request sent by another origin refused before its body is read.
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { useErrorFamily } from '../http/errors.ts';
import { noStore } from '../http/hooks.ts';
import { firstValueOfRepeats } from '../http/params.ts';
import { PageError, pageErrors } from './error-page.ts';
import type { WebKit } from './web-kit.ts';

export async function registerWeb(app: FastifyInstance): Promise<void> {
  if (!app.hasDecorator('parseCookie')) await app.register(cookie);
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody);
}

/** Sets up `scope` to serve pages (call once, before its routes). */
export async function pageScope(scope: FastifyInstance, web: WebKit): Promise<void> {
  await registerWeb(scope);
  scope.addHook('preValidation', firstValueOfRepeats);
  scope.addHook('onRequest', noStore);
  scope.addHook(
    'onRequest',
    web.sameOrigin.guard(() => new PageError(0, { messageKey: 'errors.crossOrigin', status: 403 })),
  );
  useErrorFamily(scope, pageErrors(web));
}
