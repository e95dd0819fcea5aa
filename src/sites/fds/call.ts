// One FDS request as the handlers see it (their typed input): raw path and query (absolute-form
// targets reduced, core/fds/query.ts), decoded parameters, header pairs, the target bucket/object,
// the operation (core/fds/dispatch.ts) and the caller. The catch-all route cannot describe this in
// a Fastify schema: the signature needs the target as sent, and Galaxy-V2 query rules differ from
// Fastify's querystring parsing.
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ANONYMOUS } from '../../core/fds/acl.ts';
import { dispatch, type Operation, parsePath } from '../../core/fds/dispatch.ts';
import { parseQuery, splitTarget } from '../../core/fds/query.ts';
import type { AuthRequest } from './auth/authenticator.ts';
import type { Caller } from './auth/identities.ts';
import type { FdsEnv } from './env.ts';

export interface FdsCall extends AuthRequest {
  env: FdsEnv;
  req: FastifyRequest;
  reply: FastifyReply;
  bucket: string | undefined;
  object: string | undefined;
  op: Operation;
  who: Caller;
  /** The raw request body stream (not yet read). */
  body: Readable;
}

export function buildCall(env: FdsEnv, req: FastifyRequest, reply: FastifyReply): FdsCall {
  const raw = req.raw as typeof req.raw & { originalUrl?: string };
  const { path, query } = splitTarget(raw.originalUrl ?? raw.url ?? '/');
  const params = parseQuery(query);
  const headers: Array<[string, string]> = [];
  const rh = req.raw.rawHeaders;
  for (let i = 0; i + 1 < rh.length; i += 2) headers.push([rh[i] as string, rh[i + 1] as string]);
  const target = parsePath(path);
  return {
    env,
    req,
    reply,
    method: req.method.toUpperCase(),
    path,
    query,
    params,
    headers,
    header(name: string) {
      const n = name.toLowerCase();
      for (const [k, v] of headers) if (k.toLowerCase() === n) return v;
      return undefined;
    },
    ip: req.ip,
    bucket: target.bucket,
    object: target.object,
    op: dispatch(req.method, target, params),
    who: ANONYMOUS,
    body: req.raw,
  };
}

/** Records a security-relevant FDS change in the audit trail (identifiers only, never secrets). */
export async function audit(c: FdsCall, type: string, subject: string, detail?: Record<string, unknown>): Promise<void> {
  await c.env.ctx.services.audit.record({
    type,
    actor: c.who.accessKeyId ?? c.who.ownerId ?? c.who.kind,
    subject,
    ip: c.ip,
    ...(detail ? { detail } : {}),
  });
}
