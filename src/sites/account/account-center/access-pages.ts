// /account/password, /account/sessions, /account/apps, /account/storage: how the account is
// signed in to and what may use it, and ending each of them.
import { Type } from '@sinclair/typebox';
import type { Context } from '../../../context.ts';
import { optionalString } from '../../../http/schemas.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import { translator } from '../../../web/i18n.ts';
import { type AccountPages, CSRF_FIELDS, deviceOf, type Outcome, SECTION_PAGE } from './page-kit.ts';

/** The words of a scope id in `locale` (consent's texts). */
export function scopeWords(t: (key: string, o?: Record<string, unknown>) => string, scope: number): string {
  const key = `scope.${scope}`;
  const s = t(key);
  return s === key ? t('scope.other', { id: scope }) : s;
}

export async function accessPages(app: TypedInstance, ctx: Context, pages: AccountPages): Promise<void> {
  const account = ctx.services.account;
  const web = ctx.services.web;

  app.get('/account/password', SECTION_PAGE, async (req, reply) => {
    const user = await pages.user(req, reply);
    return user ? pages.render(req, reply, 'password', user, {}) : reply;
  });

  app.post(
    '/account/password',
    { schema: { body: Type.Object({ ...CSRF_FIELDS, current: optionalString(), password: optionalString() }) } },
    async (req, reply) => {
      const user = await pages.user(req, reply);
      if (!user) return reply;
      if (!(await web.csrf.verify(req, req.body.csrf))) return pages.back(reply, 'password', { error: 'csrf' });
      // The new session is as strong as this one was (its second factor, its passkey).
      const amr = (await web.sessions.session(req))?.amr;
      const r = await account.password.change(user, req.body.current ?? '', req.body.password ?? '', req.ip);
      if (r.kind === 'throttled') return pages.back(reply, 'password', { error: 'throttled', wait: String(r.wait) });
      if (r.kind === 'wrong') return pages.back(reply, 'password', { error: 'wrongPassword' });
      if (r.kind === 'weak') return pages.back(reply, 'password', { error: `password-${r.problem}` });
      // Every session ended with the old password; this browser starts a new one.
      await web.sessions.login(reply, user.userId, amr);
      return pages.back(reply, 'password', { done: 'password' });
    },
  );

  app.get('/account/sessions', SECTION_PAGE, async (req, reply) => {
    const user = await pages.user(req, reply);
    if (!user) return reply;
    const current = await web.sessions.session(req);
    const sessions = (await account.center.sessions(user.userId, current?.id ?? '')).map((s) => ({ ...s, device: deviceOf(s.userAgent) }));
    return pages.render(req, reply, 'sessions', user, { sessions });
  });

  app.post('/account/sessions/end', { schema: { body: Type.Object({ ...CSRF_FIELDS, ref: optionalString() }) } }, async (req, reply) =>
    pages.post(req, reply, 'sessions', req.body.csrf, async (user): Promise<Outcome> => {
      const current = await web.sessions.session(req);
      const ok = await account.center.endSession(user.userId, current?.id ?? '', (req.body.ref ?? '').slice(0, 64), req.ip);
      return ok ? { done: 'session' } : { error: 'notFound' };
    }),
  );

  app.post('/account/sessions/end-others', { schema: { body: Type.Object(CSRF_FIELDS) } }, async (req, reply) =>
    pages.post(req, reply, 'sessions', req.body.csrf, async (user) => {
      const current = await web.sessions.session(req);
      const n = await account.center.endOtherSessions(user.userId, current?.id ?? '', req.ip);
      return { done: 'sessions', count: String(n) };
    }),
  );

  app.get('/account/apps', SECTION_PAGE, async (req, reply) => {
    const user = await pages.user(req, reply);
    if (!user) return reply;
    const t = translator(web.locale(req));
    const apps = (await account.center.apps(user.userId)).map((a) => ({ ...a, scopes: a.scopes.map((s) => scopeWords(t, s)) }));
    return pages.render(req, reply, 'apps', user, { apps });
  });

  app.post('/account/apps/revoke', { schema: { body: Type.Object({ ...CSRF_FIELDS, clientId: optionalString() }) } }, async (req, reply) =>
    pages.post(req, reply, 'apps', req.body.csrf, async (user): Promise<Outcome> => {
      const ok = await account.center.revokeApp(user.userId, (req.body.clientId ?? '').slice(0, 32), req.ip);
      return ok ? { done: 'app' } : { error: 'notFound' };
    }),
  );

  app.get('/account/storage', SECTION_PAGE, async (req, reply) => {
    const user = await pages.user(req, reply);
    if (!user) return reply;
    const tokens = [];
    for (const s of await account.center.storageTokens(user.userId)) {
      const a = s.appId ? await ctx.services.apps.find(s.appId) : undefined;
      tokens.push({ ...s, appName: a?.name ?? s.appId ?? s.providerAppId });
    }
    return pages.render(req, reply, 'storage', user, { tokens });
  });

  app.post('/account/storage/revoke', { schema: { body: Type.Object({ ...CSRF_FIELDS, id: optionalString() }) } }, async (req, reply) =>
    pages.post(req, reply, 'storage', req.body.csrf, async (user): Promise<Outcome> => {
      const ok = await account.center.revokeStorageToken(user.userId, (req.body.id ?? '').slice(0, 64));
      return ok ? { done: 'storage' } : { error: 'notFound' };
    }),
  );
}
