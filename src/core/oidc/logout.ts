// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2, §3): the post_logout_redirect_uri
// must be registered for the client exactly (no prefix rule), and the state is echoed.

/** Registered post-logout URIs are stored `;`-separated like redirect URIs. */
export function isRegisteredLogoutUri(uri: string, registered: string): boolean {
  return registered.split(';').some((r) => r !== '' && r === uri);
}

export function logoutRedirect(uri: string, state: string | undefined): string {
  if (state === undefined || state === '') return uri;
  const u = new URL(uri);
  u.searchParams.append('state', state);
  return u.toString();
}
