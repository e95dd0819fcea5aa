// How an FDS request proves who it comes from (fds-protocol §2.1). Each credential kind is one
// Authenticator in its own file; they are tried in the order of AUTHENTICATORS (auth/index.ts).
// An authenticator returns undefined when the request does not carry its kind of credential, an
// identity when it does and it checks out, and throws an FdsError when it does but is wrong.

import type { Context } from '../../../context.ts';
import type { FdsKeys } from '../../../services/fds/keys.ts';
import type { Caller } from './identities.ts';

export interface AuthRequest {
  method: string;
  /** Path as sent (percent-encoded), absolute-form targets already reduced to the path. */
  path: string;
  /** Raw query string, without `?`. */
  query: string;
  /** Decoded query (flags map to ''). */
  params: ReadonlyMap<string, string>;
  /** Header pairs in arrival order (from rawHeaders). */
  headers: ReadonlyArray<readonly [string, string]>;
  /** First value of a header (name lower-case). */
  header(name: string): string | undefined;
  ip: string;
}

export interface AuthDeps {
  ctx: Context;
  keys: FdsKeys;
  now: () => number;
}

export interface Authenticator {
  readonly name: string;
  authenticate(req: AuthRequest): Promise<Caller | undefined>;
}

export type AuthenticatorFactory = (deps: AuthDeps) => Authenticator;
