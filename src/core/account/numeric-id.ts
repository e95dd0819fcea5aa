// The decimal ids of the account protocol (clientId, userId, planId, passId): 64-bit numbers on the
// wire, strings in TypeScript (design rule). Opal allocates them with a non-zero first digit, so a
// well-formed id is 1–20 digits without a leading zero. Schemas use the pattern; code uses isNumericId.

export const NUMERIC_ID_PATTERN = '^[1-9][0-9]{0,19}$';

const NUMERIC_ID_RE = new RegExp(NUMERIC_ID_PATTERN);

export function isNumericId(s: string): boolean {
  return NUMERIC_ID_RE.test(s);
}
