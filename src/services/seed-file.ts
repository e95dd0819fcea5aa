// OPAL_SEED_FILE: a declarative YAML or JSON fixture applied on every start (docs/admin-api.md), so CI
// fixtures are reproducible: users, apps with fixed client ids and secrets, friends, FDS buckets.
// Applying it again changes nothing: what exists (by account, clientId, bucket name) is left as it
// is, never overwritten; only what is missing is created.
import { readFile } from 'node:fs/promises';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { InvalidInputError } from '../lib/errors.ts';
import { DocSyntaxError, type ParsedDoc, parseDoc } from '../lib/yaml-or-json.ts';
import { newBucket } from '../store/db/fds/columns.ts';
import type { AdminService } from './admin.ts';
import { type AppService, FLAG_NAMES } from './apps.ts';
import type { FdsKeys } from './fds/keys.ts';
import type { FdsStorage } from './fds/storage.ts';
import type { FriendService } from './friends.ts';
import type { UserService } from './users.ts';

const Role = Type.Union([Type.Literal('user'), Type.Literal('developer'), Type.Literal('admin')]);

/** A user to create (seed files, the admin API's POST /users): the fields of `opal user create`. */
export const NewUserInput = Type.Object(
  {
    account: Type.String(),
    password: Type.String(),
    nickname: Type.Optional(Type.String()),
    email: Type.Optional(Type.String()),
    phone: Type.Optional(Type.String()),
    locale: Type.Optional(Type.String()),
    role: Type.Optional(Role),
  },
  { additionalProperties: false },
);

export const SeedFixture = Type.Object(
  {
    users: Type.Optional(Type.Array(NewUserInput)),
    apps: Type.Optional(
      Type.Array(
        Type.Object(
          {
            clientId: Type.String(),
            clientSecret: Type.String(),
            name: Type.String(),
            redirectUris: Type.String(),
            scopes: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }))),
            developer: Type.Optional(Type.String({ description: 'developer name, or the account of a developer user' })),
            flags: Type.Optional(Type.Record(Type.String(), Type.Boolean())),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    friends: Type.Optional(Type.Array(Type.Tuple([Type.String(), Type.String()]))),
    buckets: Type.Optional(
      Type.Array(
        Type.Object(
          { name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }), developer: Type.String() },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);
export type SeedFixtureT = Static<typeof SeedFixture>;

export interface SeedServices {
  users: UserService;
  apps: AppService;
  friends: FriendService;
  admin: AdminService;
  fdsKeys: FdsKeys;
  fds: FdsStorage;
}

/** What one application created (empty lists when the fixture was applied before). */
export interface SeedResult {
  users: string[];
  apps: string[];
  friends: number;
  buckets: string[];
}

/** Reads and checks a seed file, YAML or JSON (lib/yaml-or-json.ts); every refusal names the line. */
export async function readSeedFile(path: string): Promise<SeedFixtureT> {
  let doc: ParsedDoc;
  try {
    doc = await parseDoc(path, await readFile(path, 'utf8'));
  } catch (e) {
    const why = e instanceof DocSyntaxError ? 'cannot parse' : 'cannot read';
    throw new InvalidInputError(`OPAL_SEED_FILE: ${why} ${path}: ${(e as Error).message}`);
  }
  const where = (pointer: string) => `${path}:${doc.lineOf(pointer)}`;
  const first = Value.Errors(SeedFixture, doc.data).First();
  if (first) throw new InvalidInputError(`OPAL_SEED_FILE: ${where(first.path)}: ${first.path || '/'}: ${first.message}`);
  const f = doc.data as SeedFixtureT;
  for (const [i, a] of (f.apps ?? []).entries()) {
    const unknown = Object.keys(a.flags ?? {}).find((k) => !(FLAG_NAMES as readonly string[]).includes(k));
    if (unknown)
      throw new InvalidInputError(
        `OPAL_SEED_FILE: ${where(`/apps/${i}/flags/${unknown}`)}: app ${a.clientId}: unknown flag "${unknown}" (known: ${FLAG_NAMES.join(', ')})`,
      );
  }
  return f;
}

/** The developer record an entry names: a developer user's (by account) or a developer by name. */
async function developerNamed(s: SeedServices, name: string) {
  const user = await s.users.find(name);
  return user && user.role !== 'user' ? s.apps.ensureDeveloperOfUser(user) : s.apps.developer(name);
}

export async function applySeed(s: SeedServices, f: SeedFixtureT): Promise<SeedResult> {
  const out: SeedResult = { users: [], apps: [], friends: 0, buckets: [] };
  const by = { actor: 'seed' };
  for (const u of f.users ?? []) {
    if (await s.users.find(u.account)) continue;
    out.users.push((await s.admin.createUser(u, by)).userId);
  }
  for (const a of f.apps ?? []) {
    if (await s.apps.find(a.clientId)) continue;
    const dev = await developerNamed(s, a.developer ?? 'default');
    const { app } = await s.apps.create(
      { name: a.name, redirectUris: a.redirectUris, scopes: a.scopes, flags: a.flags, developer: dev.name },
      { clientId: a.clientId, clientSecret: a.clientSecret },
    );
    await s.fdsKeys.ensure(app.clientId);
    out.apps.push(app.clientId);
  }
  for (const [a, b] of f.friends ?? []) {
    const [ua, ub] = [await s.users.find(a), await s.users.find(b)];
    if (!ua || !ub) throw new InvalidInputError(`OPAL_SEED_FILE: friends: no user "${ua ? b : a}"`);
    if ((await s.friends.list(ua.userId)).includes(ub.userId)) continue;
    await s.friends.add(ua.userId, ub.userId);
    out.friends++;
  }
  for (const b of f.buckets ?? []) {
    if (await s.fds.repos.buckets.get(b.name)) continue;
    const dev = await developerNamed(s, b.developer);
    await s.fds.repos.buckets.create(newBucket(b.name, dev.id, Date.now()));
    out.buckets.push(b.name);
  }
  return out;
}
