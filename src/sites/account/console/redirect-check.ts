// GET /console/redirect-check?uri=…&registered=…&exact=1: would /oauth2/authorize accept `uri` for
// an app registering `registered` (`;`- or line-separated)? The same matcher as authorize
// (core/account/redirect-uri.ts), explained entry by entry (core/account/redirect-explain.ts).
// JSON for the console's script (Accept: application/json); an HTML page for a browser without it.
import { Type } from '@sinclair/typebox';
import type { Context } from '../../../context.ts';
import { explainRedirect, unusableEntries } from '../../../core/account/redirect-explain.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import { translator } from '../../../web/i18n.ts';
import { renderPage } from '../../../web/render.ts';
import { joinRedirects } from './app-form.ts';
import type { Guard } from './forms.ts';

const Query = Type.Object({
  uri: Type.String({ maxLength: 2048, default: '', description: 'the redirect_uri to test' }),
  registered: Type.String({ maxLength: 4000, default: '', description: 'registered redirect URIs, ";"- or line-separated' }),
  exact: Type.Optional(Type.String({ description: '"1": the app has the exactRedirect flag' })),
  _locale: Type.Optional(Type.String()),
});

export const RedirectCheck = Type.Object({
  matches: Type.Boolean(),
  entries: Type.Array(Type.Object({ registered: Type.String(), rule: Type.String(), text: Type.String() })),
  unusable: Type.Array(Type.String(), { description: 'registered entries that can never match' }),
});

export async function redirectCheckRoute(app: TypedInstance, ctx: Context, guard: Guard) {
  app.get('/console/redirect-check', { preHandler: guard, schema: { querystring: Query } }, async (req, reply) => {
    const locale = ctx.services.web.locale(req);
    const t = translator(locale);
    const registered = joinRedirects(req.query.registered);
    const e = explainRedirect(req.query.uri, registered, { exact: req.query.exact === '1' });
    const out = {
      matches: e.matches,
      entries: e.entries.map((x) => ({ ...x, text: t(`redirectCheck.rule.${x.rule}`) })),
      unusable: unusableEntries(registered),
    };
    if ((req.headers.accept ?? '').includes('application/json')) return reply.type('application/json; charset=utf-8').send(out);
    return renderPage(reply, 'console-redirect-result', { ...out, uri: req.query.uri }, locale, {
      title: t('console.testResult'),
      wide: true,
    });
  });
}
