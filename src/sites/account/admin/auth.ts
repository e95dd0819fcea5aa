// Who calls the admin API: `Authorization: Bearer opal_at_…` (an admin API token, services/
// admin-tokens.ts), or else the console's page session cookie (web/sessions.ts), acting with the
// user's current role. A session caller's changes (any method but GET/HEAD/OPTIONS) need the
// session's CSRF token in `x-csrf-token` (web/csrf.ts, the scheme of /api/account) and must come
// from the account origin itself. Each route scope requires a role; no token and no session, or an
// unknown token, is 401; a role below the scope's is 403.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { hasRole, type Role } from '../../../core/account/roles.ts';
import { requestSlot } from '../../../http/request-slot.ts';
import type { User } from '../../../services/users.ts';
import { ApiError } from '../json-errors.ts';

export interface Caller {
  user: User;
  /** How the caller authenticated: its admin API token's id, or its page session. */
  via: { tokenId: string } | 'session';
}

const callers = requestSlot<Caller>('opal.admin-api-caller');

const UNAUTHORIZED = () =>
  new ApiError(401, 'unauthorized', 'send Authorization: Bearer <admin API token> (opal admin token create), or sign in to the console', {
    'www-authenticate': 'Bearer realm="opal-admin"',
  });

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

async function authenticate(req: FastifyRequest, ctx: Context): Promise<Caller> {
  if (req.headers.authorization !== undefined) {
    const m = /^Bearer ([^\s]+)$/i.exec(req.headers.authorization);
    const found = m?.[1] ? await ctx.services.adminTokens.authenticate(m[1]) : undefined;
    if (!found) throw UNAUTHORIZED();
    return { user: found.user, via: { tokenId: found.tokenId } };
  }
  const web = ctx.services.web;
  const session = await web.sessions.session(req);
  if (!session) throw UNAUTHORIZED();
  if (!READS.has(req.method)) {
    if (!web.sameOrigin.allows(req)) throw new ApiError(403, 'cross_origin', 'send the request from the account origin itself');
    if (!(await web.csrf.verify(req, req.headers['x-csrf-token'])))
      throw new ApiError(403, 'csrf', 'missing or wrong x-csrf-token (the csrfToken of GET /api/admin/v1/me)');
  }
  return { user: session.user, via: 'session' };
}

/** Adds the onRequest hook that authenticates every request of `scope` and requires `role`. */
export function requireRole(scope: FastifyInstance, ctx: Context, role: Role): void {
  scope.addHook('onRequest', async (req) => {
    const caller = await authenticate(req, ctx);
    if (!hasRole(caller.user.role, role)) throw new ApiError(403, 'forbidden', `this needs the role ${role}`);
    callers.set(req, caller);
  });
}

/** The authenticated caller of a request in a scope with requireRole. */
export function callerOf(req: FastifyRequest): Caller {
  const c = callers.get(req);
  if (!c) throw new Error('admin API route outside an authenticated scope');
  return c;
}

/** The audit actor of a request: the user id, and the client address. */
export function actorOf(req: FastifyRequest): { actor: string; ip: string } {
  return { actor: callerOf(req).user.userId, ip: req.ip };
}
