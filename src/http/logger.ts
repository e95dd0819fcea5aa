// The log of every origin: JSON lines with request ids and redacted secrets, or, on a terminal
// (OPAL_LOG_FORMAT=auto) or with OPAL_LOG_FORMAT=pretty, colored lines through pino-pretty with one
// line per request. pino-pretty runs in this thread and writes synchronously, so that each log
// line and the start-up banner (cli/commands/serve.ts, one write) reach the terminal whole and in
// order (a transport in a worker thread would write later, between or inside the banner's lines).
import { type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';
import type { Config } from '../config.ts';
import { lazyRequire } from '../lib/lazy.ts';
import { redactText, redactUrl, SECRET_HEADERS } from './redact.ts';

/** Only required when the logs are pretty (a server whose logs go to a file never loads it). */
const pinoPretty = lazyRequire<typeof import('pino-pretty')>('pino-pretty');

/** Whether log lines are pretty: as configured, or on `auto` when standard output is a terminal. */
export function prettyLogs(format: Config['logFormat'], stdoutIsTty = process.stdout.isTTY === true): boolean {
  return format === 'pretty' || (format === 'auto' && stdoutIsTty);
}

export function loggerOptions(level: string, format: Config['logFormat'] = 'json'): FastifyServerOptions['logger'] {
  const options = {
    level,
    redact: { paths: SECRET_HEADERS.map((h) => `req.headers["${h}"]`), censor: '[redacted]' },
    // Messages may quote a request target (Fastify's "Route GET:/… not found"): redact them too.
    hooks: {
      logMethod(args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? redactText(a) : a)),
        );
      },
    },
    serializers: {
      req(req: { method: string; url: string; headers?: Record<string, unknown>; ip?: string }) {
        return { method: req.method, url: redactUrl(req.url), host: req.headers?.host, remoteAddress: req.ip };
      },
    },
  };
  if (!prettyLogs(format)) return options as FastifyServerOptions['logger'];
  const stream = pinoPretty()({
    sync: true,
    destination: 1,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,reqId,req,res,responseTime',
    singleLine: true,
  });
  return { ...options, stream } as FastifyServerOptions['logger'];
}

/**
 * Pretty logs: Fastify's two lines per request ("incoming request", "request completed") become
 * one, written when the answer is sent (method, target, status, time); error lines stay as they are.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, req: FastifyRequest, reply: FastifyReply): void {
    const line = `${req.method} ${redactUrl(req.url)} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)} ms`;
    if (error || reply.statusCode >= 500) reply.log.error(error ? { err: error } : {}, line);
    else if (reply.statusCode >= 400) reply.log.warn(line);
    else reply.log.info(line);
  }
}
