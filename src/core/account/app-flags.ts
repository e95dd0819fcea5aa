// Per-app switches (the apps.flags JSON column). Absent keys take the defaults named in each comment.

export interface AppFlags {
  /** Redirect URIs must match a registered entry exactly (default false: §3.3 prefix rules). */
  exactRedirect?: boolean;
  /** Public client: PKCE S256 required, no secret needed at the token endpoint (default false). */
  public?: boolean;
  /** Issue bearer tokens instead of MAC tokens (default false). */
  bearer?: boolean;
  /** Allow response_type=token (default true). */
  allowImplicit?: boolean;
  /** Emit userId in /user/profile (default true; account-protocol §6.4). */
  emitUserId?: boolean;
  /** Require a MAC header on open-API calls (default false; account-protocol §5.5). */
  requireMac?: boolean;
  /** Reject unknown or unapproved scopes instead of dropping them (default false). */
  strictScope?: boolean;
  /** Accept PKCE code_challenge_method=plain (or no method) at authorize (default false: S256 only). */
  allowPlainPkce?: boolean;
}

export const FLAG_NAMES: ReadonlyArray<keyof AppFlags> = [
  'exactRedirect',
  'public',
  'bearer',
  'allowImplicit',
  'emitUserId',
  'requireMac',
  'strictScope',
  'allowPlainPkce',
];
