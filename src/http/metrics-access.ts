// Who may read /metrics (both origins; docs/security.md). Request counts per route, latencies and
// process figures help an attacker time and aim, so they are not public: with OPAL_METRICS_TOKEN
// set, a scraper sends `Authorization: Bearer <token>` (compared in constant time; otherwise 401);
// without it, only clients on this machine (loopback, after trusted proxies) are answered — local
// development and a Prometheus on the same host work unconfigured — and others get 404.
import { isIP } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../lib/hash.ts';

function isLoopback(ip: string): boolean {
  if (isIP(ip) === 4) return ip.startsWith('127.');
  return ip === '::1' || /^::ffff:127\./i.test(ip);
}

/** Answers and returns false when the request may not read the metrics. */
export function mayReadMetrics(req: FastifyRequest, reply: FastifyReply, token: string | undefined): boolean {
  if (token !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (m?.[1] && safeEqual(m[1], token)) return true;
    reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').type('text/plain; charset=utf-8').send('unauthorized\n');
    return false;
  }
  if (isLoopback(req.ip)) return true;
  reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
  return false;
}
