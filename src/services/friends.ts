// Friend relations between users (served by /user/relation).

import { InvalidInputError } from '../lib/errors.ts';
import type { FriendsRepo } from '../store/db/friends-repo.ts';
import type { UserService } from './users.ts';

export class FriendService {
  constructor(
    private readonly repo: FriendsRepo,
    private readonly users: UserService,
    private readonly now: () => number = Date.now,
  ) {}

  async add(a: string, b: string): Promise<void> {
    const [ua, ub] = [await this.users.require(a), await this.users.require(b)];
    if (ua.userId === ub.userId) throw new InvalidInputError('a user cannot befriend themselves');
    await this.repo.add(ua.userId, ub.userId, this.now());
  }

  async remove(a: string, b: string): Promise<boolean> {
    return this.repo.remove(a, b);
  }

  list(userId: string): Promise<string[]> {
    return this.repo.list(userId);
  }
}
