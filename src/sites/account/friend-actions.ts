// The friend changes a signed-in user makes, with the audit event each records, shared by the JSON
// routes (friends.ts) and the account center's forms (account-center/social-pages.ts), and the
// state both show. A request is recorded with the name as typed and no subject, so that neither
// its answer nor its event tells whether the name is an account (services/friends.ts).
import type { Context } from '../../context.ts';

/** A user as the friend lists show them. */
export interface FriendPerson {
  userId: string;
  account: string;
  nickname: string;
}

/** The user's friends, the requests received (with the sender) and the requests sent. */
export interface FriendView {
  friends: FriendPerson[];
  incoming: Array<FriendPerson & { at: number }>;
  outgoing: Array<{ account: string; at: number }>;
}

export type FriendActions = ReturnType<typeof friendActions>;

export function friendActions(ctx: Context) {
  const { friends, users, audit } = ctx.services;

  async function people<T extends { userId: string }>(items: T[]): Promise<Array<T & FriendPerson>> {
    const out = [];
    for (const item of items) {
      const u = await users.get(item.userId); // users whose account is gone are left out
      if (u) out.push({ ...item, account: u.account, nickname: u.nickname });
    }
    return out;
  }

  return {
    async view(userId: string): Promise<FriendView> {
      return {
        friends: await people((await friends.list(userId)).map((id) => ({ userId: id }))),
        incoming: await people(await friends.incoming(userId)),
        outgoing: await friends.outgoing(userId),
      };
    },

    /** Asks the holder of `account`; throws InvalidInputError for one's own account, an empty name, too many pending. */
    async request(userId: string, account: string, ip: string): Promise<void> {
      await friends.request(userId, account);
      await audit.record({ type: 'friend.request', actor: userId, ip, detail: { account: account.trim() } });
    },

    /** Accepts the request `fromUserId` sent; false if there is none. */
    async accept(userId: string, fromUserId: string, ip: string): Promise<boolean> {
      if (!(await friends.accept(userId, fromUserId))) return false;
      await audit.record({ type: 'friend.accept', actor: userId, subject: fromUserId, ip });
      return true;
    },

    /** Declines the request `fromUserId` sent; false if there is none. */
    async decline(userId: string, fromUserId: string, ip: string): Promise<boolean> {
      if (!(await friends.decline(userId, fromUserId))) return false;
      await audit.record({ type: 'friend.decline', actor: userId, subject: fromUserId, ip });
      return true;
    },

    /** Withdraws the request sent to `account` (as listed in `outgoing`); false if there is none. */
    cancel(userId: string, account: string): Promise<boolean> {
      return friends.cancel(userId, account);
    },

    /** Ends the friendship with `friendId`; false if there is none. */
    async remove(userId: string, friendId: string, ip: string): Promise<boolean> {
      if (!(await friends.remove(userId, friendId))) return false;
      await audit.record({ type: 'friend.remove', actor: userId, subject: friendId, ip });
      return true;
    },
  };
}
