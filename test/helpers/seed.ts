// The one place where tests set up users, apps, tokens and FDS keys: through the services, as the
// CLI and the pages create them. Names are unique per call unless a test gives its own.
import { randomInt } from 'node:crypto';
import type { Context } from '../../src/context.ts';
import { sha256Hex } from '../../src/lib/hash.ts';
import type { AppFlags } from '../../src/services/apps.ts';
import type { User } from '../../src/services/users.ts';

let n = 0;

/** The redirect URI every seeded app registers first (and `mint` redeems codes for). */
export const SEED_REDIRECT = 'https://app.example.com/cb';
export const SEED_PASSWORD = 'correct-horse-1';

export interface SeededApp {
  clientId: string;
  clientSecret: string;
  developerId: string;
}

export async function seedApp(
  ctx: Context,
  opts: { name?: string; redirectUris?: string; scopes?: number[]; flags?: AppFlags; developer?: string } = {},
): Promise<SeededApp> {
  n++;
  const { app, clientSecret } = await ctx.services.apps.create({
    name: opts.name ?? `Test app ${n}`,
    redirectUris: opts.redirectUris ?? `${SEED_REDIRECT};http://127.0.0.1/cb`,
    scopes: opts.scopes ?? [1, 2, 3, 4, 6, 16000],
    flags: opts.flags ?? {},
    ...(opts.developer ? { developer: opts.developer } : {}),
  });
  return { clientId: app.clientId, clientSecret, developerId: app.developerId };
}

export interface SeededUser extends User {
  password: string;
}

export async function seedUser(
  ctx: Context,
  opts: { account?: string; password?: string; nickname?: string; phone?: string; email?: string; avatarUrl?: string } = {},
): Promise<SeededUser> {
  n++;
  const password = opts.password ?? SEED_PASSWORD;
  const user = await ctx.services.users.create({ account: `u${process.pid}x${n}x${randomInt(1e9)}`, ...opts, password });
  return { ...user, password };
}

export interface Seeded {
  clientId: string;
  clientSecret: string;
  userId: string;
  account: string;
  password: string;
}

/** An app and a user of its own. */
export async function seed(
  ctx: Context,
  opts: {
    scopes?: number[];
    flags?: AppFlags;
    user?: { account?: string; password?: string; nickname?: string; phone?: string; email?: string; avatarUrl?: string };
  } = {},
): Promise<Seeded> {
  const app = await seedApp(ctx, { ...(opts.scopes ? { scopes: opts.scopes } : {}), ...(opts.flags ? { flags: opts.flags } : {}) });
  const user = await seedUser(ctx, opts.user);
  return { clientId: app.clientId, clientSecret: app.clientSecret, userId: user.userId, account: user.account, password: user.password };
}

export interface Minted {
  accessToken: string;
  refreshToken: string;
  macKey: string;
  openId: string;
  unionId: string;
}

/** A real access token for (client, user, scopes), through the OAuth service's code grant. */
export async function mint(ctx: Context, clientId: string, userId: string, scopes: number[], redirectUri = SEED_REDIRECT): Promise<Minted> {
  const oauth = ctx.services.oauth;
  const code = await oauth.issueCode({ clientId, userId, scopes, redirectUri });
  const t = await oauth.redeemCode({ clientId, code });
  return { accessToken: t.accessToken, refreshToken: t.refreshToken, macKey: t.macKey ?? '', openId: t.openId, unionId: t.unionId };
}

/** Makes a minted access or refresh token expired a millisecond ago (time passing, in the store). */
export async function expireToken(ctx: Context, token: string): Promise<void> {
  await ctx.db.kysely
    .updateTable('oauth_tokens')
    .set({ expires_at: Date.now() - 1 })
    .where('token_hash', '=', sha256Hex(token))
    .execute();
}

export interface Credentials {
  accessKeyId: string;
  accessSecret: string;
  developerId: string;
  clientId: string;
}

/** Creates an app under `developer` and returns its FDS key. */
export async function seedFdsKey(ctx: Context, developer: string): Promise<Credentials> {
  const { clientId } = await seedApp(ctx, { name: `fds ${developer}`, redirectUris: 'https://example.com/cb', scopes: [1], developer });
  const k = await ctx.services.fdsKeys.ensure(clientId);
  return { accessKeyId: k.accessKeyId, accessSecret: k.accessSecret, developerId: k.developerId, clientId };
}
