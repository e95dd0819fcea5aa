// The Range request header for GET object (fds-protocol §5.3): `bytes=N-`, `bytes=N-M`, `bytes=-N`.
// A start at or past the end of a non-empty object is 416; a zero-byte object with `bytes=0-` is a
// plain 200. Unparseable or multi-range headers are ignored (full body).
import { FdsError } from './errors.ts';

export interface ResolvedRange {
  start: number;
  end: number;
}

const DIGITS_RE = /^\d*$/;

/**
 * `bytes = <first> - <last>` with optional spaces around each part: the two digit strings (either
 * may be empty, not both), or undefined. Plain string scans, not one regex: the former
 * `^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$` backtracked quadratically on long runs of spaces.
 */
function byteRangeSpec(header: string): [string, string] | undefined {
  const h = header.trim();
  if (h.slice(0, 5).toLowerCase() !== 'bytes') return undefined;
  const rest = h.slice(5).trimStart();
  if (!rest.startsWith('=')) return undefined;
  const dash = rest.indexOf('-');
  if (dash < 0) return undefined;
  const first = rest.slice(1, dash).trim();
  const last = rest.slice(dash + 1).trim();
  if (!DIGITS_RE.test(first) || !DIGITS_RE.test(last) || (first === '' && last === '')) return undefined;
  return [first, last];
}

/** Resolves a Range header against an object size; undefined means "send the whole object". */
export function resolveRange(header: string | undefined, size: number): ResolvedRange | undefined {
  const spec = header && byteRangeSpec(header);
  if (!spec) return undefined;
  const [first, last] = spec;
  if (first === '') {
    const n = Number(last);
    if (n === 0) throw new FdsError('InvalidRequestRange');
    if (size === 0) return undefined;
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  if (size === 0 && start === 0) return undefined;
  if (start >= size) throw new FdsError('InvalidRequestRange');
  let end = last === '' ? size - 1 : Number(last);
  if (end < start) throw new FdsError('InvalidRequestRange');
  if (end >= size) end = size - 1;
  return { start, end };
}
