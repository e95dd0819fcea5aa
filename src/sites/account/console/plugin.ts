// The developer pages of the account origin (docs/console.md): the developer console (/console…)
// and the OAuth playground (/playground…), in one page scope (cookies, forms, no-store, the HTML
// error page, cross-origin posts refused, multipart for the bucket browser's upload form), every
// route behind developerPages; and the small script that enhances them (/assets/console.js: the
// live redirect check, the bucket browser's drag-and-drop upload; the pages work without it).
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../../context.ts';
import { typed } from '../../../http/typed.ts';
import { BucketBrowser } from '../../../services/fds/bucket-browser.ts';
import { readAsset } from '../../../web/assets.ts';
import { pageScope } from '../../../web/setup.ts';
import { playgroundRoutes } from '../playground/routes.ts';
import { consoleAppRoutes } from './apps-routes.ts';
import { bucketObjectRoutes } from './bucket-object-routes.ts';
import { bucketListRoutes, FORM_UPLOAD_MAX } from './buckets-routes.ts';
import { developerPages } from './developer-guard.ts';
import { consoleExtraRoutes } from './extras-routes.ts';
import { redirectCheckRoute } from './redirect-check.ts';

const CONSOLE_JS = readAsset('console.js');

export async function consoleRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  await pageScope(app, ctx.services.web);
  await app.register(multipart, { limits: { fileSize: FORM_UPLOAD_MAX, files: 1, fields: 5, parts: 6 } });
  app.get('/assets/console.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(CONSOLE_JS),
  );
  const guard = developerPages(ctx);
  await consoleAppRoutes(typed(app), ctx, guard);
  await consoleExtraRoutes(typed(app), ctx, guard);
  await redirectCheckRoute(typed(app), ctx, guard);
  await playgroundRoutes(typed(app), ctx, guard);
  const { fdsKeys, fds, apps } = ctx.services;
  // Disabled apps are skipped: FDS refuses their keys.
  const browser = new BucketBrowser(
    fdsKeys,
    fds.repos.buckets,
    async (id) => (await apps.list(id)).filter((a) => !a.disabled),
    ctx.config.fdsPublicUrl,
  );
  await bucketListRoutes(typed(app), ctx, guard, browser);
  await bucketObjectRoutes(typed(app), ctx, guard, browser);
}
