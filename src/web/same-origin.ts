// Where a state-changing request of the account pages came from. Its `Origin` header, else its
// `Sec-Fetch-Site`, else its `Referer` must name the account origin itself: its public URL's origin
// or the origin the request was addressed to (scheme and Host, through a trusted proxy). A page of
// another origin of the same site — the FDS origin on another port of the same host, a sibling
// subdomain — is refused like any other origin (`Sec-Fetch-Site: same-site` is not enough), and so
// is `Origin: null` (sandboxed pages, privacy-redirected forms). A request with none of the three
// does not come from a browser page (browsers send Origin with every POST) and is left to the
// CSRF token.
import type { FastifyRequest } from 'fastify';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function originOf(url: string): string | undefined {
  try {
    const o = new URL(url).origin;
    return o === 'null' ? undefined : o;
  } catch {
    return undefined;
  }
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export class SameOrigin {
  private readonly publicOrigin: string | undefined;

  constructor(publicUrl: string) {
    this.publicOrigin = originOf(publicUrl);
  }

  private isOurs(req: FastifyRequest, origin: string | undefined): boolean {
    if (origin === undefined) return false;
    return origin === this.publicOrigin || origin === originOf(`${req.protocol}://${req.host}`);
  }

  /** False when the request says it came from another origin (or an opaque one). */
  allows(req: FastifyRequest): boolean {
    const origin = first(req.headers.origin);
    if (origin !== undefined) return this.isOurs(req, originOf(origin));
    const site = first(req.headers['sec-fetch-site']);
    if (site !== undefined) return site === 'same-origin';
    const referer = first(req.headers.referer);
    if (referer !== undefined) return this.isOurs(req, originOf(referer));
    return true;
  }

  /** A hook refusing (with `refusal()`) state-changing requests that another origin sent. */
  guard(refusal: () => Error): (req: FastifyRequest) => Promise<void> {
    return async (req) => {
      // A route that other sites may POST to (`config: { crossSite: true }`) checks for itself.
      if ((req.routeOptions.config as { crossSite?: boolean } | undefined)?.crossSite === true) return;
      if (!SAFE_METHODS.has(req.method) && !this.allows(req)) throw refusal();
    };
  }
}
