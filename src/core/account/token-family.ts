// Token families: every token that descends from one authorization code (the exchange's access and
// refresh tokens, and every rotation after) or from one implicit grant shares a family id, and a
// replayed code or refresh token revokes the whole family (RFC 9700 §4.14, docs/oauth.md).
//
// A family id begins with the time its family was started, in fixed-width base 36, so that new
// families go to the end of the store's family index instead of a random place in it. With a
// random id, every exchange changed one more index page somewhere in the index (its first image
// into the log, one more page to read when the page cache does not hold it), about a fifth of the
// store's work per exchange (bench/README.md, "Token families in time order").
//
// A code's family follows from the code's row, so a replay of the code finds it again: the code's
// issue time (not its exchange's) and the first 32 hexadecimal digits (128 bits) of the code's
// hash. An implicit grant's family: its issue time and a new credential. Builds before 2026-12-08
// named a code's family by the code's whole hash, and their refresh tokens rotate within it for as
// long as they live (10 years under the legacy lifetimes), so a replay revokes both forms, and the
// old one must stay. (A replay seen by a node still on such a build revokes only the old form:
// docs/oauth.md.)

/** Digits of the time prefix: milliseconds in base 36, enough until the year 5188. */
const TIME_DIGITS = 9;

/** Hexadecimal digits of a code's hash that a family id keeps. */
const CODE_HASH_DIGITS = 32;

/** A family id started at `at` (ms since the epoch) from a unique `seed`. */
export function familyId(at: number, seed: string): string {
  return Math.max(0, Math.floor(at)).toString(36).padStart(TIME_DIGITS, '0') + seed;
}

/** The family an exchange of the code (issued at `createdAt`, hash `codeHash`) starts. */
export function codeFamily(createdAt: number, codeHash: string): string {
  return familyId(createdAt, codeHash.slice(0, CODE_HASH_DIGITS));
}

/** Every family an exchange of the code may have started, this build's and earlier builds'. */
export function codeFamilies(createdAt: number, codeHash: string): string[] {
  return [codeFamily(createdAt, codeHash), codeHash];
}
