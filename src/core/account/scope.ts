// Scope parsing (account-protocol §3.2, §8): numeric ids, `+`/space/comma separated, JustAuth path
// names and a few lenient aliases; the granted list is reported as ids joined with single spaces.

/** Lenient names (lower-cased) → scope ids. A Map: `constructor` or `__proto__` is no name. */
export const SCOPE_NAMES: ReadonlyMap<string, readonly number[]> = new Map([
  ['user/profile', [1]],
  ['profile', [1]],
  ['user/relation', [2]],
  ['relation', [2]],
  ['user/openidv2', [3]],
  ['openid', [3]],
  ['user/phoneandemail', [4, 6]],
  ['phone', [4]],
  ['email', [6]],
]);

export type ScopeParse = { ok: true; scopes: number[] } | { ok: false; reason: 'unknown' | 'not-enabled'; token: string };

/**
 * Parses a requested `scope` value (already form-decoded) against the scopes the app is enabled
 * for. Lenient: unknown tokens and scopes the app lacks are dropped; strict: they fail. An empty
 * result means "everything the app is enabled for".
 */
export function parseRequestedScopes(raw: string | undefined, enabled: readonly number[], strict = false): ScopeParse {
  const wanted: number[] = [];
  for (const token of (raw ?? '').split(/[\s,+]+/).filter(Boolean)) {
    const ids = /^\d{1,9}$/.test(token) ? [Number(token)] : SCOPE_NAMES.get(token.toLowerCase());
    if (!ids) {
      if (strict) return { ok: false, reason: 'unknown', token };
      continue;
    }
    for (const id of ids) {
      if (!enabled.includes(id)) {
        if (strict) return { ok: false, reason: 'not-enabled', token };
        continue;
      }
      if (!wanted.includes(id)) wanted.push(id);
    }
  }
  const scopes = wanted.length > 0 ? wanted : [...new Set(enabled)];
  return { ok: true, scopes: scopes.sort((a, b) => a - b) };
}

/** The wire form of a scope list: ids joined with single spaces, e.g. "1 3". */
export function formatScopes(scopes: readonly number[]): string {
  return scopes.join(' ');
}

/** Parses a stored or echoed scope string ("1 3", "1,3") into ids; non-numeric parts are dropped. */
export function scopeIds(s: string): number[] {
  return s
    .split(/[\s,+]+/)
    .filter((p) => /^\d{1,9}$/.test(p))
    .map(Number);
}

/** True when every id of `requested` is in `granted`. */
export function covers(granted: readonly number[], requested: readonly number[]): boolean {
  return requested.every((s) => granted.includes(s));
}
