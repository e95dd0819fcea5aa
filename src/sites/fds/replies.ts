// How the FDS origin answers (fds-protocol §3, §10): JSON bodies serialized from their schemas
// (core/fds/responses.ts), configurations returned as they were stored, bare text, empty 200s,
// object answers with header names cased as Android and iOS compare them, and the one writer of
// FDS error bodies. Every answer carries `x-xiaomi-request-id` (plugin.ts sets it first).
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Static, TSchema } from '@sinclair/typebox/type';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FdsError } from '../../core/fds/errors.ts';
import { ErrorBody } from '../../core/fds/responses.ts';
import { turnEnd } from '../../http/turn-end.ts';
import type { BlobSender } from '../../store/blobs/blob-store.ts';
import type { FdsCall } from './call.ts';

/** The request's own `x-xiaomi-request-id` when it is well-formed (Java sends one), else Opal's request id. */
export function requestIdOf(req: FastifyRequest): string {
  const given = req.headers['x-xiaomi-request-id'];
  return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : req.id;
}

/** 200 with a JSON body serialized from its schema (same bytes as JSON.stringify, faster). */
export function sendJson<S extends TSchema>(c: FdsCall, schema: S, body: Static<S>): void {
  c.reply
    .code(200)
    .header('content-type', 'application/json')
    .send(serialized(c.reply, schema, body));
}

/** 200 with JSON the client stored (lifecycle and CORS rules, other configurations): returned as sent. */
export function sendStoredJson(c: FdsCall, body: unknown): void {
  c.reply.code(200).header('content-type', 'application/json').send(JSON.stringify(body));
}

export function sendText(c: FdsCall, text: string): void {
  c.reply.code(200).header('content-type', 'text/plain; charset=utf-8').send(text);
}

export function sendEmpty(c: FdsCall): void {
  c.reply.code(200).send();
}

/** The FDS error answer (§10): the error's status and its ErrorBody; HEAD answers carry no body. */
export function sendFdsError(reply: FastifyReply, method: string, e: FdsError): void {
  reply.code(e.status);
  if (method === 'HEAD') reply.send();
  else reply.header('content-type', 'application/json').send(serialized(reply, ErrorBody, e.body()));
}

/** JSON text of `body` from its schema (compiled once per route), sent as a string so the content type stays as set. */
function serialized<S extends TSchema>(reply: FastifyReply, schema: S, body: Static<S>): string {
  return reply.serializeInput(body as Record<string, unknown>, schema as Record<string, unknown>) as string;
}

/** A body: bytes in hand, a stream, or a blob opened for sending (BlobStore.openForSend). */
export type Body = Buffer | Readable | BlobSender;

/** Ends an answer's body unsent. */
function discard(body: Body | undefined): void {
  if (body instanceof Readable) body.destroy();
  else if (body && !Buffer.isBuffer(body)) body.close();
}

/**
 * Sends a response with header names exactly as given (Android and iOS compare object metadata
 * header names case-sensitively, fds-protocol §3; Fastify would lower-case them), plus the headers
 * already set on the reply, then the body (not for HEAD): a stream is piped, a buffer (a small
 * object read in one go) written with the head, a blob opened for sending writes itself.
 */
export function sendCased(c: FdsCall, status: number, headers: Record<string, string>, body?: Body): void {
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
  // Written at the end of the event loop's turn, as every other answer (http/turn-end.ts).
  turnEnd()
    .then(() => writeAnswer(c, res, status, flat, body))
    .catch((e: unknown) => {
      // A head Node refuses (a bad header value): logged, and the connection cut.
      c.req.log.error({ err: e }, 'FDS answer failed');
      discard(body);
      res.destroy(e as Error);
    });
}

/** Writes the head and body of a hijacked answer (sendCased), at the end of the turn; throws if Node refuses the head. */
function writeAnswer(c: FdsCall, res: FdsCall['reply']['raw'], status: number, flat: string[], body: Body | undefined): void {
  res.writeHead(status, flat);
  if (!body || c.method === 'HEAD') {
    discard(body);
    res.end();
    return;
  }
  if (Buffer.isBuffer(body)) {
    res.end(body);
    return;
  }
  // An answer queued behind another on the same connection (pipelining) never closes when the
  // client leaves, only the connection does: its body is stopped on the connection's close too.
  const socket = c.req.raw.socket;
  let sent: Promise<void>;
  if (body instanceof Readable) {
    const gone = () => body.destroy();
    if (socket.destroyed) gone();
    else socket.once('close', gone);
    sent = pipeline(body, res).finally(() => socket.off('close', gone));
  } else sent = body.sendTo(res, socket);
  sent.catch((e: NodeJS.ErrnoException) => {
    // A client that went away is routine; a body that failed (a damaged blob) is not, and the
    // connection is cut so that the client cannot take a short body for the whole object.
    if (e.code !== 'ERR_STREAM_PREMATURE_CLOSE' && e.code !== 'ERR_STREAM_DESTROYED')
      c.req.log.error({ err: e }, 'FDS response body failed');
    res.destroy();
  });
}
