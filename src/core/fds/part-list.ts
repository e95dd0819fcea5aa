// The part list of a multipart complete (fds-protocol §6.3): `uploadPartResultList` entries
// `{partNumber, etag?, partSize?, ...}`. The SDKs list every part once, ascending; a list is
// accepted in any order but is put in part-number order, and each part may appear only once (a
// part listed many times would let a small upload store a huge object). At most MAX_PARTS entries.
import { Type } from '@sinclair/typebox/type';
import { FdsError } from './errors.ts';
import { bodyShape, checked } from './json-input.ts';

/** Highest part number and longest list (§6.2: part numbers 1..10000). */
export const MAX_PARTS = 10_000;

/** The complete request body `{"uploadPartResultList":[...]}` (parsePartList checks the list). */
export const CompleteMultipartBody = bodyShape(Type.Object({ uploadPartResultList: Type.Optional(Type.Unknown()) }), 'complete body');

const PartList = bodyShape(Type.Array(Type.Unknown()), 'uploadPartResultList');

/** A listed part: its number (a JSON number, or digits in a string) and optionally its etag. */
const PartEntry = bodyShape(
  Type.Object({
    partNumber: Type.Union([Type.Integer({ minimum: 1, maximum: MAX_PARTS }), Type.String({ pattern: '^\\d{1,5}$' })]),
    etag: Type.Optional(Type.Unknown()),
  }),
  'part',
);

export interface ChosenPart {
  partNumber: number;
  /** Lower-case hex without quotes, or undefined when the entry carries none. */
  etag: string | undefined;
}

function chosen(entry: unknown): ChosenPart {
  const e = checked(PartEntry, entry, 'InvalidPartNumberOrSize');
  const n = Number(e.partNumber);
  if (n < 1 || n > MAX_PARTS) throw new FdsError('InvalidPartNumberOrSize', `bad part number ${JSON.stringify(e.partNumber)}`);
  return { partNumber: n, etag: typeof e.etag === 'string' && e.etag !== '' ? e.etag.replace(/"/g, '').toLowerCase() : undefined };
}

/** Validates a complete request's list (absent or null: no parts, Android); returns the entries sorted by part number. */
export function parsePartList(list: unknown): ChosenPart[] {
  const entries = list === undefined || list === null ? [] : checked(PartList, list);
  if (entries.length > MAX_PARTS) throw new FdsError('InvalidPartNumberOrSize', `at most ${MAX_PARTS} parts may be listed`);
  const out = entries.map(chosen);
  out.sort((a, b) => a.partNumber - b.partNumber);
  // Sorted: a repeat is next to its first listing. Part numbers start at 1, so 0 matches none.
  let previous = 0;
  for (const p of out) {
    if (p.partNumber === previous) throw new FdsError('InvalidPartNumberOrSize', `part ${p.partNumber} is listed more than once`);
    previous = p.partNumber;
  }
  return out;
}
