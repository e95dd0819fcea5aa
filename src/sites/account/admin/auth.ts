// Who calls the admin API: `Authorization: Bearer opal_at_…` (an admin API token, services/
// admin-tokens.ts), acting with its user's current role. Each route scope requires a role; a
// missing or unknown token is 401, a role below the scope's is 403.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { hasRole, type Role } from '../../../core/account/roles.ts';
import { requestSlot } from '../../../http/request-slot.ts';
import type { User } from '../../../services/users.ts';
import { ApiError } from '../json-errors.ts';

export interface Caller {
  user: User;
  tokenId: string;
}

const callers = requestSlot<Caller>('opal.admin-api-caller');

const UNAUTHORIZED = () =>
  new ApiError(401, 'unauthorized', 'send Authorization: Bearer <admin API token> (opal admin token create)', {
    'www-authenticate': 'Bearer realm="opal-admin"',
  });

/** Adds the onRequest hook that authenticates every request of `scope` and requires `role`. */
export function requireRole(scope: FastifyInstance, ctx: Context, role: Role): void {
  scope.addHook('onRequest', async (req) => {
    const m = /^Bearer ([^\s]+)$/i.exec(req.headers.authorization ?? '');
    const found = m?.[1] ? await ctx.services.adminTokens.authenticate(m[1]) : undefined;
    if (!found) throw UNAUTHORIZED();
    if (!hasRole(found.user.role, role)) throw new ApiError(403, 'forbidden', `this needs the role ${role}`);
    callers.set(req, found);
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
