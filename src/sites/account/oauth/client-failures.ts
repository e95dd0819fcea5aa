// One failure limit per client IP for every endpoint that checks an app's secret: the token
// endpoint, RFC 7009 revocation, RFC 7662 introspection and the passbook issuing API. The counter
// lives in the shared cache under one key, so failures anywhere count everywhere (and across
// nodes): a secret cannot be guessed at 100 requests per five minutes on each endpoint in turn.
// Each guarded request reserves a failure before it is examined and gives it back when it turns
// out fine, so concurrent failing requests cannot outrun the limit.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { XM, XmOAuthError } from '../../../core/account/errors.ts';
import { FailureLimiter } from '../../../services/throttle.ts';
import type { Cache } from '../../../store/cache/cache.ts';

/** Failed requests allowed per IP in five minutes before further requests are refused. */
export const CLIENT_FAILURES_PER_IP = 100;
const WINDOW_MS = 5 * 60_000;

export class ClientFailures {
  private readonly limiter: FailureLimiter;

  constructor(cache: () => Cache) {
    this.limiter = new FailureLimiter(cache, 'token:fail', CLIENT_FAILURES_PER_IP, WINDOW_MS);
  }

  /**
   * Runs `work` with a failure reserved for the client's address: kept when `work` throws, given
   * back when it returns. Past the limit it throws 96002 "too many failed requests, retry later"
   * (each endpoint writes it in its own shape) with Retry-After.
   */
  async guard<T>(req: FastifyRequest, reply: FastifyReply, work: () => Promise<T>): Promise<T> {
    const reserved = await this.limiter.reserve(req.ip);
    if ('wait' in reserved) {
      reply.header('retry-after', String(reserved.wait));
      throw new XmOAuthError(XM.INVALID_REQUEST, 'too many failed requests, retry later');
    }
    const out = await work();
    await this.limiter.succeeded(reserved.slot);
    return out;
  }
}
