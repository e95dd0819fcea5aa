// The security headers of every answer of the account origin (helmet's, with the options below),
// computed once at start-up. Helmet's own middleware sets them one by one through its chain of
// middlewares on every request; with static options its output never depends on the request, so
// the headers are taken from one run of it and each request copies them (bench/README.md, issue 10:
// the middleware was about 9 % of the server's busy time on `/user/profile`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

const secure = helmet({
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      frameAncestors: ["'none'"],
      formAction: null,
      imgSrc: ["'self'", 'data:', 'https:', 'http:'],
      upgradeInsecureRequests: null,
    },
  },
  hsts: false,
  // No Referer leaves the account origin; same-origin form posts keep a real Origin header
  // (with no-referrer, browsers send `Origin: null`), which web/same-origin.ts checks.
  referrerPolicy: { policy: 'same-origin' },
  frameguard: { action: 'deny' },
  crossOriginResourcePolicy: { policy: 'cross-origin' },
  crossOriginOpenerPolicy: false,
});

/** The headers helmet sets, by lower-case name, from one run of its middleware. */
function helmetHeaders(): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      out[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete out[name.toLowerCase()];
    },
  };
  let done = false;
  secure({ headers: {} } as IncomingMessage, recorder as unknown as ServerResponse, (e?: unknown) => {
    if (e) throw e;
    done = true;
  });
  // Helmet's chain is synchronous; a version whose middleware were not would leave headers out.
  if (!done) throw new Error('helmet did not finish synchronously');
  return Object.freeze(out);
}

export const SECURITY_HEADERS = helmetHeaders();
