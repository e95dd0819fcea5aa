// Friend relations between users (served by /user/relation) and the requests that make them.
// A signed-in user asks by account name (never e-mail or phone); the other side accepts or
// declines. Nothing a sender sees depends on whether the account exists: a request to an unknown
// name is kept like any other and simply never answered. `add` makes a friendship at once and is
// for the operator (CLI, seed file, demo data) only.

import { InvalidInputError } from '../lib/errors.ts';
import type { FriendsRepo } from '../store/db/friends-repo.ts';
import type { UserService } from './users.ts';

/** Pending requests a user may have sent at once (bounds what one account can store). */
export const MAX_OUTGOING_REQUESTS = 100;

/** A request the user received: who sent it (a user id) and when (epoch ms). */
export interface IncomingRequest {
  userId: string;
  at: number;
}

/** A request the user sent: the account name as typed, and when (epoch ms). */
export interface OutgoingRequest {
  account: string;
  at: number;
}

export class FriendService {
  constructor(
    private readonly repo: FriendsRepo,
    private readonly users: UserService,
    private readonly now: () => number = Date.now,
  ) {}

  /** Operator only: makes two users friends at once (and drops requests between them). */
  async add(a: string, b: string): Promise<void> {
    const [ua, ub] = [await this.users.require(a), await this.users.require(b)];
    if (ua.userId === ub.userId) throw new InvalidInputError('a user cannot befriend themselves');
    await this.repo.add(ua.userId, ub.userId, this.now());
  }

  /** Ends a friendship (both directions); false if there was none. */
  async remove(a: string, b: string): Promise<boolean> {
    return this.repo.remove(a, b);
  }

  /** The user ids of the user's friends (accepted, mutual), oldest first. */
  list(userId: string): Promise<string[]> {
    return this.repo.list(userId);
  }

  /**
   * `fromUserId` asks the holder of `account` to be friends. Returns nothing, whatever the account:
   * unknown names are stored like known ones. If that user had already asked `fromUserId`, the two
   * become friends now (the sender already saw that request). Throws InvalidInputError for the
   * sender's own account or past MAX_OUTGOING_REQUESTS pending requests.
   */
  async request(fromUserId: string, account: string): Promise<void> {
    const from = await this.users.require(fromUserId);
    const name = account.trim();
    if (!name) throw new InvalidInputError('name an account');
    if (name === from.account) throw new InvalidInputError('a user cannot befriend themselves');
    const toId = (await this.repo.userIdByAccount(name)) ?? null;
    if (toId && (await this.repo.areFriends(from.userId, toId))) return;
    if (toId && (await this.repo.hasRequest(toId, from.userId))) {
      await this.repo.add(from.userId, toId, this.now());
      return;
    }
    const pending = await this.repo.outgoing(from.userId);
    if (pending.some((r) => r.to_account === name)) return; // also after a decline: no re-asking
    if (pending.length >= MAX_OUTGOING_REQUESTS) {
      throw new InvalidInputError(`at most ${MAX_OUTGOING_REQUESTS} requests may wait for an answer: cancel some first`);
    }
    await this.repo.addRequest({ from_id: from.userId, to_account: name, to_id: toId, created_at: this.now() });
  }

  /** `userId` accepts the request `fromUserId` sent: they become friends. False if no such request. */
  async accept(userId: string, fromUserId: string): Promise<boolean> {
    if (!(await this.repo.hasRequest(fromUserId, userId))) return false;
    await this.repo.add(fromUserId, userId, this.now());
    return true;
  }

  /**
   * `userId` declines the request `fromUserId` sent. It leaves the recipient's list, but the
   * sender's stays pending, as for an unknown account (a decline must not confirm the account).
   */
  async decline(userId: string, fromUserId: string): Promise<boolean> {
    return this.repo.detachRequest(fromUserId, userId);
  }

  /** `userId` withdraws the request sent to `account` (as listed by `outgoing`). */
  async cancel(userId: string, account: string): Promise<boolean> {
    return this.repo.deleteRequest(userId, account.trim());
  }

  /** Requests the user received and has not answered, oldest first. */
  async incoming(userId: string): Promise<IncomingRequest[]> {
    return (await this.repo.incoming(userId)).map((r) => ({ userId: r.from_id, at: r.created_at }));
  }

  /** Requests the user sent that wait for an answer (or never get one), oldest first. */
  async outgoing(userId: string): Promise<OutgoingRequest[]> {
    return (await this.repo.outgoing(userId)).map((r) => ({ account: r.to_account, at: r.created_at }));
  }
}
