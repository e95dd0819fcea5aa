// `opal friend …`: friend relations served by /user/relation.
import type { Command } from 'commander';
import type { Context } from '../../context.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { withContext } from '../run.ts';

async function idOf(ctx: Context, ref: string): Promise<string> {
  const u = await ctx.services.users.find(ref);
  if (!u) throw new NotFoundError(`no user "${ref}"`);
  return u.userId;
}

export function registerFriend(program: Command): void {
  const friend = program.command('friend').description('manage friend relations (USER is a userId, account, email or phone)');
  friend
    .command('add')
    .description('make two users friends')
    .argument('<user>')
    .argument('<friend>')
    .action(async (a: string, b: string, _o: unknown, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          const [ia, ib] = [await idOf(ctx, a), await idOf(ctx, b)];
          await ctx.services.friends.add(ia, ib);
          return { userId: ia, friendId: ib, friends: true };
        },
        (r) => `${r.userId} and ${r.friendId} are friends`,
      );
    });
  friend
    .command('remove')
    .description('end a friend relation')
    .argument('<user>')
    .argument('<friend>')
    .action(async (a: string, b: string, _o: unknown, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          const [ia, ib] = [await idOf(ctx, a), await idOf(ctx, b)];
          const removed = await ctx.services.friends.remove(ia, ib);
          if (!removed) throw new NotFoundError(`${ia} and ${ib} are not friends`);
          return { userId: ia, friendId: ib, friends: false };
        },
        (r) => `${r.userId} and ${r.friendId} are no longer friends`,
      );
    });
  friend
    .command('list')
    .description("list a user's friends")
    .argument('<user>')
    .action(async (a: string, _o: unknown, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          const id = await idOf(ctx, a);
          return { userId: id, friends: await ctx.services.friends.list(id) };
        },
        (r) => (r.friends.length ? r.friends.join('\n') : '(none)'),
      );
    });
}
