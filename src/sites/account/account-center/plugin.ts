// The account center on the account origin (docs/account-center.md): the pages under /account in
// one page scope (cookies, forms, multipart for the avatar, no-store, the HTML error page, the
// same-origin guard), the JSON API under /api/account in its own scope, and the uploaded avatars
// at /avatar/u/<key><variant>.jpg (public, cacheable: the URLs /user/profile gives apps).
import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../../context.ts';
import { typed } from '../../../http/typed.ts';
import { AVATAR_MAX_BYTES } from '../../../services/account-center/avatars.ts';
import { pageScope } from '../../../web/setup.ts';
import { accessPages } from './access-pages.ts';
import { accountApi } from './api.ts';
import { AccountPages } from './page-kit.ts';
import { profilePages } from './profile-pages.ts';
import { socialPages } from './social-pages.ts';

export async function accountCenterRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  await app.register(async (scope) => {
    await pageScope(scope, ctx.services.web);
    await scope.register(multipart, { limits: { fileSize: AVATAR_MAX_BYTES, files: 1, fields: 5, parts: 6 } });
    const pages = new AccountPages(ctx);
    await profilePages(typed(scope), ctx, pages);
    await accessPages(typed(scope), ctx, pages);
    await socialPages(typed(scope), ctx, pages);
  });
  await app.register(async (scope) => accountApi(scope, ctx));
  typed(app).get(
    '/avatar/u/:name',
    {
      schema: {
        params: Type.Object({ name: Type.String({ pattern: '^[A-Za-z0-9_-]{1,100}\\.jpg$' }) }),
        response: { 200: Type.Unsafe<Buffer>({ description: 'JPEG image' }), 404: Type.String() },
      },
    },
    async (req, reply) => {
      const img = await ctx.services.account.avatars.read(req.params.name.slice(0, -4));
      if (!img) return reply.code(404).type('text/plain; charset=utf-8').send('no such avatar');
      return reply
        .type(img.type)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('access-control-allow-origin', '*')
        .send(img.bytes);
    },
  );
}
