// Second factors on the account origin, in one page scope: /account/factors (manage.ts), the
// sign-in's second step and passkey sign-in (second-step.ts), and the two scripts of the passkey
// forms: /assets/webauthn.js, the browser bundle of @simplewebauthn/browser served from
// node_modules (same origin, so the pages' CSP `default-src 'self'` allows it; no CDN), and
// /assets/factors.js, which drives the forms with it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Context } from '../../../context.ts';
import { typed } from '../../../http/typed.ts';
import { readAsset } from '../../../web/assets.ts';
import { pageScope } from '../../../web/setup.ts';
import { manageFactorsRoutes } from './manage.ts';
import { addFactorMessages } from './messages.ts';
import { secondStepRoutes } from './second-step.ts';

function webauthnBundle(): string {
  const main = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  return readFileSync(join(dirname(main), '..', 'dist', 'bundle', 'index.umd.min.js'), 'utf8');
}

export async function factorRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  await pageScope(app, ctx.services.web);
  addFactorMessages();
  const scripts = { '/assets/webauthn.js': webauthnBundle(), '/assets/factors.js': readAsset('factors.js') };
  for (const [path, body] of Object.entries(scripts)) {
    app.get(path, async (_req, reply: FastifyReply) =>
      reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(body),
    );
  }
  await manageFactorsRoutes(typed(app), ctx);
  await secondStepRoutes(typed(app), ctx);
}
