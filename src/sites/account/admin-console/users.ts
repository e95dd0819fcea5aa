// Admin console: users. /admin/users searches (paged), /admin/users/:userId shows one user with
// their recent audit events and the actions: lock, unlock, send a password-reset link, sign out
// everywhere, set the role, delete. Each action is one POST to /admin/users/:userId/:action.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { ROLES, type Role } from '../../../core/account/roles.ts';
import { HTML_PAGE, optionalString } from '../../../http/schemas.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import { translator } from '../../../web/i18n.ts';
import { PageError } from '../../../web/web-kit.ts';
import { actorOf, after, refusalOf, type Shown, show } from './kit.ts';

const PAGE_SIZE = 50;
const UserId = Type.Object({ userId: Type.String({ pattern: '^[0-9]{1,20}$' }) });
const USER_ACTIONS = ['lock', 'unlock', 'reset-password', 'revoke-sessions', 'role', 'delete'] as const;
type UserAction = (typeof USER_ACTIONS)[number];
const DONE_OF: Record<UserAction, string> = {
  lock: 'locked',
  unlock: 'unlocked',
  'reset-password': 'reset-password',
  'revoke-sessions': 'revoke-sessions',
  role: 'role',
  delete: 'deleted',
};

const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100, description: 'Part of the account, nickname, e-mail, phone or user id' })),
  page: Type.Integer({ minimum: 1, maximum: 100000, default: 1 }),
  done: optionalString('deleted after a deletion'),
  _locale: optionalString(),
});
const ShowQuery = Type.Object({ done: optionalString('The action just done (its notice)'), _locale: optionalString() });
const ActionParams = Type.Object({
  userId: Type.String({ pattern: '^[0-9]{1,20}$' }),
  action: Type.Union(USER_ACTIONS.map((a) => Type.Literal(a))),
});
const ActionForm = Type.Object({
  csrf: optionalString('CSRF token'),
  role: optionalString('user, developer or admin (action role)'),
  confirm: optionalString('yes (action delete)'),
  _locale: optionalString(),
});

export async function adminUserPages(app: TypedInstance, ctx: Context): Promise<void> {
  const web = ctx.services.web;
  const { users, admin, apps, audit } = ctx.services;

  const notice = (req: FastifyRequest, done: string | undefined, params: Record<string, string> = {}) => {
    if (!done || !/^[a-z-]{1,20}$/.test(done)) return undefined;
    const t = translator(web.locale(req));
    const key = `admin.flash.${done}`;
    return t(key) === key ? undefined : t(key, params);
  };

  async function userPage(req: FastifyRequest, reply: FastifyReply, userId: string, shown: Shown) {
    const user = await users.get(userId);
    if (!user) throw new PageError(0, { messageKey: 'admin.noUser', status: 404 });
    const t = translator(web.locale(req));
    const events = await audit.list({ subject: user.userId, limit: 20 });
    return show(
      web,
      req,
      reply,
      'users',
      'user',
      'admin.user.title',
      {
        titleParams: { account: user.account },
        user,
        developerId: (await apps.developerOfUser(user.userId))?.id ?? '',
        roles: ROLES.map((r) => ({ name: r, label: t(`admin.roles.${r}`) })),
        events,
      },
      shown,
    );
  }

  app.get('/admin/users', { schema: { querystring: ListQuery, response: { 200: HTML_PAGE } } }, async (req, reply) => {
    const q = req.query.q?.trim() ?? '';
    const page = req.query.page;
    const found = await users.search(q || undefined, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE);
    const link = (p: number) => `/admin/users?${new URLSearchParams({ ...(q ? { q } : {}), page: String(p) }).toString()}`;
    return show(
      web,
      req,
      reply,
      'users',
      'users',
      'admin.users.title',
      {
        q,
        page,
        users: found.slice(0, PAGE_SIZE),
        prev: page > 1 ? link(page - 1) : undefined,
        next: found.length > PAGE_SIZE ? link(page + 1) : undefined,
      },
      { notice: notice(req, req.query.done) },
    );
  });

  app.get(
    '/admin/users/:userId',
    { schema: { params: UserId, querystring: ShowQuery, response: { 200: HTML_PAGE } } },
    async (req, reply) => {
      const u = await users.get(req.params.userId);
      const shown = u ? { notice: notice(req, req.query.done, { email: u.email, role: u.role }) } : {};
      return userPage(req, reply, req.params.userId, shown);
    },
  );

  app.post('/admin/users/:userId/:action', { schema: { params: ActionParams, body: ActionForm } }, async (req, reply) => {
    const locale = web.locale(req);
    const t = translator(locale);
    const { userId, action } = req.params;
    if (!(await web.csrf.verify(req, req.body.csrf))) return userPage(req, reply, userId, { error: t('admin.flash.csrf'), status: 403 });
    const by = actorOf(req);
    try {
      if (action === 'lock') await admin.lock(userId, by);
      else if (action === 'unlock') await admin.unlock(userId, by);
      else if (action === 'reset-password') await admin.sendPasswordReset(userId, by);
      else if (action === 'revoke-sessions') await admin.revokeSessions(userId, by);
      else if (action === 'role') await admin.setRole(userId, parseRoleField(req.body.role), by);
      else {
        if (req.body.confirm !== 'yes') throw new InvalidConfirm(t('admin.user.deleteConfirm'));
        await admin.deleteUser(userId, by);
        return reply.redirect(after('/admin/users', DONE_OF.delete, locale), 303);
      }
    } catch (e) {
      const reason = e instanceof InvalidConfirm ? t('admin.flash.invalid', { message: e.message }) : refusalOf(e, locale);
      if (reason === undefined) throw e;
      return userPage(req, reply, userId, { error: reason, status: 400 });
    }
    return reply.redirect(after(`/admin/users/${userId}`, DONE_OF[action], locale), 303);
  });
}

class InvalidConfirm extends Error {}

function parseRoleField(v: string | undefined): Role {
  const r = ROLES.find((x) => x === v);
  if (!r) throw new InvalidConfirm(`role must be one of ${ROLES.join(', ')}`);
  return r;
}
