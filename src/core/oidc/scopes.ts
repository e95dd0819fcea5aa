// Scope rules of OpenID Connect requests (OIDC Core §3.1.2.1, §5.4). A request is an OIDC request
// when its scope holds the exact token `openid`; Xiaomi clients never send it (they send numeric
// ids or JustAuth's path names, account-protocol §3.2), so their lenient parsing is unchanged.
// In an OIDC request every token must be known: unknown ones are refused with invalid_scope.
import { SCOPE_NAMES } from '../account/scope.ts';

/** Standard OIDC scopes → the Xiaomi scope ids that hold their data. */
export const OIDC_SCOPES: ReadonlyMap<string, readonly number[]> = new Map([
  ['openid', []],
  ['profile', [1]],
  ['email', [6]],
  ['phone', [4]],
  // Refresh tokens are always issued; the token is accepted and changes nothing.
  ['offline_access', []],
]);

/** The scope names advertised in the discovery document. */
export const SUPPORTED_SCOPES: readonly string[] = [...OIDC_SCOPES.keys()];

function tokens(raw: string | undefined): string[] {
  return (raw ?? '').split(/[\s+]+/).filter(Boolean);
}

/** True when `scope` asks for OpenID Connect (the exact, case-sensitive token `openid`). */
export function isOidcScope(raw: string | undefined): boolean {
  return tokens(raw).includes('openid');
}

export type OidcScopeParse = { ok: true; scopes: number[] } | { ok: false; description: string };

/**
 * The Xiaomi scope ids an OIDC scope value stands for. Known tokens: the standard names above,
 * numeric Xiaomi ids and the Xiaomi path names (`user/profile`…). Unknown tokens and scopes the
 * app is not enabled for are refused, never dropped or mapped silently.
 */
export function parseOidcScopes(raw: string | undefined, enabled: readonly number[]): OidcScopeParse {
  const out: number[] = [];
  for (const token of tokens(raw)) {
    const ids =
      OIDC_SCOPES.get(token) ??
      (/^\d{1,9}$/.test(token) ? [Number(token)] : token.includes('/') ? SCOPE_NAMES.get(token.toLowerCase()) : undefined);
    if (!ids) return { ok: false, description: `unknown scope "${token}"` };
    for (const id of ids) {
      if (!enabled.includes(id)) return { ok: false, description: `scope "${token}" is not enabled for this app` };
      if (!out.includes(id)) out.push(id);
    }
  }
  return { ok: true, scopes: out.sort((a, b) => a - b) };
}

const NAME_OF: ReadonlyMap<number, string> = new Map([
  [1, 'profile'],
  [4, 'phone'],
  [6, 'email'],
]);

/** The `scope` of an OIDC token response: `openid`, then standard names, then other ids. */
export function formatOidcScope(ids: readonly number[]): string {
  return ['openid', ...ids.map((id) => NAME_OF.get(id) ?? String(id))].join(' ');
}
