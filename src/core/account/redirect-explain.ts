// Why a redirect_uri does not match an app's registration, entry by entry, in the order of the
// rules of redirect-uri.ts (account-protocol §3.3): for the developer console's live check and the
// authorize error page shown to the app's own developer. matchRedirectUri stays the one rule; this
// only names which of its steps failed.
import { matchRedirectUri, parseForMatch } from './redirect-uri.ts';
import { hostAndPortMatch, registeredEntries } from './uri-authority.ts';

/** The step of the rule that failed for one registered entry (`ok`: it matches). */
export type RedirectRule =
  | 'ok'
  | 'malformed' // the requested URI is refused outright (userinfo, escapes, dot segments, bad host…)
  | 'registeredMalformed'
  | 'exact' // exact-redirect app: not byte-identical
  | 'scheme'
  | 'port'
  | 'host' // neither the registered host nor a subdomain of it (IP literals: equal only)
  | 'path'; // the path does not start with the registered path

export interface RedirectExplanation {
  matches: boolean;
  entries: Array<{ registered: string; rule: RedirectRule }>;
}

function ruleFor(requested: string, entry: string, exact: boolean): RedirectRule {
  const req = parseForMatch(requested);
  if (!req) return 'malformed';
  if (exact) return entry === requested ? 'ok' : 'exact';
  const r = parseForMatch(entry);
  if (!r) return 'registeredMalformed';
  if (r.scheme !== req.scheme) return 'scheme';
  if (r.port !== req.port) return 'port';
  if (!hostAndPortMatch(req, r)) return 'host';
  return req.path.startsWith(r.path) ? 'ok' : 'path';
}

export function explainRedirect(requested: string, registered: string, opts: { exact?: boolean } = {}): RedirectExplanation {
  const exact = opts.exact === true;
  return {
    matches: matchRedirectUri(requested, registered, { exact }),
    entries: registeredEntries(registered).map((e) => ({ registered: e, rule: ruleFor(requested, e, exact) })),
  };
}

/** Registered entries the matcher can never match (not an absolute URI it accepts), for the console's form. */
export function unusableEntries(registered: string): string[] {
  return registeredEntries(registered).filter((e) => !parseForMatch(e));
}
