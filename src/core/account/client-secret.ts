// Client-secret tolerance (account-protocol §4.4): a secret sent without URL encoding (JustAuth)
// arrives form-decoded with '+' turned into ' '. These are the candidates to compare, each in
// constant time by the caller.

export function secretCandidates(v: string): string[] {
  const out = [v];
  const plus = v.replace(/ /g, '+');
  if (!out.includes(plus)) out.push(plus);
  try {
    const d = decodeURIComponent(v);
    if (!out.includes(d)) out.push(d);
  } catch {
    /* not percent-encoded */
  }
  return out;
}
