// The checks of GET /oauth2/authorize (account-protocol §3.1–§3.4), in order, as small named
// steps. Client and redirect problems end on an error page (never a redirect to an unvalidated
// URI); everything after a validated redirect_uri is reported by redirect with a bare integer code.
import { XM, XM_DESCRIPTIONS, type XmErrorCode } from './errors.ts';
import { isNumericId } from './numeric-id.ts';
import { checkChallenge } from './pkce.ts';
import { matchRedirectUri } from './redirect-uri.ts';
import { parseRequestedScopes } from './scope.ts';
import { parseSkipConfirm } from './skip-confirm.ts';

export interface AuthorizeClient {
  clientId: string;
  redirectUris: string;
  scopes: number[];
  flags: { exactRedirect?: boolean; public?: boolean; allowImplicit?: boolean; strictScope?: boolean; allowPlainPkce?: boolean };
}

export interface AuthorizeRequest {
  clientId: string;
  /** Exactly as received: the base of every redirect (§3.6). */
  redirectUri: string;
  responseType: 'code' | 'token';
  scopes: number[];
  state: string | undefined;
  skipConfirm: boolean;
  /** PKCE S256 challenge when one was sent (required for public clients; a permitted plain one is stored as its S256). */
  codeChallenge: string | undefined;
}

export type AuthorizeCheck =
  | { kind: 'ok'; request: AuthorizeRequest }
  | { kind: 'page'; code: XmErrorCode; description: string }
  | { kind: 'redirect'; redirectUri: string; state: string | undefined; code: XmErrorCode; description: string };

export type Params = Record<string, string | undefined>;

function page(code: XmErrorCode, description?: string): AuthorizeCheck {
  return { kind: 'page', code, description: description ?? XM_DESCRIPTIONS[code] };
}

/** Step 1: a well-formed client_id (page 96002 otherwise). */
export function checkClientId(p: Params): { ok: true; clientId: string } | { ok: false; check: AuthorizeCheck } {
  const id = p.client_id;
  if (id === undefined || id === '') return { ok: false, check: page(XM.INVALID_REQUEST, 'invalid request: missing client_id') };
  if (!isNumericId(id)) return { ok: false, check: page(XM.INVALID_REQUEST, 'invalid request: malformed client_id') };
  return { ok: true, clientId: id };
}

/** Steps 2–7 with the looked-up client (undefined → page 96001). */
export function checkAuthorize(p: Params, client: AuthorizeClient | undefined, opts: { skipConfirmDefault: boolean }): AuthorizeCheck {
  const id = checkClientId(p);
  if (!id.ok) return id.check;
  if (!client || client.clientId !== id.clientId) return page(XM.CLIENT_NOT_EXISTS);

  const redirectUri = p.redirect_uri;
  if (!redirectUri) return page(XM.INVALID_REDIRECT_URI, 'invalid request: missing redirect_uri');
  if (!matchRedirectUri(redirectUri, client.redirectUris, { exact: client.flags.exactRedirect === true }))
    return page(XM.INVALID_REDIRECT_URI);

  const state = p.state;
  const fail = (code: XmErrorCode, description?: string): AuthorizeCheck => ({
    kind: 'redirect',
    redirectUri,
    state,
    code,
    description: description ?? XM_DESCRIPTIONS[code],
  });

  const rt = p.response_type;
  if (rt === undefined || rt === '') return fail(XM.INVALID_REQUEST, 'invalid request: missing response_type');
  if (rt !== 'code' && rt !== 'token') return fail(XM.UNSUPPORTED_RESPONSE_TYPE);
  if (rt === 'token' && (client.flags.allowImplicit === false || client.flags.public === true)) return fail(XM.UNAUTHORIZED_CLIENT);

  const scope = parseRequestedScopes(p.scope, client.scopes, client.flags.strictScope === true);
  if (!scope.ok) return fail(XM.INVALID_SCOPE);

  const pkce = checkChallenge(p.code_challenge, p.code_challenge_method, client.flags.allowPlainPkce === true);
  if (!pkce.ok) return fail(XM.INVALID_REQUEST, pkce.description);
  const codeChallenge = pkce.challenge;
  if (client.flags.public === true && codeChallenge === undefined) {
    return fail(XM.INVALID_REQUEST, 'invalid request: PKCE code_challenge with code_challenge_method=S256 is required');
  }

  return {
    kind: 'ok',
    request: {
      clientId: client.clientId,
      redirectUri,
      responseType: rt,
      scopes: scope.scopes,
      state,
      skipConfirm: parseSkipConfirm(p.skip_confirm, opts.skipConfirmDefault),
      codeChallenge,
    },
  };
}

/** Parameters from a raw query string (form-decoded; the first of repeated names wins). */
export function paramsFromQuery(qs: string): Params {
  const out: Params = {};
  for (const [k, v] of new URLSearchParams(qs)) if (!(k in out)) out[k] = v;
  return out;
}
