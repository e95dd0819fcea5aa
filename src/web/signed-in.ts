// The `login_required` step of the session-authenticated JSON APIs as a route hook: it loads the
// user of the session cookie (web/sessions.ts) or throws the family's refusal, so handlers start
// signed in and read the user with sessionUser(req).
//
//   const signedIn = requireLogin(scope, web, () => new ApiError(401, 'login_required', 'sign in first'));
//   scope.get('/api/…', { preValidation: signedIn, schema }, async (req) => { const user = sessionUser(req); … });
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { User } from '../services/users.ts';
import type { WebKit } from './web-kit.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user, set by a requireLogin hook. */
    sessionUser: User | null;
  }
}

export type SignedInHook = (req: FastifyRequest) => Promise<void>;

/**
 * A hook (for `preValidation`, to refuse before the input is examined, or `preHandler`, after it)
 * that sets `req.sessionUser` or throws `refusal()`.
 */
export function requireLogin(scope: FastifyInstance, web: WebKit, refusal: () => Error): SignedInHook {
  if (!scope.hasRequestDecorator('sessionUser')) scope.decorateRequest('sessionUser', null);
  return async (req) => {
    const user = await web.sessions.current(req);
    if (!user) throw refusal();
    req.sessionUser = user;
  };
}

/** The user a requireLogin hook of this route let in. */
export function sessionUser(req: FastifyRequest): User {
  if (!req.sessionUser) throw new Error('sessionUser read on a route without requireLogin');
  return req.sessionUser;
}
