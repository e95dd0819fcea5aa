// What every console form route shares: the CSRF check, the 303 back to a page with a problem or a
// notice in the query, and service refusals (InvalidInputError, NotFoundError, ConflictError) turned
// into the `other` problem shown on that page.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../../../lib/errors.ts';
import type { App } from '../../../services/apps.ts';
import { PageError } from '../../../web/error-page.ts';
import type { Problem } from './app-form.ts';
import { developerOf, ownApp } from './developer-guard.ts';

export async function requireCsrf(ctx: Context, req: FastifyRequest, body: Record<string, string>): Promise<void> {
  if (!(await ctx.services.web.csrf.verify(req, body.csrf))) throw new PageError(0, { messageKey: 'errors.csrf', status: 403 });
}

/** 303 to `path` with the non-empty `params`. */
export function back(reply: FastifyReply, path: string, params: Record<string, string | undefined> = {}): FastifyReply {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return reply.redirect(s ? `${path}?${s}` : path, 303);
}

/** Runs a service change; a refusal of the service becomes the `other` problem. */
export async function attempt(work: () => Promise<void>): Promise<Problem | undefined> {
  try {
    await work();
    return undefined;
  } catch (e) {
    if (e instanceof InvalidInputError || e instanceof NotFoundError || e instanceof ConflictError)
      return { key: 'other', value: e.message };
    throw e;
  }
}

/** The problem a page was sent back with (`error`, `value` in its query). */
export function problemOf(q: { error?: string | undefined; value?: string | undefined }): Problem | undefined {
  return q.error && ['name', 'redirect', 'redirectNone', 'scopes', 'other', 'confirm'].includes(q.error)
    ? { key: q.error as Problem['key'], value: (q.value ?? '').slice(0, 300) }
    : undefined;
}

/** The audit actor of a console request. */
export function actorOf(req: FastifyRequest): { actor: string; ip: string } {
  return { actor: developerOf(req).user.userId, ip: req.ip };
}

export const Form = Type.Record(Type.String(), Type.String());
export const ClientIdParams = Type.Object({ clientId: Type.String({ pattern: '^[0-9]{1,20}$' }) });

export type Guard = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export interface AppPost {
  req: FastifyRequest;
  reply: FastifyReply;
  /** The caller's own app named by the path (another developer's: the 404 page). */
  app: App;
  body: Record<string, string>;
}

/** A form POST about one of the caller's apps (`path` has `:clientId`): guard, CSRF, ownership, then `run`. */
export function appPost(routes: TypedInstance, ctx: Context, guard: Guard, path: string, run: (p: AppPost) => Promise<FastifyReply>): void {
  routes.post(path, { preHandler: guard, schema: { params: ClientIdParams, body: Form } }, async (req, reply) => {
    await requireCsrf(ctx, req, req.body);
    return run({ req, reply, app: await ownApp(ctx, req, req.params.clientId), body: req.body });
  });
}
