// One failure limit per client IP for every endpoint that checks an app's secret: the token
// endpoint, RFC 7009 revocation, RFC 7662 introspection and the passbook issuing API. The counter
// lives in the shared cache under one key, so failures anywhere count everywhere (and across
// nodes): a secret cannot be guessed at 100 requests per five minutes on each endpoint in turn.
// Each guarded request reserves a failure before it is examined and gives it back when it turns
// out fine, so concurrent failing requests cannot outrun the limit. The token endpoint's budget for
// the OAuth playground's own exchanges is the developer's, not the server's address
// (playground-budget.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { XM, XmOAuthError } from '../../../core/account/errors.ts';
import { FailureLimiter } from '../../../services/throttle.ts';
import type { Cache } from '../../../store/cache/cache.ts';
import { budgetKeyOf } from './playground-budget.ts';

/** Failed requests allowed per IP in five minutes before further requests are refused. */
export const CLIENT_FAILURES_PER_IP = 100;
const WINDOW_MS = 5 * 60_000;

export class ClientFailures {
  private readonly limiter: FailureLimiter;

  /** `playgroundSecret`: honour the playground's signed header (the token endpoint only). */
  constructor(
    cache: () => Cache,
    private readonly playgroundSecret?: string,
  ) {
    this.limiter = new FailureLimiter(cache, 'token:fail', CLIENT_FAILURES_PER_IP, WINDOW_MS);
  }

  /**
   * Runs `work` with a failure reserved for the client's address: kept when `work` throws, given
   * back when it returns. Past the limit it throws 96002 "too many failed requests, retry later"
   * (each endpoint writes it in its own shape) with Retry-After.
   */
  async guard<T>(req: FastifyRequest, reply: FastifyReply, work: () => Promise<T>): Promise<T> {
    const reserved = await this.limiter.reserve(budgetKeyOf(req, this.playgroundSecret));
    if ('wait' in reserved) {
      reply.header('retry-after', String(reserved.wait));
      throw new XmOAuthError(XM.INVALID_REQUEST, 'too many failed requests, retry later');
    }
    const out = await work();
    await this.limiter.succeeded(reserved.slot);
    return out;
  }
}
