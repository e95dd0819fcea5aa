// /account/profile: nickname, avatar upload (multipart; every size variant the open APIs serve),
// e-mail and phone change with a code sent to the new address.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { AVATAR_VARIANTS, avatarUrls } from '../../../core/open/profile.ts';
import { optionalString } from '../../../http/schemas.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import { BusyError, InvalidInputError } from '../../../lib/errors.ts';
import { AVATAR_MAX_BYTES } from '../../../services/account-center/avatars.ts';
import type { User } from '../../../services/users.ts';
import { requestOrigin } from '../open/route.ts';
import { type AccountPages, CSRF_FIELDS, type Outcome, SECTION_PAGE } from './page-kit.ts';

/** The avatar URLs of `user` on this origin, named as /user/profile names them. */
export function avatarList(req: FastifyRequest, user: User): Array<{ key: string; url: string }> {
  const urls = avatarUrls(user.avatarUrl, requestOrigin(req));
  return AVATAR_VARIANTS.map((v) => ({ key: `miliaoIcon${v}`, url: urls[v] }));
}

export async function profilePages(app: TypedInstance, ctx: Context, pages: AccountPages): Promise<void> {
  const account = ctx.services.account;

  app.get('/account/profile', SECTION_PAGE, async (req, reply) => {
    const user = await pages.user(req, reply);
    if (!user) return reply;
    return pages.render(req, reply, 'profile', user, {
      avatars: avatarList(req, user),
      pending: await account.contact.pending(user.userId),
      outbox: Boolean(ctx.services.messenger.outbox),
    });
  });

  app.post('/account/profile', { schema: { body: Type.Object({ ...CSRF_FIELDS, nickname: optionalString() }) } }, async (req, reply) =>
    pages.post(req, reply, 'profile', req.body.csrf, async (user) => {
      const nickname = (req.body.nickname ?? '').trim();
      if (nickname.length > 64) return { error: 'nickname' };
      await ctx.services.users.update(user.userId, { nickname });
      await ctx.services.audit.record({ type: 'account.nickname_set', actor: user.userId, subject: user.userId, ip: req.ip });
      return { done: 'nickname' };
    }),
  );

  // multipart/form-data: the csrf field comes before the file in the form, so it is read first.
  app.post('/account/avatar', async (req, reply) => {
    const user = await pages.user(req, reply);
    if (!user) return reply;
    if (!req.isMultipart()) return pages.back(reply, 'profile', { error: 'image' });
    let bytes: Buffer | undefined;
    let csrf: unknown;
    for await (const part of req.parts({ limits: { fileSize: AVATAR_MAX_BYTES, files: 1, fields: 5 } })) {
      if (part.type === 'field' && part.fieldname === 'csrf') csrf = part.value;
      else if (part.type === 'file' && part.fieldname === 'avatar' && bytes === undefined) {
        if (!(await ctx.services.web.csrf.verify(req, csrf))) {
          part.file.resume();
          return pages.back(reply, 'profile', { error: 'csrf' });
        }
        bytes = await part.toBuffer().catch(() => Buffer.alloc(AVATAR_MAX_BYTES + 1));
      } else if (part.type === 'file') part.file.resume();
    }
    if (bytes === undefined) {
      if (!(await ctx.services.web.csrf.verify(req, csrf))) return pages.back(reply, 'profile', { error: 'csrf' });
      return pages.back(reply, 'profile', { error: 'image' });
    }
    try {
      await account.avatars.upload(user, bytes, req.ip);
    } catch (e) {
      if (e instanceof InvalidInputError) return pages.back(reply, 'profile', { error: 'image' });
      if (e instanceof BusyError) return pages.back(reply, 'profile', { error: 'busy' });
      throw e;
    }
    return pages.back(reply, 'profile', { done: 'avatar' });
  });

  app.post('/account/avatar/remove', { schema: { body: Type.Object(CSRF_FIELDS) } }, async (req, reply) =>
    pages.post(req, reply, 'profile', req.body.csrf, async (user) => {
      await account.avatars.remove(user, req.ip);
      return { done: 'avatarRemoved' };
    }),
  );

  app.post(
    '/account/contact',
    { schema: { body: Type.Object({ ...CSRF_FIELDS, kind: optionalString(), address: optionalString(), current: optionalString() }) } },
    async (req, reply) =>
      pages.post(req, reply, 'profile', req.body.csrf, async (user): Promise<Outcome> => {
        const kind = req.body.kind === 'phone' ? 'phone' : 'email';
        const address = (req.body.address ?? '').slice(0, 256);
        const r = await account.contact.start(user, kind, address, req.body.current ?? '', ctx.services.web.locale(req), req.ip);
        if (r.kind === 'wrongPassword') return { error: 'wrongPassword' };
        if (r.kind === 'invalid') return { error: kind === 'email' ? 'invalidEmail' : 'invalidPhone' };
        if (r.kind === 'throttled') return { error: 'throttled', wait: String(r.wait) };
        if (r.kind === 'unavailable') return { error: 'unavailable' };
        return {};
      }),
  );

  app.post('/account/contact/confirm', { schema: { body: Type.Object({ ...CSRF_FIELDS, code: optionalString() }) } }, async (req, reply) =>
    pages.post(req, reply, 'profile', req.body.csrf, async (user): Promise<Outcome> => {
      const r = await account.contact.confirm(user, (req.body.code ?? '').slice(0, 16), req.ip);
      if (r.kind === 'done') return { done: 'contact' };
      return { error: r.kind === 'wrong' ? 'wrongCode' : r.kind };
    }),
  );
}
