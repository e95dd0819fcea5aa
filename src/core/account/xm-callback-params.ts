// The names Opal appends to a checkPassword callback (account-protocol §7.3) must not already be in
// it: the signed query would then hold the caller's value first and Opal's after it, and an app that
// reads the first value (Java servlets, URLSearchParams.get, Flask, Go) trusts a forged result
// under a valid `_xmSign`. A callback is refused when any parameter of its query or fragment is
// read as one of those names by some app's parser:
//   - pairs are split on `&` and `;` (Apache URLEncodedUtils, Rack and old Python split on both;
//     `&amp;` then also splits), the fragment also on `?` (hash routers: `#/done?xmResult=true`);
//   - the name (before the first `=`) is form-decoded until it no longer changes (`+`, `%XX`,
//     IIS `%uXXXX`; apps that decode twice), then each `&`/`;` piece of it is read
//     - as is, and cut at NUL or `[` (PHP, Rack, Rails, qs arrays: `code[]`), and cut at `.`
//       too (qs `allowDots`), each trimmed of spaces and of leading `?`s (URLSearchParams drops
//       one: `new URLSearchParams(location.search.substring(1))` reads `??code=1` as `code`),
//       and with `.` and space as `_` (PHP: `.xmNonce`);
//     - case-insensitively after NFKC (ASP.NET, Java equalsIgnoreCase: `XMRESULT`, `ſ`, `ı`).
// Values are never inspected: `return=%2Fx%3Fcode%3D1` carries a nested URL, not a parameter.
// A name still changing after MAX_DECODES decodings is refused as unreadable.
import { lenientFormDecode } from '../encoding.ts';

/** The parameters Opal appends to the callback, in the doc's order (§7.3). */
export const XM_CALLBACK_PARAMS = ['xmResult', 'xmUserId', 'code', '_xmNonce', '_xmSign'] as const;

const RESERVED = new Set<string>(XM_CALLBACK_PARAMS.map((n) => n.toLowerCase()));
const MAX_DECODES = 8;
/** Leading spaces and `?`s: PHP strips spaces, URLSearchParams one `?` (`??code=1` read twice). */
const LEADING_RE = /^[\s?]+/;
const CUTS = [/$/, /[\0[]|$/, /[\0[.]|$/];

function fold(s: string): string {
  return s.normalize('NFKC').toUpperCase().toLowerCase();
}

/** True when one reading of the raw (still encoded) parameter name is a reserved name. */
function nameIsReserved(raw: string): boolean {
  let name = raw;
  for (let i = 0; ; i++) {
    const next = lenientFormDecode(name);
    if (next === name) break;
    if (i === MAX_DECODES) return true;
    name = next;
  }
  for (const piece of name.split(/[&;]/)) {
    const n = fold(piece.split('=')[0] ?? '');
    for (const cut of CUTS) {
      const v = n.slice(0, n.search(cut)).replace(LEADING_RE, '').trimEnd();
      if (RESERVED.has(v) || RESERVED.has(v.replace(/[ .]/g, '_'))) return true;
    }
  }
  return false;
}

/** True when the callback's query or fragment carries a parameter some parser reads as one Opal appends. */
export function carriesXmCallbackParam(callback: string): boolean {
  const hash = callback.indexOf('#');
  const beforeHash = hash < 0 ? callback : callback.slice(0, hash);
  const q = beforeHash.indexOf('?');
  const pairs = q < 0 ? [] : beforeHash.slice(q + 1).split(/[&;]/);
  if (hash >= 0) pairs.push(...callback.slice(hash + 1).split(/[&;?]/));
  return pairs.some((pair) => pair !== '' && nameIsReserved(pair.split('=')[0] ?? ''));
}
