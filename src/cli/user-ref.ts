// "Find user by reference" for every command that takes a USER: a userId, an account name, an
// email address or a phone number. A reference that names no user is "not found" (exit 3).
import type { Command } from 'commander';
import type { Context } from '../context.ts';
import { NotFoundError } from '../lib/errors.ts';
import type { User } from '../services/users.ts';
import type { AdminApi } from './remote.ts';
import { withContext, withStoreOrRemote } from './run.ts';

export const USER_REF_HELP = 'a userId, account, email or phone';

/** The user `ref` names; NotFoundError when it names none. */
export async function findUser(ctx: Context, ref: string): Promise<User> {
  const u = await ctx.services.users.find(ref);
  if (!u) throw new NotFoundError(`no user "${ref}" (give ${USER_REF_HELP})`);
  return u;
}

/** withContext for a command about one user: `action` gets the user `ref` names. */
export function withUser<T>(
  cmd: Command,
  ref: string,
  action: (ctx: Context, user: User) => Promise<T>,
  human: (result: T) => string,
  opts: { full?: boolean } = {},
): Promise<void> {
  return withContext(cmd, async (ctx) => action(ctx, await findUser(ctx, ref)), human, opts);
}

/** withUser for a command that also runs in remote mode: `remote` gets the user through the admin API. */
export function withUserOrRemote<T>(
  cmd: Command,
  ref: string,
  local: (ctx: Context, user: User) => Promise<T>,
  remote: (api: AdminApi, user: User) => Promise<T>,
  human: (result: T) => string,
  opts: { full?: boolean } = {},
): Promise<void> {
  return withStoreOrRemote(
    cmd,
    async (ctx) => local(ctx, await findUser(ctx, ref)),
    async (api) => remote(api, await api.findUser(ref)),
    human,
    opts,
  );
}
