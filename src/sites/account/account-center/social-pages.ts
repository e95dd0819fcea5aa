// /account (overview), /account/friends, /account/passes (each code as a QR code),
// /account/log (the user's own security events).
import { Type } from '@sinclair/typebox';
import QRCode from 'qrcode';
import type { Context } from '../../../context.ts';
import { isNumericId } from '../../../core/account/numeric-id.ts';
import { optionalString } from '../../../http/schemas.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import { InvalidInputError, NotFoundError } from '../../../lib/errors.ts';
import type { User } from '../../../services/users.ts';
import { type AccountPages, CSRF_FIELDS, type Outcome, SECTION_PAGE } from './page-kit.ts';
import { avatarList } from './profile-pages.ts';

/** The user's friends with their names (friends whose account is gone are left out). */
export async function friendList(ctx: Context, user: User): Promise<Array<{ userId: string; account: string; nickname: string }>> {
  const out = [];
  for (const id of await ctx.services.friends.list(user.userId)) {
    const f = await ctx.services.users.get(id);
    if (f) out.push({ userId: f.userId, account: f.account, nickname: f.nickname });
  }
  return out;
}

/** Adds a friend by account name (or user id); false when there is no such other user. */
export async function addFriend(ctx: Context, user: User, ref: string, ip: string): Promise<boolean> {
  const name = ref.trim().slice(0, 64);
  if (!name) return false;
  const friend = isNumericId(name) ? await ctx.services.users.get(name) : await ctx.services.users.find(name);
  if (!friend || friend.userId === user.userId) return false;
  try {
    await ctx.services.friends.add(user.userId, friend.userId);
  } catch (e) {
    if (e instanceof InvalidInputError || e instanceof NotFoundError) return false;
    throw e;
  }
  await ctx.services.audit.record({ type: 'friend.add', actor: user.userId, subject: user.userId, ip, detail: { friend: friend.userId } });
  return true;
}

export async function removeFriend(ctx: Context, user: User, friendId: string, ip: string): Promise<boolean> {
  if (!(await ctx.services.friends.remove(user.userId, friendId))) return false;
  await ctx.services.audit.record({ type: 'friend.remove', actor: user.userId, subject: user.userId, ip, detail: { friend: friendId } });
  return true;
}

/** A pass code as an SVG QR code (error correction M). */
export function qrSvg(code: string): Promise<string> {
  return QRCode.toString(code, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

export async function socialPages(app: TypedInstance, ctx: Context, pages: AccountPages): Promise<void> {
  const center = ctx.services.account.center;

  app.get('/account', SECTION_PAGE, async (req, reply) => {
    const user = await pages.user(req, reply);
    if (!user) return reply;
    const current = await ctx.services.web.sessions.session(req);
    const counts = {
      sessions: (await center.sessions(user.userId, current?.id ?? '')).length,
      apps: (await center.apps(user.userId)).length,
      friends: (await ctx.services.friends.list(user.userId)).length,
    };
    return pages.render(req, reply, 'overview', user, { counts, avatar: avatarList(req, user)[2]?.url });
  });

  app.get('/account/friends', SECTION_PAGE, async (req, reply) => {
    const user = await pages.user(req, reply);
    return user ? pages.render(req, reply, 'friends', user, { friends: await friendList(ctx, user) }) : reply;
  });

  app.post('/account/friends/add', { schema: { body: Type.Object({ ...CSRF_FIELDS, account: optionalString() }) } }, async (req, reply) =>
    pages.post(
      req,
      reply,
      'friends',
      req.body.csrf,
      async (user): Promise<Outcome> =>
        (await addFriend(ctx, user, req.body.account ?? '', req.ip)) ? { done: 'friendAdded' } : { error: 'friend' },
    ),
  );

  app.post('/account/friends/remove', { schema: { body: Type.Object({ ...CSRF_FIELDS, userId: optionalString() }) } }, async (req, reply) =>
    pages.post(
      req,
      reply,
      'friends',
      req.body.csrf,
      async (user): Promise<Outcome> =>
        (await removeFriend(ctx, user, (req.body.userId ?? '').slice(0, 32), req.ip)) ? { done: 'friendRemoved' } : { error: 'notFound' },
    ),
  );

  app.get('/account/passes', SECTION_PAGE, async (req, reply) => {
    const user = await pages.user(req, reply);
    if (!user) return reply;
    const passes = await Promise.all((await center.passes(user.userId)).map(async (p) => ({ ...p, qrSvg: await qrSvg(p.passCode) })));
    return pages.render(req, reply, 'passes', user, { passes });
  });

  app.get('/account/log', SECTION_PAGE, async (req, reply) => {
    const user = await pages.user(req, reply);
    if (!user) return reply;
    const events = [];
    for (const e of await center.securityLog(user.userId)) {
      const app = e.client_id ? await ctx.services.apps.find(e.client_id) : undefined;
      events.push({ type: e.type, at: e.at, ip: e.ip ?? '', app: app?.name ?? e.client_id ?? '' });
    }
    return pages.render(req, reply, 'log', user, { events });
  });
}
