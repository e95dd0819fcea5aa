// The sign-in waiting for its second factor: after a right password, when the user has a factor,
// no session starts; the shared cache keeps {user, return_to} for 5 minutes under the hash of the
// browser's pre-session (the `opal_pre` cookie of the anonymous forms, web/csrf.ts; made here
// when the browser came with none, e.g. while switching accounts). Another browser, or the same
// one after the pre-session ended, has no pending sign-in. Wrong codes are counted per pending
// sign-in: past MAX_FACTOR_FAILURES it ends and the password must be typed again.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sha256Hex } from '../../../lib/hash.ts';
import { newCredential } from '../../../lib/random.ts';
import type { Cache } from '../../../store/cache/cache.ts';
import { PRE_SESSION_COOKIE } from '../../../web/csrf.ts';
import type { WebKit } from '../../../web/web-kit.ts';

export const PENDING_TTL_MS = 5 * 60_000;
export const MAX_FACTOR_FAILURES = 5;
const PRE_ID_RE = /^[A-Za-z0-9_-]{32}$/;

export interface PendingSignIn {
  userId: string;
  returnTo: string;
}

export class PendingSignIns {
  constructor(
    private readonly web: WebKit,
    private readonly cache: () => Cache,
  ) {}

  private preId(req: FastifyRequest): string | undefined {
    const id = this.web.cookies.read(req, PRE_SESSION_COOKIE);
    return id && PRE_ID_RE.test(id) ? id : undefined;
  }

  private key(id: string): string {
    return `mfa:pending:${sha256Hex(id)}`;
  }

  /** Starts the second step for `p` in this browser. */
  async start(req: FastifyRequest, reply: FastifyReply, p: PendingSignIn): Promise<void> {
    let id = this.preId(req);
    if (!id) {
      id = newCredential(24);
      this.web.cookies.set(reply, PRE_SESSION_COOKIE, id);
    }
    await this.cache().set(this.key(id), JSON.stringify(p), PENDING_TTL_MS);
    await this.cache().del(`${this.key(id)}:fails`);
  }

  async load(req: FastifyRequest): Promise<PendingSignIn | undefined> {
    const id = this.preId(req);
    const raw = id ? await this.cache().get(this.key(id)) : null;
    return raw ? (JSON.parse(raw) as PendingSignIn) : undefined;
  }

  /** Counts a wrong answer; true when the pending sign-in has now used up its attempts (and ended). */
  async failed(req: FastifyRequest): Promise<boolean> {
    const id = this.preId(req);
    if (!id) return true;
    const n = await this.cache().incr(`${this.key(id)}:fails`, PENDING_TTL_MS);
    if (n < MAX_FACTOR_FAILURES) return false;
    await this.end(req);
    return true;
  }

  async end(req: FastifyRequest): Promise<void> {
    const id = this.preId(req);
    if (!id) return;
    await this.cache().del(this.key(id));
    await this.cache().del(`${this.key(id)}:fails`);
  }
}
