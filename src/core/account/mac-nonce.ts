// MAC nonces (account-protocol §5.1, §5.3, §5.4 step 3): `<random>:<minutes since the Unix epoch>`.
// The random part may be negative (Java nextLong), a PHP float string or a plain integer. The time
// part must lie within ±W minutes of the server clock; in C# compatibility mode also within ±W of a
// whole multiple of 15 minutes up to 14 hours away, because the C# SDK counts minutes from
// 1970-01-01 08:00 *local* time and is off by the distance of its time zone from UTC+8.

export const STRICT_NONCE_RE = /^[-+]?[0-9.eE+]+:-?\d+$/;
export const LENIENT_NONCE_RE = /^[^:]+:-?\d+$/;

export interface NonceWindow {
  /** W in minutes (default 15). */
  windowMinutes: number;
  /** Accept whole-15-minute offsets up to 14 h (C# SDK, default true). */
  csharpCompat: boolean;
}

export const DEFAULT_NONCE_WINDOW: NonceWindow = { windowMinutes: 15, csharpCompat: true };
const MAX_OFFSET_MINUTES = 14 * 60;

export interface ParsedNonce {
  random: string;
  minutes: number;
}

export function parseNonce(nonce: string, strict = false): ParsedNonce | null {
  if (!(strict ? STRICT_NONCE_RE : LENIENT_NONCE_RE).test(nonce)) return null;
  const i = nonce.lastIndexOf(':');
  const minutes = Number(nonce.slice(i + 1));
  if (!Number.isSafeInteger(minutes)) return null;
  return { random: nonce.slice(0, i), minutes };
}

export function epochMinutes(nowMs: number): number {
  return Math.floor(nowMs / 60_000);
}

/**
 * The clock offset of a nonce in whole 15-minute steps: 0 when within ±W of the server clock;
 * in C# compatibility mode the nearest step (up to ±14 h) that brings it within ±W; null when the
 * nonce is unacceptable (§5.4 step 3).
 */
export function nonceOffsetSteps(minutes: number, nowMs: number, w: NonceWindow = DEFAULT_NONCE_WINDOW): number | null {
  const d = minutes - epochMinutes(nowMs);
  if (Math.abs(d) <= w.windowMinutes) return 0;
  if (!w.csharpCompat) return null;
  const k = Math.max(-MAX_OFFSET_MINUTES / 15, Math.min(MAX_OFFSET_MINUTES / 15, Math.round(d / 15)));
  return Math.abs(d - k * 15) <= w.windowMinutes ? k : null;
}

/** Whether a nonce minute count is acceptable at `nowMs`. */
export function nonceTimeOk(minutes: number, nowMs: number, w: NonceWindow = DEFAULT_NONCE_WINDOW): boolean {
  return nonceOffsetSteps(minutes, nowMs, w) !== null;
}

/** Whether a nonce lies within ±W of the server clock shifted by `steps` × 15 minutes. */
export function nonceWithinOffset(minutes: number, nowMs: number, steps: number, w: NonceWindow = DEFAULT_NONCE_WINDOW): boolean {
  return Math.abs(minutes - epochMinutes(nowMs) - steps * 15) <= w.windowMinutes;
}

/**
 * How long a seen nonce must be remembered so that a replay is refused for as long as it would
 * pass the time check at clock offset `steps` (plus rounding slack), in ms. Servers pin each
 * token's offset (the C# SDK's is constant), so this stays about 2·W instead of 14 hours.
 */
export function replayTtlMs(minutes: number, nowMs: number, w: NonceWindow = DEFAULT_NONCE_WINDOW, steps = 0): number {
  const lastAcceptedMinute = minutes - steps * 15 + w.windowMinutes;
  return Math.max(60_000, (lastAcceptedMinute + 2) * 60_000 - nowMs);
}

/** A fresh nonce as the Java SDK makes one: signed 64-bit random, colon, epoch minutes. */
export function newNonce(nowMs: number, random64: bigint): string {
  return `${BigInt.asIntN(64, random64)}:${epochMinutes(nowMs)}`;
}
