// Users: creation with argon2id password hashes, look-up by login identifier, updates, deletion.
import { hash, verify } from '@node-rs/argon2';
import { isRole, ROLES, type Role, roleOf } from '../core/account/roles.ts';
import { uploadedAvatarKey } from '../core/open/profile.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../lib/errors.ts';
import { randomDigits } from '../lib/random.ts';
import type { Cache } from '../store/cache/cache.ts';
import { RowCache } from '../store/cache/row-cache.ts';
import type { UserRow, UsersRepo } from '../store/db/users-repo.ts';

/** A login identifier looked up once (UserService.findLogin). */
export interface LoginCandidate {
  /** The user the login names, if any. */
  userId: string | undefined;
  /** The user when `password` is theirs, else undefined; verifies a dummy hash for unknown logins. */
  check(password: string): Promise<User | undefined>;
}

export interface User {
  userId: string;
  account: string;
  phone: string;
  email: string;
  nickname: string;
  /** Custom avatar URL; "" when the user has none (the open API then serves Opal's default). */
  avatarUrl: string;
  locale: string;
  createdAt: number;
  role: Role;
  /** Locked by an admin: cannot sign in, tokens refused. */
  locked: boolean;
}

export interface UserInput {
  account: string;
  password: string;
  nickname?: string | undefined;
  phone?: string | undefined;
  email?: string | undefined;
  avatarUrl?: string | undefined;
  locale?: string | undefined;
  role?: Role | undefined;
}

export type UserPatch = Partial<Omit<UserInput, 'account' | 'password' | 'role'>>;

// argon2id with OWASP's recommended minimum cost (19 MiB, 2 passes).
const ARGON2 = { algorithm: 2 as const, memoryCost: 19456, timeCost: 2, parallelism: 1 };
const ACCOUNT_RE = /^[A-Za-z0-9._@+-]{1,64}$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_RE = /^\+?[0-9]{5,20}$/;
const LOCALES = new Set(['en', 'zh-CN']);
/** User ids stay below 2^53 so every client's JSON number parser reads them exactly. */
const USER_ID_DIGITS = 10;

export function toUser(r: UserRow): User {
  return {
    userId: r.user_id,
    account: r.account,
    phone: r.phone ?? '',
    email: r.email ?? '',
    nickname: r.nickname,
    avatarUrl: r.avatar_url ?? '',
    locale: r.locale,
    createdAt: r.created_at,
    role: roleOf(r.role),
    locked: r.locked_at !== null,
  };
}

/** Checks a role name from input (CLI, admin API, seed files). */
export function parseRole(s: string): Role {
  if (!isRole(s)) throw new InvalidInputError(`role must be one of ${ROLES.join(', ')}`);
  return s;
}

function validate(input: UserPatch & { account?: string; password?: string }): void {
  const problems: string[] = [];
  if (input.account !== undefined && !ACCOUNT_RE.test(input.account)) {
    problems.push('account must be 1-64 characters of letters, digits and ._@+-');
  }
  if (input.password !== undefined && (input.password.length < 6 || input.password.length > 256)) {
    problems.push('password must be 6-256 characters');
  }
  if (input.email && !EMAIL_RE.test(input.email)) problems.push(`email "${input.email}" is not an address`);
  if (input.phone && !PHONE_RE.test(input.phone)) problems.push(`phone "${input.phone}" must be 5-20 digits`);
  if (input.nickname !== undefined && input.nickname.length > 64) problems.push('nickname is limited to 64 characters');
  if (input.avatarUrl && uploadedAvatarKey(input.avatarUrl) === undefined) {
    try {
      const u = new URL(input.avatarUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push('avatar must be an http(s) URL');
    } catch {
      problems.push('avatar must be an absolute URL');
    }
  }
  if (input.locale !== undefined && !LOCALES.has(input.locale)) problems.push('locale must be en or zh-CN');
  if (problems.length > 0) throw new InvalidInputError(problems.join('; '));
}

/** How long a cached user may go unseen by a change no broadcast reaches (row-cache.ts). */
const USER_CACHE_TTL_MS = 5_000;

export class UserService {
  /** Users by id for the open APIs, dropped on every node when changed or deleted. */
  private readonly byId: RowCache<User>;

  constructor(
    private readonly repo: UsersRepo,
    private readonly now: () => number = Date.now,
    cache: () => Cache = () => {
      throw new Error('no shared cache');
    },
  ) {
    this.byId = new RowCache<User>({ cache, channel: 'users:changed', ttlMs: USER_CACHE_TTL_MS, maxEntries: 20_000, now });
  }

  async create(input: UserInput): Promise<User> {
    validate(input);
    return this.createWithHash(input, await hashPassword(input.password));
  }

  /** Creates a user whose password was hashed earlier (hashPassword), e.g. before a verification step. */
  async createWithHash(input: Omit<UserInput, 'password'>, passwordHash: string): Promise<User> {
    validate(input);
    for (const id of [input.account, input.email, input.phone]) {
      if (id && (await this.repo.byLogin(id))) throw new ConflictError(`an account with login "${id}" exists`);
    }
    const now = this.now();
    for (let attempt = 0; attempt < 5; attempt++) {
      const userId = randomDigits(USER_ID_DIGITS);
      if (await this.repo.byId(userId)) continue;
      const row: UserRow = {
        user_id: userId,
        account: input.account,
        phone: input.phone || null,
        email: input.email || null,
        nickname: input.nickname ?? input.account,
        avatar_url: input.avatarUrl || null,
        password_hash: passwordHash,
        locale: input.locale ?? 'en',
        created_at: now,
        updated_at: now,
        role: input.role ?? 'user',
        locked_at: null,
      };
      try {
        await this.repo.insert(row);
      } catch (e) {
        // Another request took the same login meanwhile (unique constraint).
        for (const id of [input.account, input.email, input.phone]) {
          if (id && (await this.repo.byLogin(id))) throw new ConflictError(`an account with login "${id}" exists`);
        }
        throw e;
      }
      return toUser(row);
    }
    throw new Error('could not allocate a user id');
  }

  /** The user (a shared record from the user cache: do not modify it). */
  async get(userId: string): Promise<User | undefined> {
    return this.byId.get(userId, async () => {
      const r = await this.repo.byId(userId);
      return r ? toUser(r) : undefined;
    });
  }

  async require(userId: string): Promise<User> {
    const u = await this.get(userId);
    if (!u) throw new NotFoundError(`no user ${userId}`);
    return u;
  }

  /** Resolves a user id, account name, email or phone. */
  async find(idOrLogin: string): Promise<User | undefined> {
    const r = (await this.repo.byId(idOrLogin)) ?? (await this.repo.byLogin(idOrLogin));
    return r ? toUser(r) : undefined;
  }

  async list(limit?: number, offset?: number): Promise<User[]> {
    return (await this.repo.list(limit, offset)).map(toUser);
  }

  /** Users whose account, nickname, email, phone or id contains `query` (all users without one). */
  async search(query: string | undefined, limit = 100, offset = 0): Promise<User[]> {
    return (await this.repo.search(query ?? '', limit, offset)).map(toUser);
  }

  async count(): Promise<number> {
    return this.repo.count();
  }

  async setRole(userId: string, role: Role): Promise<User> {
    if (!(await this.repo.update(userId, { role, updated_at: this.now() }))) throw new NotFoundError(`no user ${userId}`);
    await this.byId.invalidate(userId);
    return this.require(userId);
  }

  /** Locks or unlocks an account (the sign-in checks refuse a locked one). */
  async setLocked(userId: string, locked: boolean): Promise<User> {
    const now = this.now();
    if (!(await this.repo.update(userId, { locked_at: locked ? now : null, updated_at: now })))
      throw new NotFoundError(`no user ${userId}`);
    await this.byId.invalidate(userId);
    return this.require(userId);
  }

  /**
   * Looks a login identifier (account name, email or phone) up once: the id of the user it names,
   * if any, and a password check that returns the user or undefined. The check's time does not
   * reveal whether the account exists (a dummy hash is verified when it does not).
   */
  async findLogin(login: string): Promise<LoginCandidate> {
    const r = await this.repo.byLogin(login);
    return {
      userId: r?.user_id,
      check: async (password) => {
        const ok = await verify(r?.password_hash ?? (await dummyHash()), password).catch(() => false);
        // A locked account is refused like a wrong password (same work, same answer).
        return r && ok && r.locked_at === null ? toUser(r) : undefined;
      },
    };
  }

  /** Checks a password for a login identifier (see findLogin). */
  async authenticate(login: string, password: string): Promise<User | undefined> {
    return (await this.findLogin(login)).check(password);
  }

  async verifyPassword(userId: string, password: string): Promise<boolean> {
    const r = await this.repo.byId(userId);
    const ok = await verify(r?.password_hash ?? (await dummyHash()), password).catch(() => false);
    return Boolean(r) && ok && r?.locked_at === null;
  }

  async setPassword(userId: string, password: string): Promise<void> {
    validate({ password });
    const ok = await this.repo.update(userId, { password_hash: await hash(password, ARGON2), updated_at: this.now() });
    if (!ok) throw new NotFoundError(`no user ${userId}`);
  }

  async update(userId: string, patch: UserPatch): Promise<User> {
    validate(patch);
    // A new phone or email must not be another user's login (account, email or phone).
    for (const id of [patch.email, patch.phone]) {
      const owner = id ? await this.repo.byLogin(id) : undefined;
      if (owner && owner.user_id !== userId) throw new ConflictError(`an account with login "${id}" exists`);
    }
    const set: Record<string, string | number | null> = { updated_at: this.now() };
    if (patch.nickname !== undefined) set.nickname = patch.nickname;
    if (patch.phone !== undefined) set.phone = patch.phone || null;
    if (patch.email !== undefined) set.email = patch.email || null;
    if (patch.avatarUrl !== undefined) set.avatar_url = patch.avatarUrl || null;
    if (patch.locale !== undefined) set.locale = patch.locale;
    if (!(await this.repo.update(userId, set))) throw new NotFoundError(`no user ${userId}`);
    await this.byId.invalidate(userId);
    return this.require(userId);
  }

  async delete(userId: string): Promise<void> {
    if (!(await this.repo.delete(userId))) throw new NotFoundError(`no user ${userId}`);
    await this.byId.invalidate(userId);
  }
}

/** The stored form of a password (argon2id). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

/** Whether `account` has the shape of an account name. */
export function isAccountName(account: string): boolean {
  return ACCOUNT_RE.test(account);
}

/** Whether `email` / `phone` have the shape of an address / a number. */
export function isEmail(email: string): boolean {
  return EMAIL_RE.test(email) && email.length <= 254;
}
export function isPhone(phone: string): boolean {
  return PHONE_RE.test(phone);
}

let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hash('opal-dummy-password', ARGON2);
  return dummy;
}
