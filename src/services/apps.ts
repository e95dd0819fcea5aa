// Developers and their apps: clientId allocation, hashed client secrets, redirect URIs, scopes,
// per-app switches.

import type { AppFlags } from '../core/account/app-flags.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../lib/errors.ts';
import { hmacSha256Hex, safeEqualPublicLength } from '../lib/hash.ts';
import { newClientSecret, randomDigits } from '../lib/random.ts';
import { openSecret, sealSecret } from '../lib/secret-box.ts';
import type { Cache } from '../store/cache/cache.ts';
import { RowCache } from '../store/cache/row-cache.ts';
import type { AppPatch, AppRow, AppsRepo } from '../store/db/apps-repo.ts';
import type { DeveloperRow, DevelopersRepo } from '../store/db/developers-repo.ts';

export { type AppFlags, FLAG_NAMES } from '../core/account/app-flags.ts';

export interface Developer {
  id: string;
  name: string;
  createdAt: number;
  /** The user who acts for this developer, or null (developers made by the CLI). */
  userId: string | null;
}

const toDeveloper = (r: DeveloperRow): Developer => ({ id: r.id, name: r.name, createdAt: r.created_at, userId: r.user_id });

export interface App {
  /** Decimal string of a 64-bit number: never a JS number. */
  clientId: string;
  developerId: string;
  name: string;
  /** Registered redirect URIs, `;`-separated as on the wire. */
  redirectUris: string;
  scopes: number[];
  flags: AppFlags;
  createdAt: number;
  /** Disabled by an admin: the protocols treat the app as unknown. */
  disabled: boolean;
}

export interface AppInput {
  name: string;
  redirectUris: string;
  scopes?: number[] | undefined;
  developer?: string | undefined;
  flags?: AppFlags | undefined;
}

/** Real client ids share this 13-digit prefix (2882303761517…), 19 digits in all. */
export const CLIENT_ID_PREFIX = '2882303761517';
export const DEFAULT_DEVELOPER = 'default';
export const DEFAULT_SCOPES = [1];

export function toApp(r: AppRow): App {
  return {
    clientId: r.client_id,
    developerId: r.developer_id,
    name: r.name,
    redirectUris: r.redirect_uris,
    scopes: r.scopes,
    flags: r.flags,
    createdAt: r.created_at,
    disabled: r.disabled_at !== null,
  };
}

export function parseScopeList(s: string): number[] {
  const out: number[] = [];
  for (const part of s.split(/[\s,;]+/).filter(Boolean)) {
    if (!/^\d{1,9}$/.test(part) || Number(part) === 0) throw new InvalidInputError(`scope "${part}" is not a positive integer`);
    if (!out.includes(Number(part))) out.push(Number(part));
  }
  return out;
}

function validateRedirects(uris: string): void {
  const entries = uris.split(';').filter(Boolean);
  if (entries.length === 0) throw new InvalidInputError('at least one redirect URI is required');
  for (const e of entries) {
    let u: URL;
    try {
      u = new URL(e);
    } catch {
      throw new InvalidInputError(`redirect URI "${e}" is not an absolute URL`);
    }
    if (u.protocol === 'javascript:' || u.protocol === 'data:' || u.protocol === 'file:') {
      throw new InvalidInputError(`redirect URI "${e}" uses a forbidden scheme`);
    }
    if (u.hostname.includes('*')) throw new InvalidInputError(`redirect URI "${e}": wildcards are not allowed`);
  }
}

/** How long a cached app may go unseen by a change no broadcast reaches (row-cache.ts). */
const APP_CACHE_TTL_MS = 5_000;
/** Compared with when the app is unknown, so that the check costs the same. */
const NO_SECRET = '0'.repeat(64);

export class AppService {
  /** App rows (with the secret's keyed hash) by client id, dropped on every node when changed. */
  private readonly rows: RowCache<AppRow>;

  constructor(
    private readonly apps: AppsRepo,
    private readonly developers: DevelopersRepo,
    private readonly serverSecret: () => string,
    private readonly now: () => number = Date.now,
    cache: () => Cache = () => {
      throw new Error('no shared cache');
    },
  ) {
    this.rows = new RowCache<AppRow>({ cache, channel: 'apps:changed', ttlMs: APP_CACHE_TTL_MS, maxEntries: 10_000, now });
  }

  private row(clientId: string): Promise<AppRow | undefined> {
    return this.rows.get(clientId, () => this.apps.byId(clientId));
  }

  private hashSecret(secret: string): string {
    return hmacSha256Hex(this.serverSecret(), `client-secret|${secret}`);
  }

  /** Finds a developer by name, creating it when new. */
  async developer(name: string = DEFAULT_DEVELOPER): Promise<Developer> {
    if (!/^[\w.@-]{1,64}$/.test(name)) throw new InvalidInputError('developer name must be 1-64 characters of letters, digits and ._@-');
    let r = await this.developers.byName(name);
    if (!r) {
      const row = { id: randomDigits(12), name, created_at: this.now(), user_id: null };
      try {
        await this.developers.insert(row);
      } catch (e) {
        // Another node created it meanwhile.
        if (!(await this.developers.byName(name))) throw e;
      }
      r = await this.developers.byName(name);
    }
    if (!r) throw new Error(`developer ${name} vanished`);
    return toDeveloper(r);
  }

  async getDeveloper(id: string): Promise<Developer | undefined> {
    const r = await this.developers.byId(id);
    return r ? toDeveloper(r) : undefined;
  }

  async listDevelopers(): Promise<Developer[]> {
    return (await this.developers.list()).map(toDeveloper);
  }

  /** Forgets the link of a user who is being deleted (their developer and its apps stay). */
  async unlinkUser(userId: string): Promise<void> {
    await this.developers.unlinkUser(userId);
  }

  /** The developer record a user acts for, if any. */
  async developerOfUser(userId: string): Promise<Developer | undefined> {
    const r = await this.developers.byUser(userId);
    return r ? toDeveloper(r) : undefined;
  }

  /**
   * The developer record of a user with the developer role, made on first use: named after the
   * account (or `<account>-<userId>` when a developer of that name belongs to someone else), or
   * `name` when given (an existing unlinked developer of that name is taken over).
   */
  async ensureDeveloperOfUser(user: { userId: string; account: string }, name?: string): Promise<Developer> {
    const have = await this.developerOfUser(user.userId);
    if (have) return have;
    const base = (name ?? user.account).replace(/[^\w.@-]/g, '-').slice(0, 50);
    for (const candidate of [base, `${base}-${user.userId}`]) {
      const dev = await this.developer(candidate);
      if (await this.developers.link(dev.id, user.userId)) return { ...dev, userId: user.userId };
    }
    throw new ConflictError(`could not give user ${user.userId} a developer record`);
  }

  /**
   * Creates an app; the returned secret is shown once and only its keyed hash is stored. `fixed`
   * gives the client id and secret (seed fixtures); a taken client id is then a ConflictError.
   */
  async create(input: AppInput, fixed?: { clientId: string; clientSecret: string }): Promise<{ app: App; clientSecret: string }> {
    if (!input.name.trim() || input.name.length > 100) throw new InvalidInputError('app name must be 1-100 characters');
    validateRedirects(input.redirectUris);
    if (fixed && (!/^[1-9][0-9]{0,19}$/.test(fixed.clientId) || !/^[\x21-\x7e]{16,200}$/.test(fixed.clientSecret))) {
      throw new InvalidInputError('a fixed clientId must be 1-20 digits and a fixed clientSecret 16-200 printable characters');
    }
    const dev = await this.developer(input.developer);
    const secret = fixed?.clientSecret ?? newClientSecret();
    const now = this.now();
    for (let attempt = 0; attempt < 5; attempt++) {
      const clientId = fixed?.clientId ?? CLIENT_ID_PREFIX + randomDigits(6);
      if (await this.apps.byId(clientId)) {
        if (fixed) throw new ConflictError(`an app ${clientId} exists`);
        continue;
      }
      const row: AppRow = {
        client_id: clientId,
        developer_id: dev.id,
        name: input.name,
        secret_hash: this.hashSecret(secret),
        secret_box: sealSecret(this.serverSecret(), clientId, secret),
        redirect_uris: input.redirectUris,
        scopes: input.scopes ?? DEFAULT_SCOPES,
        flags: input.flags ?? {},
        created_at: now,
        updated_at: now,
        disabled_at: null,
      };
      await this.apps.insert(row);
      return { app: toApp(row), clientSecret: secret };
    }
    throw new ConflictError('could not allocate a client id');
  }

  /** An app the protocols may use: undefined when unknown or disabled. */
  async get(clientId: string): Promise<App | undefined> {
    const r = await this.row(clientId);
    return r && r.disabled_at === null ? toApp(r) : undefined;
  }

  /** Any app, disabled ones included (management). */
  async find(clientId: string): Promise<App | undefined> {
    const r = await this.row(clientId);
    return r ? toApp(r) : undefined;
  }

  /** Any app, disabled ones included; NotFoundError when unknown. */
  async require(clientId: string): Promise<App> {
    const a = await this.find(clientId);
    if (!a) throw new NotFoundError(`no app ${clientId}`);
    return a;
  }

  async list(developerId?: string): Promise<App[]> {
    return (await this.apps.list(developerId)).map(toApp);
  }

  /**
   * Constant-time check of a presented client secret against the stored keyed hash (false for a
   * disabled app). The row comes from the app cache (dropped on every node at rotation), so a check
   * costs one HMAC-SHA256.
   */
  async verifySecret(clientId: string, secret: string): Promise<boolean> {
    const r = await this.row(clientId);
    // Both sides are HMAC-SHA256 hex digests, of a public length: compared as they are.
    const presented = this.hashSecret(secret);
    return safeEqualPublicLength(r?.secret_hash ?? NO_SECRET, presented) && Boolean(r) && r?.disabled_at === null;
  }

  /** Disables or enables an app (a disabled app is unknown to the protocols). */
  async setDisabled(clientId: string, disabled: boolean): Promise<App> {
    const now = this.now();
    if (!(await this.apps.update(clientId, { disabled_at: disabled ? now : null, updated_at: now }))) {
      throw new NotFoundError(`no app ${clientId}`);
    }
    await this.rows.invalidate(clientId);
    return this.require(clientId);
  }

  /**
   * The client secret itself, for protocols keyed with it (checkPassword `_xmSign`, §7.4); kept
   * sealed with a key derived from the server secret. undefined if the app is unknown or the seal
   * does not open (a changed OPAL_SERVER_SECRET: rotate the secret).
   */
  async signingSecret(clientId: string): Promise<string | undefined> {
    return (await this.withSigningSecret(clientId))?.secret;
  }

  /** The app and its plain client secret (undefined when not kept), from one read. */
  async withSigningSecret(clientId: string): Promise<{ app: App; secret: string | undefined } | undefined> {
    const r = await this.row(clientId);
    return r && r.disabled_at === null ? { app: toApp(r), secret: openSecret(this.serverSecret(), clientId, r.secret_box) } : undefined;
  }

  async rotateSecret(clientId: string): Promise<string> {
    const secret = newClientSecret();
    const sealed = { secret_hash: this.hashSecret(secret), secret_box: sealSecret(this.serverSecret(), clientId, secret) };
    if (!(await this.apps.update(clientId, { ...sealed, updated_at: this.now() }))) {
      throw new NotFoundError(`no app ${clientId}`);
    }
    await this.rows.invalidate(clientId);
    return secret;
  }

  async setScopes(clientId: string, scopes: number[]): Promise<App> {
    if (!(await this.apps.update(clientId, { scopes, updated_at: this.now() }))) {
      throw new NotFoundError(`no app ${clientId}`);
    }
    await this.rows.invalidate(clientId);
    return this.require(clientId);
  }

  async update(clientId: string, patch: { name?: string; redirectUris?: string; flags?: AppFlags }): Promise<App> {
    const set: AppPatch = { updated_at: this.now() };
    if (patch.name !== undefined) {
      if (!patch.name.trim() || patch.name.length > 100) throw new InvalidInputError('app name must be 1-100 characters');
      set.name = patch.name;
    }
    if (patch.redirectUris !== undefined) {
      validateRedirects(patch.redirectUris);
      set.redirect_uris = patch.redirectUris;
    }
    if (patch.flags !== undefined) {
      const current = await this.require(clientId);
      set.flags = { ...current.flags, ...patch.flags };
    }
    if (!(await this.apps.update(clientId, set))) throw new NotFoundError(`no app ${clientId}`);
    await this.rows.invalidate(clientId);
    return this.require(clientId);
  }

  async delete(clientId: string): Promise<void> {
    if (!(await this.apps.delete(clientId))) throw new NotFoundError(`no app ${clientId}`);
    await this.rows.invalidate(clientId);
  }
}
