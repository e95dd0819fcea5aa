// How long a client may take and how many connections it may hold, per origin (docs/security.md):
// a request's headers must arrive within `headersTimeoutMs`, the whole request within the site's
// request timeout (the FDS origin's is longer: object uploads are large), an idle socket is closed
// after `idleTimeoutMs`, an idle keep-alive connection after `keepAliveTimeoutMs`, and past
// `maxConnections` open connections new ones are closed at once. Without these, a client sending
// its body a byte at a time would hold a connection (and its request state) forever.
import type { Server, ServerOptions } from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import type { Config } from '../config.ts';
import type { SiteName } from './site-server.ts';

export type ConnectionLimits = Pick<
  Config,
  'headersTimeoutMs' | 'requestTimeoutMs' | 'fdsRequestTimeoutMs' | 'idleTimeoutMs' | 'keepAliveTimeoutMs' | 'maxConnections'
>;

/** The Fastify (and node:http) options of one site. */
export function connectionOptions(c: ConnectionLimits, site: SiteName): Partial<FastifyServerOptions> & { http: ServerOptions } {
  const requestTimeout = site === 'fds' ? c.fdsRequestTimeoutMs : c.requestTimeoutMs;
  const timeouts = [c.headersTimeoutMs, requestTimeout].filter((t) => t > 0);
  // node:http checks the header and request deadlines on this period (30 s by default).
  const connectionsCheckingInterval = Math.max(100, Math.min(5000, Math.floor(Math.min(...timeouts, 20_000) / 4)));
  return {
    requestTimeout,
    connectionTimeout: c.idleTimeoutMs,
    keepAliveTimeout: c.keepAliveTimeoutMs,
    http: { headersTimeout: c.headersTimeoutMs, requestTimeout, connectionsCheckingInterval },
  };
}

/** Settings node:http takes only on the server object. */
export function applyConnectionLimits(server: Server, c: ConnectionLimits): void {
  server.headersTimeout = c.headersTimeoutMs;
  if (c.maxConnections > 0) server.maxConnections = c.maxConnections;
}
