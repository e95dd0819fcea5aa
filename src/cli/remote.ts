// Remote mode: `opal --url URL --token T …` (or OPAL_URL and OPAL_ADMIN_TOKEN) runs a command
// against a running Opal through its admin HTTP API (docs/admin-api.md) instead of opening the
// database. Only commands registered with remoteCapable() run remotely; any other command refuses
// before it starts (exit 2), so nothing is ever done to a local store by mistake. The API's
// refusals map onto the CLI's exit codes (400 → 2, 404 → 3, 409 → 4, 401/403 → 1).
import type { Command } from 'commander';
import { ConflictError, InvalidInputError, NotFoundError } from '../lib/errors.ts';
import type { User } from '../services/users.ts';

export const REMOTE_HELP =
  'remote mode: --url URL --token T (or OPAL_URL and OPAL_ADMIN_TOKEN) runs the commands marked "(remote: …)" through the admin HTTP API of a running Opal; every other command refuses';

export interface RemoteTarget {
  url: string;
  token: string;
}

/** An admin API refusal of the token (401) or of its role (403): exit 1 with the server's reason. */
export class RemoteRefusedError extends Error {}

const capable = new WeakSet<Command>();

/** Marks `cmd` as runnable in remote mode through `call` (e.g. `POST /users`), said in its help. */
export function remoteCapable(cmd: Command, call: string): Command {
  capable.add(cmd);
  return cmd.description(`${cmd.description()} (remote: ${call})`);
}

function root(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

/** The remote target of this command line, or undefined (direct-database mode). */
export function remoteTarget(cmd: Command): RemoteTarget | undefined {
  const o = root(cmd).opts<{ url?: string; token?: string }>();
  const url = o.url ?? process.env.OPAL_URL;
  const token = o.token ?? process.env.OPAL_ADMIN_TOKEN;
  if (url === undefined && token === undefined) return undefined;
  if (!url) throw new InvalidInputError('remote mode needs --url (or OPAL_URL) with the token');
  if (!token) throw new InvalidInputError('remote mode needs --token (or OPAL_ADMIN_TOKEN): create one with `opal admin token create`');
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new InvalidInputError(`--url must be the account origin's URL (e.g. http://127.0.0.1:8080), got "${url}"`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new InvalidInputError(`--url must be http:// or https://, got "${url}"`);
  return { url: base.origin + base.pathname.replace(/\/+$/, ''), token };
}

/** Refuses, before it runs, a command that has no admin-API equivalent when remote mode is on. */
export function refuseLocalOnlyInRemoteMode(cmd: Command): void {
  if (capable.has(cmd) || remoteTarget(cmd) === undefined) return;
  const name: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) name.unshift(c.name());
  throw new InvalidInputError(
    `opal ${name.join(' ')} has no admin-API equivalent and runs only on the local store: drop --url/--token (and unset OPAL_URL/OPAL_ADMIN_TOKEN)`,
  );
}

/** A client of the admin HTTP API (/api/admin/v1) with a bearer token. */
export class AdminApi {
  constructor(private readonly target: RemoteTarget) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.target.url}/api/admin/v1${path}`;
    let r: Response;
    try {
      r = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.target.token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (e) {
      throw new Error(
        `cannot reach ${this.target.url}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`,
      );
    }
    const text = await r.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (r.ok && json !== undefined) return json as T;
    const reason = (json as { message?: unknown } | undefined)?.message;
    const message = `${this.target.url} answered ${r.status}${typeof reason === 'string' ? `: ${reason}` : ''}`;
    if (r.status === 400) throw new InvalidInputError(message);
    if (r.status === 404) throw new NotFoundError(message);
    if (r.status === 409) throw new ConflictError(message);
    if (r.status === 401 || r.status === 403) throw new RemoteRefusedError(message);
    throw new Error(r.ok ? `${url} did not answer JSON (is --url the account origin?)` : message);
  }

  /** The user `ref` names (a userId, account, email or phone), as `opal` finds it locally. */
  async findUser(ref: string): Promise<User> {
    const { users } = await this.call<{ users: User[] }>('GET', `/users?${new URLSearchParams({ q: ref.slice(0, 100), limit: '1000' })}`);
    const u = users.find((x) => x.userId === ref || x.account === ref) ?? users.find((x) => x.email === ref || x.phone === ref);
    if (!u) throw new NotFoundError(`no user "${ref}" on ${this.target.url} (give a userId, account, email or phone)`);
    return u;
  }
}
