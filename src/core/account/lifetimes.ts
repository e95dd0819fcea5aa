// Credential lifetimes (account-protocol §2.5): two documented profiles.

export type LifetimeProfileName = 'legacy' | 'hyperos';

export interface Lifetimes {
  /** Authorization code, ms (10 minutes in both: superset of 5 and 10). */
  codeMs: number;
  /** Access token, seconds (the `expires_in` value). */
  accessTokenSec: number;
  /** Refresh token, seconds. */
  refreshTokenSec: number;
}

const DAY = 24 * 3600;

export const LIFETIMES: Record<LifetimeProfileName, Lifetimes> = {
  legacy: { codeMs: 10 * 60_000, accessTokenSec: 90 * DAY, refreshTokenSec: 3650 * DAY },
  hyperos: { codeMs: 10 * 60_000, accessTokenSec: 3 * DAY, refreshTokenSec: 90 * DAY },
};
