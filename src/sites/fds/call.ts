// One FDS request as the handlers see it: raw path and query (absolute-form targets reduced),
// decoded parameters, header pairs, the target bucket/object, the operation and the caller.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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

export function sendJson(c: FdsCall, body: unknown, status = 200): FastifyReply {
  return c.reply.code(status).header('content-type', 'application/json').send(JSON.stringify(body));
}

export function sendText(c: FdsCall, text: string): FastifyReply {
  return c.reply.code(200).header('content-type', 'text/plain; charset=utf-8').send(text);
}

export function sendEmpty(c: FdsCall): FastifyReply {
  return c.reply.code(200).send();
}

/**
 * Sends a response with header names exactly as given (Android and iOS compare object metadata
 * header names case-sensitively, fds-protocol §3; Fastify would lower-case them), plus the headers
 * already set on the reply, then streams `body` (not for HEAD).
 */
export function sendCased(c: FdsCall, status: number, headers: Record<string, string>, body?: Readable): void {
  const flat: string[] = [];
  const seen = new Set<string>();
  for (const [k, v] of Object.entries(headers)) {
    flat.push(k, v);
    seen.add(k.toLowerCase());
  }
  for (const [k, v] of Object.entries(c.reply.getHeaders())) {
    if (v === undefined || seen.has(k)) continue;
    for (const one of Array.isArray(v) ? v : [v]) flat.push(k, String(one));
  }
  if (!seen.has('x-content-type-options')) flat.push('X-Content-Type-Options', 'nosniff');
  c.reply.hijack();
  const res = c.reply.raw;
  try {
    res.writeHead(status, flat);
  } catch (e) {
    body?.destroy();
    res.destroy(e as Error);
    return;
  }
  if (!body || c.method === 'HEAD') {
    body?.destroy();
    res.end();
    return;
  }
  pipeline(body, res).catch(() => res.destroy());
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
