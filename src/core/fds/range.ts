// The Range request header for GET object (fds-protocol §5.3): `bytes=N-`, `bytes=N-M`, `bytes=-N`.
// A start at or past the end of a non-empty object is 416; a zero-byte object with `bytes=0-` is a
// plain 200. Unparseable or multi-range headers are ignored (full body).
import { FdsError } from './errors.ts';

export interface ResolvedRange {
  start: number;
  end: number;
}

/** Resolves a Range header against an object size; undefined means "send the whole object". */
export function resolveRange(header: string | undefined, size: number): ResolvedRange | undefined {
  if (!header) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) throw new FdsError('InvalidRequestRange');
    if (size === 0) return undefined;
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  if (size === 0 && start === 0) return undefined;
  if (start >= size) throw new FdsError('InvalidRequestRange');
  let end = m[2] === '' ? size - 1 : Number(m[2]);
  if (end < start) throw new FdsError('InvalidRequestRange');
  if (end >= size) end = size - 1;
  return { start, end };
}
