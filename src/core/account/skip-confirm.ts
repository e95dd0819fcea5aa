// `skip_confirm` spellings (account-protocol §3.1, §3.5): true/True/1/yes → true, anything else
// given → false, absent → the configured default.

export function parseSkipConfirm(value: string | undefined, dflt: boolean): boolean {
  if (value === undefined) return dflt;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no' || v === '') return false;
  return dflt;
}
