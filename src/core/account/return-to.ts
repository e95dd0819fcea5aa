// Where to go after login/logout: only a path on this origin (no scheme, no `//` or `/\`), so the
// login page can never be turned into an open redirect.

const SAFE_RE = /^\/(?![/\\])[\x21-\x7e]*$/;

export function safeReturnTo(v: string | undefined, fallback = '/login'): string {
  if (!v || v.length > 8192 || !SAFE_RE.test(v) || v.includes('\\')) return fallback;
  return v;
}
