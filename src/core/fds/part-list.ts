// The part list of a multipart complete (fds-protocol §6.3): `uploadPartResultList` entries
// `{partNumber, etag?, partSize?, ...}`. The SDKs list every part once, ascending; a list is
// accepted in any order but is put in part-number order, and each part may appear only once (a
// part listed many times would let a small upload store a huge object). At most MAX_PARTS entries.
import { FdsError } from './errors.ts';

/** Highest part number and longest list (§6.2: part numbers 1..10000). */
export const MAX_PARTS = 10_000;

export interface ChosenPart {
  partNumber: number;
  /** Lower-case hex without quotes, or undefined when the entry carries none. */
  etag: string | undefined;
}

/** Validates a complete request's list; returns the entries sorted by part number. */
export function parsePartList(list: unknown): ChosenPart[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new FdsError('InvalidRequest', 'uploadPartResultList must be a list');
  if (list.length > MAX_PARTS) throw new FdsError('InvalidPartNumberOrSize', `at most ${MAX_PARTS} parts may be listed`);
  const out: ChosenPart[] = [];
  for (const entry of list as unknown[]) {
    const raw = (entry as { partNumber?: unknown } | null)?.partNumber;
    const n = typeof raw === 'string' && /^\d{1,5}$/.test(raw) ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_PARTS) {
      throw new FdsError('InvalidPartNumberOrSize', `bad part number ${JSON.stringify(raw) ?? 'undefined'}`);
    }
    const tag = (entry as { etag?: unknown }).etag;
    out.push({ partNumber: n, etag: typeof tag === 'string' && tag !== '' ? tag.replace(/"/g, '').toLowerCase() : undefined });
  }
  out.sort((a, b) => a.partNumber - b.partNumber);
  for (let i = 1; i < out.length; i++) {
    const p = out[i];
    if (p && p.partNumber === out[i - 1]?.partNumber)
      throw new FdsError('InvalidPartNumberOrSize', `part ${p.partNumber} is listed more than once`);
  }
  return out;
}
