// `opal user …`: manage end-user accounts.
import type { Command } from 'commander';
import { ROLES } from '../../core/account/roles.ts';
import { InvalidInputError } from '../../lib/errors.ts';
import { parseRole, type User } from '../../services/users.ts';
import { remoteCapable } from '../remote.ts';
import { fields, table, withStoreOrRemote } from '../run.ts';
import { USER_REF_HELP, withUser, withUserOrRemote } from '../user-ref.ts';

type UserDetail = User & { developerId: string | null };

/** `--limit` of `user list`. */
function parseLimit(limit: string): number {
  if (!/^\d{1,6}$/.test(limit) || Number(limit) === 0) throw new InvalidInputError('--limit must be a number from 1 to 999999');
  return Number(limit);
}

export function registerUser(program: Command): void {
  const user = program.command('user').description(`manage users (USER is ${USER_REF_HELP})`);

  const create = user
    .command('create')
    .description('create a user; prints its userId')
    .requiredOption('--account <name>', 'account name used to log in')
    .requiredOption('--password <password>', 'password (6-256 characters)')
    .option('--nickname <nickname>', 'display name (default: the account name)')
    .option('--phone <phone>', 'phone number')
    .option('--email <email>', 'email address')
    .option('--avatar <url>', 'avatar URL (default: Opal serves its default avatar)')
    .option('--locale <locale>', 'en or zh-CN', 'en')
    .option('--role <role>', `${ROLES.join(', ')} (developers and admins get a developer record for their apps)`, 'user')
    .action(
      async (
        o: {
          account: string;
          password: string;
          nickname?: string;
          phone?: string;
          email?: string;
          avatar?: string;
          locale: string;
          role: string;
        },
        cmd: Command,
      ) => {
        const input = {
          account: o.account,
          password: o.password,
          nickname: o.nickname,
          phone: o.phone,
          email: o.email,
          locale: o.locale,
        };
        await withStoreOrRemote<User>(
          cmd,
          (ctx) => ctx.services.admin.createUser({ ...input, avatarUrl: o.avatar, role: parseRole(o.role) }, { actor: 'cli' }),
          (api) => {
            if (o.avatar !== undefined)
              throw new InvalidInputError('--avatar has no admin-API equivalent: set it with `opal user update` on the server');
            return api.call<UserDetail>('POST', '/users', { ...input, role: parseRole(o.role) });
          },
          (u) => `created user ${u.userId} (${u.account}${u.role === 'user' ? '' : `, ${u.role}`})`,
        );
      },
    );
  remoteCapable(create, 'POST /users');

  const list = user
    .command('list')
    .description('list users')
    .option('--limit <n>', 'at most this many', '1000')
    .action(async (o: { limit: string }, cmd: Command) => {
      await withStoreOrRemote<User[]>(
        cmd,
        (ctx) => ctx.services.users.list(parseLimit(o.limit)),
        async (api) => {
          const limit = parseLimit(o.limit);
          const out: User[] = [];
          while (out.length < limit) {
            const page = Math.min(1000, limit - out.length);
            const { users } = await api.call<{ users: User[] }>('GET', `/users?limit=${page}&offset=${out.length}`);
            out.push(...users);
            if (users.length < page) break;
          }
          return out;
        },
        (rows) => table(rows as unknown as Array<Record<string, unknown>>, ['userId', 'account', 'nickname', 'email', 'phone']),
      );
    });
  remoteCapable(list, 'GET /users');

  const show = user
    .command('show')
    .description('show one user')
    .argument('<user>')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      await withUserOrRemote<Record<string, unknown>>(
        cmd,
        ref,
        async (ctx, u) => ({ ...u, friends: await ctx.services.friends.list(u.userId) }),
        // The admin API has no friends endpoint: remotely, the user with their developer id.
        async (api, u) => ({ ...(await api.call<UserDetail>('GET', `/users/${u.userId}`)) }),
        (u) => fields(u),
      );
    });
  remoteCapable(show, 'GET /users/{userId}; without friends');

  user
    .command('update')
    .description("change a user's profile")
    .argument('<user>')
    .option('--nickname <nickname>', 'display name')
    .option('--phone <phone>', 'phone number ("" clears)')
    .option('--email <email>', 'email address ("" clears)')
    .option('--avatar <url>', 'avatar URL ("" restores the default avatar)')
    .option('--locale <locale>', 'en or zh-CN')
    .action(
      async (ref: string, o: { nickname?: string; phone?: string; email?: string; avatar?: string; locale?: string }, cmd: Command) => {
        await withUser(
          cmd,
          ref,
          (ctx, u) =>
            ctx.services.users.update(u.userId, {
              nickname: o.nickname,
              phone: o.phone,
              email: o.email,
              avatarUrl: o.avatar,
              locale: o.locale,
            }),
          (u) => fields({ ...u }),
        );
      },
    );

  const roleCmd = user
    .command('role')
    .description(`give a user a role: ${ROLES.join(', ')}`)
    .argument('<user>')
    .argument('<role>')
    .action(async (ref: string, role: string, _o: unknown, cmd: Command) => {
      await withUserOrRemote<UserDetail>(
        cmd,
        ref,
        (ctx, u) => ctx.services.admin.setRole(u.userId, parseRole(role), { actor: 'cli' }),
        (api, u) => api.call<UserDetail>('PUT', `/users/${u.userId}/role`, { role: parseRole(role) }),
        (u) => `${u.userId} is now ${u.role}${u.developerId ? ` (developer ${u.developerId})` : ''}`,
      );
    });
  remoteCapable(roleCmd, 'PUT /users/{userId}/role');

  for (const [name, locked] of [
    ['lock', true],
    ['unlock', false],
  ] as const) {
    const lockCmd = user
      .command(name)
      .description(locked ? 'lock a user: no sign-in, sessions ended, every grant and token revoked' : 'unlock a locked user')
      .argument('<user>')
      .action(async (ref: string, _o: unknown, cmd: Command) => {
        await withUserOrRemote<User>(
          cmd,
          ref,
          (ctx, u) =>
            locked ? ctx.services.admin.lock(u.userId, { actor: 'cli' }) : ctx.services.admin.unlock(u.userId, { actor: 'cli' }),
          (api, u) => api.call<UserDetail>('POST', `/users/${u.userId}/${name}`),
          (u) => `${u.userId} ${u.locked ? 'locked' : 'unlocked'}`,
          { full: true },
        );
      });
    remoteCapable(lockCmd, `POST /users/{userId}/${name}`);
  }

  user
    .command('passwd')
    .description("set a user's password")
    .argument('<user>')
    .requiredOption('--password <password>', 'new password')
    .action(async (ref: string, o: { password: string }, cmd: Command) => {
      await withUser(
        cmd,
        ref,
        async (ctx, u) => {
          const ended = await ctx.services.signOut.changePassword(u.userId, o.password, 'cli');
          return { userId: u.userId, passwordChanged: true, sessionsEnded: true, ...ended };
        },
        (r) =>
          `password changed for ${r.userId}; sessions ended, ${r.storageTokensRevoked} FDS token(s) and ${r.refreshTokensRevoked} refresh token(s) revoked`,
        { full: true },
      );
    });

  const revoke = user
    .command('sessions')
    .description("a user's sign-ins")
    .command('revoke')
    .description('end every page session of a user and revoke their FDS serviceTokens and storage tokens')
    .argument('<user>')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      await withUserOrRemote<{ userId: string; sessionsEnded: true; storageTokensRevoked?: number }>(
        cmd,
        ref,
        async (ctx, u) => ({ userId: u.userId, sessionsEnded: true, ...(await ctx.services.signOut.everywhere(u.userId, 'cli')) }),
        async (api, u) => {
          await api.call('POST', `/users/${u.userId}/revoke-sessions`);
          return { userId: u.userId, sessionsEnded: true };
        },
        (r) =>
          `sessions ended for ${r.userId}${r.storageTokensRevoked === undefined ? ' (and their FDS tokens)' : `; ${r.storageTokensRevoked} FDS token(s) revoked`}`,
        { full: true },
      );
    });
  remoteCapable(revoke, 'POST /users/{userId}/revoke-sessions');

  const factors = user.command('factors').description("a user's second factors (authenticator app, passkeys)");
  factors
    .command('list')
    .description("list a user's second factors and unused recovery codes")
    .argument('<user>')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      await withUser(
        cmd,
        ref,
        async (ctx, u) => ({
          userId: u.userId,
          factors: await ctx.services.factors.list(u.userId),
          recoveryCodes: (await ctx.services.factors.summary(u.userId)).recoveryCodes,
        }),
        (r) =>
          `${table(
            r.factors.map((f) => ({
              id: f.id,
              kind: f.kind,
              name: f.name,
              created: new Date(f.createdAt).toISOString(),
              lastUsed: f.lastUsedAt ? new Date(f.lastUsedAt).toISOString() : '-',
            })),
            ['id', 'kind', 'name', 'created', 'lastUsed'],
          )}\n${r.recoveryCodes} unused recovery code(s)`,
      );
    });
  factors
    .command('reset')
    .description('remove every second factor and recovery code of a user (they sign in with the password alone again)')
    .argument('<user>')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      await withUser(
        cmd,
        ref,
        async (ctx, u) => ({ userId: u.userId, factorsRemoved: await ctx.services.factors.removeAll(u.userId, 'cli') }),
        (r) => `${r.factorsRemoved} factor(s) and every recovery code removed for ${r.userId}`,
      );
    });

  const del = user
    .command('delete')
    .description('delete a user and their relations')
    .argument('<user>')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      await withUserOrRemote(
        cmd,
        ref,
        async (ctx, u) => {
          await ctx.services.admin.deleteUser(u.userId, { actor: 'cli' });
          return { userId: u.userId, deleted: true };
        },
        async (api, u) => {
          await api.call('DELETE', `/users/${u.userId}`);
          return { userId: u.userId, deleted: true };
        },
        (r) => `deleted user ${r.userId}`,
        // Revoking the grants tells every node through the shared cache.
        { full: true },
      );
    });
  remoteCapable(del, 'DELETE /users/{userId}');
}
