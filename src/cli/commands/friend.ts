// `opal friend …`: friend relations served by /user/relation.
import type { Command } from 'commander';
import type { Context } from '../../context.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { withContext } from '../run.ts';
import { findUser, USER_REF_HELP, withUser } from '../user-ref.ts';

/** `friend add` and `friend remove`: both name two users and print the relation after the change. */
const CHANGES = [
  {
    name: 'add',
    description: 'make two users friends',
    friends: true,
    done: 'are friends',
    async apply(ctx: Context, userId: string, friendId: string): Promise<void> {
      await ctx.services.friends.add(userId, friendId);
    },
  },
  {
    name: 'remove',
    description: 'end a friend relation',
    friends: false,
    done: 'are no longer friends',
    async apply(ctx: Context, userId: string, friendId: string): Promise<void> {
      if (!(await ctx.services.friends.remove(userId, friendId))) throw new NotFoundError(`${userId} and ${friendId} are not friends`);
    },
  },
] as const;

export function registerFriend(program: Command): void {
  const friend = program.command('friend').description(`manage friend relations (USER is ${USER_REF_HELP})`);
  for (const change of CHANGES) {
    friend
      .command(change.name)
      .description(change.description)
      .argument('<user>')
      .argument('<friend>')
      .action(async (a: string, b: string, _o: unknown, cmd: Command) => {
        await withContext(
          cmd,
          async (ctx) => {
            const [userId, friendId] = [(await findUser(ctx, a)).userId, (await findUser(ctx, b)).userId];
            await change.apply(ctx, userId, friendId);
            return { userId, friendId, friends: change.friends };
          },
          (r) => `${r.userId} and ${r.friendId} ${change.done}`,
        );
      });
  }
  friend
    .command('list')
    .description("list a user's friends")
    .argument('<user>')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      await withUser(
        cmd,
        ref,
        async (ctx, u) => ({ userId: u.userId, friends: await ctx.services.friends.list(u.userId) }),
        (r) => (r.friends.length ? r.friends.join('\n') : '(none)'),
      );
    });
}
