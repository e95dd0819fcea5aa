// /account (overview), /account/friends (requests by account name, accept/decline/cancel/remove),
// /account/passes (each code as a QR code),
// /account/log (the user's own security events).
import { Type } from '@sinclair/typebox';
import type { Context } from '../../../context.ts';
import { optionalString } from '../../../http/schemas.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import { InvalidInputError } from '../../../lib/errors.ts';
import { qrSvg } from '../../../lib/qr-code.ts';
import type { User } from '../../../services/users.ts';
import { type FriendActions, friendActions } from '../friend-actions.ts';
import { type AccountPages, CSRF_FIELDS, type Outcome, SECTION_PAGE } from './page-kit.ts';
import { avatarList } from './profile-pages.ts';

const FRIEND_NAME_MAX = 64;
const BY_ACCOUNT = { schema: { body: Type.Object({ ...CSRF_FIELDS, account: optionalString() }) } };
const BY_USER = { schema: { body: Type.Object({ ...CSRF_FIELDS, userId: optionalString() }) } };

/**
 * The outcome of a friend request by account name: the same whether or not the account exists;
 * only an empty or too long name, one's own account or too many pending requests are refused.
 */
export async function requestFriend(actions: FriendActions, user: User, account: string, ip: string): Promise<Outcome> {
  const name = account.trim();
  if (!name || name.length > FRIEND_NAME_MAX) return { error: 'friendName' };
  if (name === user.account) return { error: 'friendSelf' };
  try {
    await actions.request(user.userId, name, ip);
  } catch (e) {
    if (e instanceof InvalidInputError) return { error: 'friendLimit' }; // the one refusal left
    throw e;
  }
  return { done: 'friendRequested' };
}

export async function socialPages(app: TypedInstance, ctx: Context, pages: AccountPages): Promise<void> {
  const center = ctx.services.account.center;
  const actions = friendActions(ctx);

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
    return user ? pages.render(req, reply, 'friends', user, { ...(await actions.view(user.userId)) }) : reply;
  });

  const one = async (changed: Promise<boolean>, done: string): Promise<Outcome> => ((await changed) ? { done } : { error: 'notFound' });

  app.post('/account/friends/request', BY_ACCOUNT, async (req, reply) =>
    pages.post(req, reply, 'friends', req.body.csrf, (user) => requestFriend(actions, user, req.body.account ?? '', req.ip)),
  );
  for (const [action, done] of [
    ['accept', 'friendAccepted'],
    ['decline', 'friendDeclined'],
    ['remove', 'friendRemoved'],
  ] as const) {
    app.post(`/account/friends/${action}`, BY_USER, async (req, reply) =>
      pages.post(req, reply, 'friends', req.body.csrf, (user) =>
        one(actions[action](user.userId, (req.body.userId ?? '').slice(0, 64), req.ip), done),
      ),
    );
  }
  app.post('/account/friends/cancel', BY_ACCOUNT, async (req, reply) =>
    pages.post(req, reply, 'friends', req.body.csrf, (user) =>
      one(actions.cancel(user.userId, (req.body.account ?? '').slice(0, FRIEND_NAME_MAX)), 'requestCancelled'),
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
